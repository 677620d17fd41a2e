/** Who is in the call (and who is being rung into it): each person's microphone, camera and raised hand, whether they are reconnecting, and a host's actions on them. */
import { useShallow } from "zustand/react/shallow";
import { useCall } from "../../state/call";
import type { ReactNode } from "react";
import { Avatar } from "../common/Avatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { CloseIcon } from "../common/icons";
import { HandIcon, MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from "./callIcons";
import { usePerson } from "./GridTile";
import { HostPanel } from "./HostPanel";
import { moderate } from "../../state/callHost";

const ACTION = "rounded-md px-1.5 py-1 text-xs font-medium text-zinc-300 hover:bg-white/10 hover:text-white";

/** Mute / Ask to unmute / Remove, for hosts, on everyone but themselves. */
function HostActions({ id, name, muted }: { id: string; name: string; muted: boolean }) {
  return (
    <span className="flex shrink-0 items-center gap-0.5">
      {muted ? (
        <button type="button" className={ACTION} aria-label={`Ask ${name} to unmute`} onClick={() => void moderate("ask-unmute", id)}>
          Ask
        </button>
      ) : (
        <button type="button" className={ACTION} aria-label={`Mute ${name}`} onClick={() => void moderate("mute", id)}>
          Mute
        </button>
      )}
      <button type="button" className={`${ACTION} text-red-300 hover:text-red-200`} aria-label={`Remove ${name}`} onClick={() => void moderate("remove", id)}>
        Remove
      </button>
    </span>
  );
}

/**
 * Avatar and name, with a note (guest, reconnecting) on a line of its own so a long name does not
 * cut it off; for someone with an account (not ourselves, not a guest), a button that opens their profile card.
 */
function Person({ id, person, note, children }: { id: string; person: boolean; note?: string; children: ReactNode }) {
  const { avatarName, seed, avatarUrl } = usePerson(id);
  const inner = (
    <>
      <Avatar name={avatarName} seed={seed} src={avatarUrl} size="sm" />
      <span className="min-w-0 flex-1 text-left text-sm">
        <span className="block truncate">{children}</span>
        {note ? (
          <span data-testid="participant-note" className="block truncate text-xs text-zinc-400">
            {note}
          </span>
        ) : null}
      </span>
    </>
  );
  if (!person) return <span className="flex min-w-0 flex-1 items-center gap-3">{inner}</span>;
  return (
    <ProfileTrigger user={id} className="flex flex-1 items-center gap-3 hover:underline">
      {inner}
    </ProfileTrigger>
  );
}

function Row({ id }: { id: string }) {
  const self = id === "self";
  const { name } = usePerson(id);
  const media = useCall((s) => (self ? s.local : s.participants[id]?.media));
  const hand = useCall((s) => (self ? s.handRaised : !!s.roster[id]?.handRaised));
  const away = useCall((s) => !self && !!s.participants[id]?.away);
  const hosting = useCall((s) => !self && s.host !== null);
  const guest = useCall((s) => s.roster[id]?.role === "guest");
  return (
    <li data-testid="participant-row" data-participant={id} className="flex items-center gap-3 rounded-lg px-2 py-1.5 hover:bg-white/5">
      <Person id={id} person={!self && !guest} note={[guest && "Guest", away && "Reconnecting…"].filter(Boolean).join(" · ") || undefined}>
        <bdi title={name}>{name}</bdi>
      </Person>
      {hand ? <HandIcon role="img" aria-hidden={false} aria-label="Hand raised" className="size-4 text-amber-400" /> : null}
      {media?.video ? <VideoIcon className="size-4 text-zinc-400" /> : <VideoOffIcon role="img" aria-hidden={false} aria-label="Camera off" className="size-4 text-zinc-500" />}
      {media?.audio ? <MicIcon className="size-4 text-zinc-400" /> : <MicOffIcon role="img" aria-hidden={false} aria-label={`${name} is muted`} className="size-4 text-red-400" />}
      {hosting ? <HostActions id={id} name={name} muted={!media?.audio} /> : null}
    </li>
  );
}

/** Someone rung into the call who has not answered yet. */
function RingingRow({ id }: { id: string }) {
  const { name } = usePerson(id);
  return (
    <li data-testid="participant-row" data-participant={id} data-ringing="" className="flex items-center gap-3 rounded-lg px-2 py-1.5 opacity-70">
      <Person id={id} person>
        <bdi>{name}</bdi>
      </Person>
      <span className="text-xs text-zinc-400">Ringing…</span>
    </li>
  );
}

export function ParticipantsPanel({ onClose }: { onClose: () => void }) {
  const ids = useCall(useShallow((s) => ["self", ...Object.keys(s.participants)]));
  const ringing = useCall((s) => s.invited);
  return (
    <aside
      aria-label="Participants"
      className="absolute inset-0 z-20 flex flex-col bg-zinc-900 text-white sm:static sm:inset-auto sm:w-80 sm:shrink-0 sm:rounded-2xl sm:ring-1 sm:ring-white/10"
    >
      <header className="flex h-12 shrink-0 items-center justify-between border-b border-white/10 pl-4 pr-2">
        <h2 className="text-sm font-semibold">In this call ({ids.length})</h2>
        <button type="button" onClick={onClose} aria-label="Close participants" className="rounded-md p-1.5 text-zinc-400 hover:bg-white/10 hover:text-white">
          <CloseIcon className="size-4" />
        </button>
      </header>
      <HostPanel />
      <ul className="min-h-0 flex-1 space-y-0.5 overflow-y-auto p-2">
        {ids.map((id) => (
          <Row key={id} id={id} />
        ))}
        {ringing.map((id) => (
          <RingingRow key={id} id={id} />
        ))}
      </ul>
    </aside>
  );
}
