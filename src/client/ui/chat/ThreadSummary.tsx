/** Under a thread's root in the main timeline: who replied, how many replies, the last one's time, unread; a click opens the panel. */
import type { Message, ThreadSummary as Summary } from "../../../shared/protocol";
import { useRouter } from "../../state/router";
import { openThread, openThreadId } from "../../state/threads";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { stampOf } from "./messageModel";
import { useMentionContext } from "./mentionContext";

const MINUTE = 60_000;

/** "just now", "12 minutes ago", then "today at 14:03", "yesterday at 09:12", a date. */
export function lastReplyLabel(iso: string, now = Date.now()): string {
  const ago = now - Date.parse(iso);
  if (ago < MINUTE) return "just now";
  if (ago < 60 * MINUTE) return `${Math.floor(ago / MINUTE)} minute${ago < 2 * MINUTE ? "" : "s"} ago`;
  const stamp = stampOf(iso);
  return stamp.startsWith("Today") || stamp.startsWith("Yesterday") ? stamp[0]!.toLowerCase() + stamp.slice(1) : stamp;
}

export function ThreadSummaryLine({ root, thread }: { root: Message; thread: Summary }) {
  const people = useMentionContext().byUsername;
  const open = useRouter((s) => openThreadId(s.search) === root.id);
  const unread = thread.unreadCount > 0;
  return (
    <button
      type="button"
      data-testid="thread-summary"
      data-reply-count={thread.replyCount}
      data-unread={unread ? thread.unreadCount : undefined}
      aria-expanded={open}
      onClick={() => openThread(root.conversationId, root.id)}
      className={cn(
        "group/thread mt-1 flex max-w-full items-center gap-2 rounded-lg border border-transparent py-1 pl-1 pr-3 text-left text-[0.8125rem] transition-colors hover:border-zinc-200 hover:bg-white dark:hover:border-zinc-700 dark:hover:bg-zinc-900",
        open && "border-zinc-200 bg-white dark:border-zinc-700 dark:bg-zinc-900",
      )}
    >
      <span data-testid="thread-participants" className="flex shrink-0 -space-x-1.5">
        {thread.participantIds.map((id) => {
          const u = [...people.values()].find((p) => p.id === id);
          return <Avatar key={id} name={u?.displayName ?? "?"} seed={id} src={u?.avatarUrl} size="sm" className="!size-6 !text-[0.5625rem] ring-2 ring-white dark:ring-zinc-950" />;
        })}
      </span>
      <span className="shrink-0 font-semibold text-brand-600 group-hover/thread:underline dark:text-brand-400">
        {thread.replyCount} {thread.replyCount === 1 ? "reply" : "replies"}
      </span>
      {unread ? (
        <span data-testid="thread-unread" className="shrink-0 rounded-full bg-red-500 px-1.5 text-[0.6875rem] font-bold leading-[1.125rem] text-white">
          {thread.unreadCount} new
        </span>
      ) : null}
      <time dateTime={thread.lastReplyAt} className="truncate text-xs text-zinc-500 dark:text-zinc-400">
        Last reply {lastReplyLabel(thread.lastReplyAt)}
      </time>
    </button>
  );
}
