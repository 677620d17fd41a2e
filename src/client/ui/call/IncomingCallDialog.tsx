/** The ringing card for an incoming call: who calls, voice or video, Accept / Decline. */
import { useId } from "react";
import { acceptCall, declineCall, useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { CallIcon, HangUpIcon, VideoIcon } from "./callIcons";
import { RoundButton } from "./RoundButton";

export function IncomingCallDialog() {
  const peer = useCall((s) => s.peer);
  const video = useCall((s) => s.media.video);
  const titleId = useId();
  // No focus grab: someone typing a message must not answer (or decline) a call by pressing Enter.
  if (!peer) return null;
  const kind = video ? "video" : "voice";
  return (
    <div className="pointer-events-none fixed inset-x-0 top-0 z-50 flex justify-center p-3 sm:top-4">
      <section
        role="alertdialog"
        aria-labelledby={titleId}
        aria-describedby={`${titleId}-name`}
        onKeyDown={(e) => e.key === "Escape" && void declineCall()}
        className="pointer-events-auto flex w-full max-w-sm animate-pop flex-col items-center gap-4 rounded-3xl bg-zinc-900 px-6 pb-6 pt-7 text-white shadow-2xl ring-1 ring-white/10"
      >
        <div className="relative">
          <span aria-hidden="true" className="absolute inset-0 animate-ping rounded-full bg-emerald-400/30" />
          <Avatar name={peer.displayName} seed={peer.id} src={peer.avatarUrl} size="xl" className="relative ring-4 ring-zinc-900" />
        </div>
        <div className="text-center">
          <p id={`${titleId}-name`} className="text-lg font-semibold tracking-tight">
            {peer.displayName}
          </p>
          <h2 id={titleId} className="mt-0.5 flex items-center justify-center gap-1.5 text-sm text-zinc-400">
            {video ? <VideoIcon className="size-4" /> : <CallIcon className="size-4" />}
            Incoming {kind} call
          </h2>
        </div>
        <div className="mt-1 flex items-center gap-10">
          <div className="flex flex-col items-center gap-1.5">
            <RoundButton label="Decline" tone="danger" className="size-14 sm:size-14" onClick={() => void declineCall()}>
              <HangUpIcon className="size-6" />
            </RoundButton>
            <span aria-hidden="true" className="text-xs text-zinc-400">Decline</span>
          </div>
          <div className="flex flex-col items-center gap-1.5">
            <RoundButton label="Accept" tone="accept" className="size-14 sm:size-14" onClick={() => void acceptCall()}>
              {video ? <VideoIcon className="size-6" /> : <CallIcon className="size-6" />}
            </RoundButton>
            <span aria-hidden="true" className="text-xs text-zinc-400">Accept</span>
          </div>
        </div>
      </section>
    </div>
  );
}
