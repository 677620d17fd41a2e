/** Voice and video call buttons for a DM's or a group's header (a group call rings every member). */
import { callBusy, callSocket, startCall, useCall } from "../../state/call";
import { useChat } from "../../state/chat";
import { cn } from "../common/cn";
import { CallIcon, VideoIcon } from "./callIcons";

export function CallButtons({ conversationId, className }: { conversationId: string; className?: string }) {
  const busy = useCall(callBusy);
  // A DM where either side blocked the other, or with a deleted account, cannot ring (the server would refuse anyway).
  const readOnly = useChat((s) => s.conversations[conversationId]?.readOnly ?? false);
  const online = useChat((s) => s.socketState === "open");
  const disabled = busy || !!readOnly || !online;
  const call = (video: boolean) => {
    const socket = callSocket();
    if (socket) void startCall(socket, conversationId, { audio: true, video });
  };
  // A block may be lifted, so its buttons stay, greyed; a deleted account never answers again.
  if (readOnly === "deleted") return null;
  const button = "rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:cursor-not-allowed disabled:opacity-40 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";
  return (
    <div className={cn("flex items-center gap-0.5", className)}>
      <button type="button" className={button} onClick={() => call(false)} disabled={disabled} aria-label="Start voice call" title="Start voice call">
        <CallIcon />
      </button>
      <button type="button" className={button} onClick={() => call(true)} disabled={disabled} aria-label="Start video call" title="Start video call">
        <VideoIcon />
      </button>
    </div>
  );
}
