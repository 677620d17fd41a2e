/** While our call rings: the callee's avatar over our own camera preview, and Cancel. */
import { cancelCall, useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { HangUpIcon } from "./callIcons";
import { RoundButton } from "./RoundButton";
import { StreamVideo } from "./StreamVideo";

export function OutgoingCallScreen() {
  const peer = useCall((s) => s.peer);
  const local = useCall((s) => s.localStream);
  const video = useCall((s) => s.media.video);
  const name = peer?.displayName ?? "…";
  return (
    <section aria-label={`Calling ${name}`} className="fixed inset-0 z-40 flex flex-col items-center justify-center overflow-hidden bg-zinc-950 text-white">
      {video && local ? (
        <div aria-hidden="true" className="absolute inset-0 opacity-40 blur-sm">
          <StreamVideo stream={local} muted mirror />
        </div>
      ) : null}
      <div className="relative flex flex-col items-center gap-5 px-6 text-center">
        <div className="relative">
          <span aria-hidden="true" className="absolute -inset-3 animate-pulse rounded-full bg-brand-500/25" />
          <Avatar name={name} seed={peer?.id} src={peer?.avatarUrl} size="xl" className="relative" />
        </div>
        <div>
          <h2 className="text-xl font-semibold tracking-tight">Calling {name}…</h2>
          <p className="mt-1 text-sm text-zinc-400">{video ? "Video call" : "Voice call"} · ringing</p>
        </div>
      </div>
      <div className="absolute inset-x-0 bottom-0 flex justify-center pb-[max(2rem,env(safe-area-inset-bottom))]">
        <RoundButton label="Cancel call" tone="danger" className="size-14 sm:size-14" onClick={() => void cancelCall()} autoFocus>
          <HangUpIcon className="size-6" />
        </RoundButton>
      </div>
    </section>
  );
}
