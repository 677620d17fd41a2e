/**
 * The thread side panel (Slack/Discord-like): the root, its replies live, and a composer that
 * sends into the thread. Beside the conversation on wide screens; the whole screen, with a back
 * button, on a phone. While it is open, visible and focused, the thread is marked read.
 */
import { useReadWhileLooking } from "./useReadWhileLooking";
import { useEffect, useLayoutEffect, useMemo, useRef } from "react";
import type { Conversation, Message } from "../../../shared/protocol";
import { useChat, type Outgoing } from "../../state/chat";
import { conversationTitle } from "../../state/chatSelectors";
import { useRouter } from "../../state/router";
import { closeThread, loadOlderReplies, loadThread, markThreadRead, openThreadId } from "../../state/threads";
import { Button } from "../common/Button";
import { ArrowLeftIcon, CloseIcon, Spinner } from "../common/icons";
import { lookalikes } from "../common/lookalikes";
import { useMediaQuery } from "../common/useMediaQuery";
import { Composer } from "./Composer";
import { MentionContext, useMayMentionEveryone, useMembersOf, useMentionables } from "./mentionContext";
import { DaySeparator, MessageGroup } from "./MessageGroup";
import { buildBlocks } from "./messageModel";
import { useModerates } from "./useModeration";
import { useThreadTarget } from "./searchTarget";

const NO_MESSAGES: Message[] = [];
const NO_OUTBOX: Outgoing[] = [];

/** The root id of the thread open beside this conversation (from the URL), loaded when it opens, by a click or a link. */
export function useOpenThread(conversationId: string): string | null {
  const rootId = useRouter((s) => openThreadId(s.search));
  useEffect(() => {
    if (rootId) void loadThread(conversationId, rootId);
  }, [conversationId, rootId]);
  return rootId;
}

