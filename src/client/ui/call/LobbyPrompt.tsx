/**
 * A host's prompt in the call view while someone waits in the lobby (the participants panel
 * closed): the first waiter with Admit and Deny, and a way to the whole list when more wait.
 */
import type { LobbyEntry } from "../../../shared/calls";
import { admit, deny } from "../../state/callHost";
import { useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";

const ACTION = "shrink-0 rounded-md px-2.5 py-1.5 text-xs font-semibold";
const NONE: LobbyEntry[] = [];

/** Admit and Deny for one waiter (the call view is dark in either theme). */
export function AdmitDeny({ waiter }: { waiter: LobbyEntry }) {
  return (
    <>
      <button type="button" aria-label={`Admit ${waiter.name}`} onClick={() => void admit(waiter.id)} className={`${ACTION} bg-brand-500 text-white hover:bg-brand-400`}>
        Admit
      </button>
      <button type="button" aria-label={`Deny ${waiter.name}`} onClick={() => void deny(waiter.id)} className={`${ACTION} text-zinc-100 ring-1 ring-white/25 hover:bg-white/10`}>
        Deny
      </button>
    </>
  );
}

export function LobbyPrompt() {
  const waiting = useCall((s) => s.host?.waiting ?? NONE);
  const panelOpen = useCall((s) => s.peopleOpen && !s.chatOpen);
  const first = waiting[0];
  if (!first || panelOpen) return null;
  const more = waiting.length - 1;
  return (
    <div
      role="alert"
      data-testid="lobby-prompt"
      data-waiter={first.id}
      className="flex w-full max-w-md items-center gap-2 rounded-xl bg-zinc-800/95 py-1.5 pl-2 pr-1.5 text-xs shadow ring-1 ring-amber-300/40"
    >
      <Avatar name={first.name} seed={first.id} size="sm" />
      <span className="flex min-w-0 flex-1 flex-col">
        <bdi className="truncate font-semibold">{first.name}</bdi>
        <span className="text-zinc-400">wants to join{more > 0 ? ` · ${more} more waiting` : ""}</span>
      </span>
      <AdmitDeny waiter={first} />
      {more > 0 ? (
        <button type="button" onClick={() => useCall.setState({ peopleOpen: true, chatOpen: false })} className={`${ACTION} text-zinc-300 hover:bg-white/10 hover:text-white`}>
          View all
        </button>
      ) : null}
    </div>
  );
}
