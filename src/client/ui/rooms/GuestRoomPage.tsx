/**
 * /r/:slug for a visitor who is not signed in: the room's name and host, camera and microphone
 * choices, then a name to join as a guest (when the host allows guests) or a way to sign in.
 * Once in, the call screens take over (the lobby while a locked room waits for the host).
 */
import { useEffect, useState } from "react";
import type { RoomPreview } from "../../../shared/calls";
import { api, describeError } from "../../api";
import { useCall } from "../../state/call";
import { useGuest } from "../../state/guestSession";
import { AuthLayout } from "../auth/AuthLayout";
import { Alert } from "../common/Alert";
import { Avatar } from "../common/Avatar";
import { Spinner } from "../common/icons";
import { Link } from "../common/Link";
import { CallLayer } from "../call/CallLayer";
import { GuestJoin } from "../call/GuestJoin";

type State = { kind: "loading" } | { kind: "ready"; room: RoomPreview } | { kind: "problem"; message: string };

function MediaChoice({ label, on, onChange }: { label: string; on: boolean; onChange: (on: boolean) => void }) {
  return (
    <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
      <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked)} className="size-4 accent-brand-600" />
      {label}
    </label>
  );
}

export function GuestRoomPage({ slug }: { slug: string }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [audio, setAudio] = useState(true);
  const [video, setVideo] = useState(true);
  const ended = useGuest((s) => (s.status === "ended" ? s.error : null));
  const inCall = useCall((s) => s.phase !== "idle" || s.lobby !== null);

  useEffect(() => {
    api.get<{ room: RoomPreview }>(`/api/rooms/${slug}`, { retryAuth: false }).then(
      ({ room }) => setState({ kind: "ready", room }),
      (err) => setState({ kind: "problem", message: describeError(err) }),
    );
  }, [slug]);

  if (inCall) return <CallLayer />;
  const next = `/login?next=${encodeURIComponent(`/r/${slug}`)}`;
  return (
    <AuthLayout
      title={state.kind === "ready" ? state.room.name : "Join a meeting"}
      subtitle="You're joining as a guest"
      footer={
        <>
          Have an account? <Link href={next}>Sign in</Link>
        </>
      }
    >
      {state.kind === "loading" ? (
        <div role="status" className="flex justify-center py-6 text-zinc-400">
          <Spinner className="size-5" />
          <span className="sr-only">Loading the meeting</span>
        </div>
      ) : state.kind === "problem" ? (
        <Alert>{state.message}</Alert>
      ) : (
        <div className="flex flex-col gap-5">
          <div className="flex items-center gap-3">
            <Avatar name={state.room.host.displayName} seed={state.room.host.id} src={state.room.host.avatarUrl} size="sm" />
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Hosted by <span className="font-medium text-zinc-900 dark:text-zinc-100">{state.room.host.displayName}</span>
              {state.room.live > 0 ? ` · ${state.room.live} in the call` : ""}
            </p>
          </div>
          {ended ? <Alert>{ended}</Alert> : null}
          {state.room.allowGuests ? (
            <>
              <div className="flex gap-5">
                <MediaChoice label="Microphone on" on={audio} onChange={setAudio} />
                <MediaChoice label="Camera on" on={video} onChange={setVideo} />
              </div>
              <GuestJoin slug={slug} media={{ audio, video }} />
            </>
          ) : (
            <Alert tone="info">The host does not allow guests in this meeting. Sign in to join.</Alert>
          )}
        </div>
      )}
    </AuthLayout>
  );
}
