/** "Call in progress — Join" above a group DM's messages, for its members who are not in the call. */
import { callBusy, useCall } from "../../state/call";
import { useChat } from "../../state/chat";
import { joinCall } from "../../state/groupCall";
import { useLiveCalls } from "../../state/liveCalls";
import { Avatar } from "../common/Avatar";
import { CallIcon } from "./callIcons";

export function LiveCallBanner({ conversationId }: { conversationId: string }) {
  const live = useLiveCalls((s) => s[conversationId]);
  const members = useChat((s) => s.conversations[conversationId]?.members);
  const mine = useCall((s) => !!live && s.callId === live.callId);
  const busy = useCall(callBusy);
  if (!live || mine) return null;
  const people = live.userIds.map((id) => members?.find((m) => m.id === id) ?? { id, displayName: "Someone", avatarUrl: null });
  const label = `${live.media.video ? "Video call" : "Voice call"} in progress`;
  return (
    <div role="status" data-testid="live-call" className="flex shrink-0 items-center gap-3 border-b border-emerald-200 bg-emerald-50 px-4 py-2 sm:px-6 dark:border-emerald-900 dark:bg-emerald-950/40">
      <CallIcon className="size-4 shrink-0 text-emerald-600 dark:text-emerald-400" />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-emerald-900 dark:text-emerald-100">{label}</p>
        <p className="truncate text-xs text-emerald-800/80 dark:text-emerald-200/80">{people.length === 1 ? "1 person in the call" : `${people.length} people in the call`}</p>
      </div>
      <div className="hidden -space-x-1.5 sm:flex" aria-hidden="true">
        {people.slice(0, 4).map((u) => (
          <Avatar key={u.id} name={u.displayName} seed={u.id} src={u.avatarUrl} size="sm" className="!size-6 !text-[0.5rem] ring-2 ring-emerald-50 dark:ring-emerald-950" />
        ))}
      </div>
      <button
        type="button"
        disabled={busy}
        onClick={() => void joinCall(conversationId, live.media)}
        className="shrink-0 rounded-lg bg-emerald-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-emerald-500 disabled:cursor-not-allowed disabled:opacity-50"
      >
        Join
      </button>
    </div>
  );
}