export function ThreadPanel({ conversation, rootId }: { conversation: Conversation; rootId: string }) {
  const id = conversation.id;
  const phone = !useMediaQuery("(min-width: 48rem)");
  const meId = useChat((s) => s.meId);
  const held = useChat((s) => s.threads[rootId]);
  const root = useChat((s) => s.messages[id]?.find((m) => m.id === rootId)) ?? held?.root ?? null;
  const replies = held?.replies ?? NO_MESSAGES;
  const allOutbox = useChat((s) => s.outbox[id] ?? NO_OUTBOX);
  const outbox = useMemo(() => allOutbox.filter((o) => o.threadId === rootId), [allOutbox, rootId]);
  const blocks = useMemo(() => buildBlocks(replies, outbox, meId), [replies, outbox, meId]);
  const memberUsers = useMembersOf(conversation);
  const members = useMemo(() => new Map(memberUsers.map((m) => [m.id, m])), [memberUsers]);
  const lookalike = useMemo(() => lookalikes(memberUsers), [memberUsers]);
  const mentionables = useMentionables(conversation);
  const moderates = useModerates(conversation);
  const broadcasts = useMayMentionEveryone(conversation);
  const where = conversation.kind === "channel" ? `#${conversation.name ?? ""}` : conversationTitle(conversation, meId);
  const newestId = replies.at(-1)?.id;
  const unread = root?.thread?.unreadCount ?? 0;

  // Read while looking: on open, on each new reply, and when the window regains focus.
  useReadWhileLooking(() => markThreadRead(id, rootId), [id, rootId, newestId, unread, held?.status]);

  // Stay at the newest reply while the reader is there; sending always goes there.
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    atBottom.current = true;
  }, [rootId]);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [newestId, outbox.length, held?.status, rootId]);
  // A search hit or notification asked for one reply: go there instead of the newest.
  useThreadTarget(rootId, held, scroller, () => {
    atBottom.current = false;
  });
  useLayoutEffect(() => {
    if (outbox.length && scroller.current) {
      atBottom.current = true;
      scroller.current.scrollTop = scroller.current.scrollHeight;
    }
  }, [outbox.length]);

  const count = root?.thread?.replyCount ?? replies.length;
  return (
    <section
      aria-label="Thread"
      data-testid="thread-panel"
      data-root-id={rootId}
      data-layout={phone ? "full" : "side"}
      className={
        phone
          ? "fixed inset-0 z-40 flex flex-col bg-white dark:bg-zinc-950"
          : "flex w-[26rem] max-w-[45%] shrink-0 flex-col border-l border-zinc-200/80 bg-white dark:border-zinc-800 dark:bg-zinc-950"
      }
    >
      <header className="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200/80 px-2 sm:px-4 dark:border-zinc-800">
        {phone ? (
          <button type="button" onClick={closeThread} aria-label="Back to the conversation" data-testid="thread-back" className="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
            <ArrowLeftIcon className="size-5" />
          </button>
        ) : null}
        <div className="min-w-0 flex-1">
          <h2 className="text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">Thread</h2>
          <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">
            <bdi>{where}</bdi>
          </p>
        </div>
        {phone ? null : (
          <button type="button" onClick={closeThread} aria-label="Close thread" title="Close thread" data-testid="thread-close" className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100">
            <CloseIcon className="size-5" />
          </button>
        )}
      </header>
      <MentionContext.Provider value={mentionables}>
        <div
          ref={scroller}
          role="log"
          aria-label="Thread replies"
          data-testid="thread-replies"
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          }}
          className="min-h-0 flex-1 overflow-y-auto overscroll-contain pb-2"
        >
          {root ? (
            <div data-testid="thread-root">
              <MessageGroup author={root.authorId ? members.get(root.authorId) : undefined} rows={[{ key: root.id, message: root, content: root.content, createdAt: root.createdAt }]} conversationId={id} seenId={null} meId={meId} moderator={!!root.authorId && moderates(root.authorId)} inThread />
            </div>
          ) : null}
          <div role="separator" className="mx-4 my-3 flex items-center gap-3 sm:mx-6">
            <span data-testid="thread-count" className="shrink-0 text-xs font-medium text-zinc-500 dark:text-zinc-400">
              {count === 0 ? "No replies yet" : `${count} ${count === 1 ? "reply" : "replies"}`}
            </span>
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
          {held?.status === "error" ? (
            <div className="flex flex-col items-center gap-3 px-6 py-6 text-center">
              <p className="text-sm text-zinc-600 dark:text-zinc-400">Couldn't load this thread. {held.error}</p>
              <Button variant="secondary" size="sm" onClick={() => void loadThread(id, rootId)}>
                Try again
              </Button>
            </div>
          ) : !held || held.status === "loading" ? (
            <div role="status" className="flex justify-center py-6 text-zinc-400">
              <Spinner className="size-5" />
              <span className="sr-only">Loading replies</span>
            </div>
          ) : held.hasMoreBefore ? (
            <div className="flex justify-center py-2">
              <Button variant="secondary" size="sm" disabled={held.loadingOlder} onClick={() => void loadOlderReplies(rootId)}>
                Show earlier replies
              </Button>
            </div>
          ) : null}
          {blocks.map((b, i) =>
            // The reply count above already opens the replies: a day line only where the day changes.
            b.kind === "day" ? (
              i === 0 ? null : (
                <DaySeparator key={b.key} label={b.label} />
              )
            ) : b.kind === "group" ? (
              <MessageGroup key={b.key} author={members.get(b.authorId)} rows={b.rows} conversationId={id} seenId={null} meId={meId} moderator={moderates(b.authorId)} showUsername={lookalike.has(b.authorId)} inThread />
            ) : null,
          )}
        </div>
      </MentionContext.Provider>
      <Composer conversationId={id} threadId={rootId} readOnly={conversation.readOnly} placeholder="Reply in thread…" members={memberUsers} broadcasts={broadcasts} />
    </section>
  );
}
