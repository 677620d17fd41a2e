/** Our call ringing from another device of ours: a compact banner with Cancel, not a call screen. */
import { cancelCall, useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { CallIcon, HangUpIcon, VideoIcon } from "./callIcons";

export function ElsewhereCallBanner() {
  const peer = useCall((s) => s.peer);
  const video = useCall((s) => s.media.video);
  if (!peer) return null;
  return (
    <div className="pointer-events-none fixed inset-x-0 top-0 z-50 flex justify-center p-3 sm:top-4">
      <section
        role="status"
        aria-label={`Calling ${peer.displayName} on another device`}
        data-testid="call-elsewhere"
        className="pointer-events-auto flex w-full max-w-sm animate-pop items-center gap-3 rounded-2xl bg-zinc-900 py-2.5 pl-3 pr-2.5 text-white shadow-xl ring-1 ring-white/10"
      >
        <div className="relative shrink-0">
          <span aria-hidden="true" className="absolute -inset-1 animate-pulse rounded-full bg-brand-500/30" />
          <Avatar name={peer.displayName} seed={peer.id} src={peer.avatarUrl} size="md" className="relative" />
        </div>
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold">Calling {peer.displayName}…</p>
          <p className="flex items-center gap-1 text-xs text-zinc-400">
            {video ? <VideoIcon className="size-3.5 shrink-0" /> : <CallIcon className="size-3.5 shrink-0" />}
            <span className="truncate">On another device</span>
          </p>
        </div>
        <button
          type="button"
          onClick={() => void cancelCall()}
          aria-label="Cancel call"
          className="inline-flex shrink-0 items-center gap-1.5 rounded-full bg-red-600 px-3 py-1.5 text-sm font-medium hover:bg-red-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white"
        >
          <HangUpIcon className="size-4" />
          Cancel
        </button>
      </section>
    </div>
  );
}
