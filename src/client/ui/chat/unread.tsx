/**
 * Where the reader left off: the "New messages" divider above the first message that was unread
 * when the conversation opened (frozen then, so marking read does not move it), and a bar that
 * jumps there — paging older history in first when it is further back than what is held.
 */
import type { Message } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { loadOlder } from "../../state/chatHistory";
import { CloseIcon } from "../common/icons";
import { timeOf } from "./messageModel";

/** What was unread when the conversation opened: after the read mark, or (no mark, as in channels) the last `count` by others. */
export interface UnreadStart {
  mark: string | null;
  count: number;
}

/** Past this many pages, stop paging in (a year of busy history). */
const MAX_PAGES = 200;

const byOthers = (m: Message, meId: string | null) => m.authorId !== null && m.authorId !== meId;

/** The first unread message held; null if none; undefined if it is older than what is held. */
export function firstUnreadId(messages: readonly Message[], start: UnreadStart, meId: string | null, complete: boolean): string | null | undefined {
  if (start.mark) {
    const covered = complete || (!!messages[0] && messages[0].id <= start.mark);
    if (!covered) return undefined;
    return messages.find((m) => m.id > start.mark! && byOthers(m, meId))?.id ?? null;
  }
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (byOthers(messages[i]!, meId) && ++seen === start.count) return messages[i]!.id;
  }
  return complete ? (messages.find((m) => byOthers(m, meId))?.id ?? null) : undefined;
}

export function UnreadDivider() {
  return (
    <div role="separator" aria-label="New messages" data-testid="unread-divider" className="my-2 flex items-center gap-2 px-4 sm:px-6">
      <span className="h-px flex-1 bg-red-500/70" />
      <span className="rounded bg-red-500 px-1.5 text-[0.625rem] font-bold uppercase leading-4 tracking-wide text-white">New messages</span>
    </div>
  );
}

/** Page older history in until the first unread message is held, then bring the divider into view. */
export async function jumpToFirstUnread(conversationId: string, start: UnreadStart, scroller: HTMLElement | null): Promise<void> {
  for (let i = 0; i < MAX_PAGES; i++) {
    const s = useChat.getState();
    const h = s.history[conversationId];
    const complete = !!h && h.status === "ready" && !h.hasMoreBefore;
    if (firstUnreadId(s.messages[conversationId] ?? [], start, s.meId, complete) !== undefined) break;
    await loadOlder(conversationId);
    if (useChat.getState().history[conversationId]?.loadingOlder) return;
  }
  // The list draws the page that came in on the next frame.
  requestAnimationFrame(() => scroller?.querySelector('[data-testid="unread-divider"]')?.scrollIntoView({ block: "center" }));
}

export function JumpToUnreadBar({ count, since, onJump, onDismiss }: { count: number; since: string | null; onJump(): void; onDismiss(): void }) {
  return (
    <div data-testid="jump-to-unread" className="absolute inset-x-2 top-2 z-20 flex items-center overflow-hidden rounded-lg bg-brand-600 text-xs font-medium text-white shadow-md sm:inset-x-4 dark:bg-brand-500">
      <button type="button" onClick={onJump} className="flex min-w-0 flex-1 items-center gap-2 px-3 py-1.5 text-left hover:bg-white/10">
        <span className="truncate">
          {count} new message{count === 1 ? "" : "s"}
          {since ? ` since ${timeOf(since)}` : ""}
        </span>
        <span className="ml-auto shrink-0 font-semibold">Jump to first unread</span>
      </button>
      <button type="button" onClick={onDismiss} aria-label="Dismiss" className="shrink-0 border-l border-white/20 px-2 py-1.5 hover:bg-white/10">
        <CloseIcon className="size-3.5" />
      </button>
    </div>
  );
}
