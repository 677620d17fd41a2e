/**
 * The scrolling message list: sticks to the bottom as messages arrive (when the reader is
 * there), loads older history when scrolled near the top and keeps the view steady meanwhile.
 * Opened with unread messages, it marks the first with "New messages" and offers a jump there
 * while that is off screen.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Conversation, Message } from "../../../shared/protocol";
import { useChat, type Outgoing } from "../../state/chat";
import { conversationTitle, otherMember } from "../../state/chatSelectors";
import { loadOlder } from "../../state/chatHistory";
import { Avatar } from "../common/Avatar";
import { Spinner } from "../common/icons";
import { useModerates } from "./useModeration";
import { ChannelBeginning } from "../spaces/ChannelBeginning";
import { DeleteMessageDialog } from "./DeleteMessage";
import { DaySeparator, MessageGroup, SystemLine } from "./MessageGroup";
import { buildBlocks } from "./messageModel";
import { lookalikes } from "../common/lookalikes";
import { MentionContext, useMentionables } from "./mentionContext";
import { useSearch } from "../../state/search";
import { seekTarget } from "./searchTarget";
import { firstUnreadId, JumpToUnreadBar, jumpToFirstUnread, UnreadDivider, type UnreadStart } from "./unread";

const NO_MESSAGES: Message[] = [];
const NO_OUTBOX: Outgoing[] = [];
/** Start loading older messages this close to the top. */
const LOAD_MARGIN_PX = 400;

export function MessageList({ conversation }: { conversation: Conversation }) {
  const id = conversation.id;
  const messages = useChat((s) => s.messages[id] ?? NO_MESSAGES);
  const allOutbox = useChat((s) => s.outbox[id] ?? NO_OUTBOX);
  // Replies being sent into a thread show in its panel only.
  const outbox = useMemo(() => (allOutbox.some((o) => o.threadId) ? allOutbox.filter((o) => !o.threadId) : allOutbox), [allOutbox]);
  const history = useChat((s) => s.history[id]);
  const meId = useChat((s) => s.meId);
  // Where the reader left off when this opened (frozen: marking read must not move it).
  const [start] = useState<UnreadStart | null>(() => (conversation.unreadCount > 0 ? { mark: (meId && conversation.reads[meId]) || null, count: conversation.unreadCount } : null));
  const ready = history?.status === "ready";
  const unreadId = start && ready ? firstUnreadId(messages, start, meId, !history.hasMoreBefore) : null;
  const blocks = useMemo(() => buildBlocks(messages, outbox, meId, unreadId), [messages, outbox, meId, unreadId]);
  const [unreadOffScreen, setUnreadOffScreen] = useState(false);
  const [unreadDismissed, setUnreadDismissed] = useState(false);
  const members = useMemo(() => new Map(conversation.members.map((m) => [m.id, m])), [conversation.members]);
  const lookalike = useMemo(() => lookalikes(conversation.members), [conversation.members]);
  const mentionables = useMentionables(conversation);
  const moderates = useModerates(conversation);

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);

  // "Seen": my newest delivered message, once the other member's read mark reaches it (DMs).
  let seenId: string | null = null;
  if (conversation.kind === "dm" && meId) {
    const other = otherMember(conversation, meId);
    const read = other ? conversation.reads[other.id] : null;
    const mine = [...messages].reverse().find((m) => m.authorId === meId);
    if (read && mine && read >= mine.id) seenId = mine.id;
  }

  function maybeLoadOlder() {
    const el = scroller.current;
    if (!el || !history?.hasMoreBefore || history.loadingOlder || history.status !== "ready") return;
    if (el.scrollTop > LOAD_MARGIN_PX) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void loadOlder(id);
  }

  const lastKey = blocks.length ? `${messages[messages.length - 1]?.id}|${outbox.length}` : "";
  const firstId = messages[0]?.id;

  // After each render that changed the list: keep the reader's place.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const a = anchor.current;
    if (a) {
      // Older messages went in above: hold what was on screen still.
      el.scrollTop = a.top + (el.scrollHeight - a.height);
      if (!history?.loadingOlder) anchor.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [firstId, lastKey, seenId, history?.status, history?.loadingOlder]);

  // Is the divider out of view (or further back than what is held)?
  function checkDivider() {
    const el = scroller.current;
    if (!el || !start) return;
    const d = el.querySelector('[data-testid="unread-divider"]')?.getBoundingClientRect();
    const view = el.getBoundingClientRect();
    setUnreadOffScreen(!d || d.bottom < view.top || d.top > view.bottom);
  }
  useLayoutEffect(checkDivider);

  // The pane shrinking (a growing composer, a banner) must not hide the newest message.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && !anchor.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A short first page may not fill the screen: keep loading until it does (or nothing is left).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && el.scrollHeight <= el.clientHeight + LOAD_MARGIN_PX) maybeLoadOlder();
  });

  // A search hit opened here (or a thread reply's root): load older pages until its message is held, then show it marked.
  const focus = useSearch((s) => (s.focus?.conversationId === id ? s.focus.messageId : null));
  useEffect(() => {
    if (!focus || history?.status !== "ready") return;
    seekTarget(scroller.current, focus, history, () => void loadOlder(id), (shown) => {
      if (shown) {
        atBottom.current = false;
        anchor.current = null;
      }
      useSearch.setState({ focus: null });
    });
  }, [focus, id, firstId, history?.status, history?.loadingOlder, history?.hasMoreBefore]);

  // Sending always brings the newest message into view.
  const outboxLen = outbox.length;
  const prevOutbox = useRef(outboxLen);
  useLayoutEffect(() => {
    if (outboxLen > prevOutbox.current && scroller.current) {
      atBottom.current = true;
      scroller.current.scrollTop = scroller.current.scrollHeight;
    }
    prevOutbox.current = outboxLen;
  }, [outboxLen]);

  const since = unreadId ? messages.find((m) => m.id === unreadId)?.createdAt ?? null : null;
  return (
    <MentionContext.Provider value={mentionables}>
      <div className="relative flex min-h-0 flex-1 flex-col">
        {start && ready && unreadId !== null && unreadOffScreen && !unreadDismissed ? (
          <JumpToUnreadBar
            count={start.count}
            since={since}
            onJump={() => {
              atBottom.current = false;
              void jumpToFirstUnread(id, start, scroller.current);
            }}
            onDismiss={() => setUnreadDismissed(true)}
          />
        ) : null}
        <div
          ref={scroller}
          role="log"
          aria-label="Messages"
          tabIndex={0}
          data-testid="message-list"
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
            maybeLoadOlder();
            checkDivider();
          }}
          className="min-h-0 flex-1 overflow-y-auto overscroll-contain pb-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-brand-500/50"
        >
          {!history || history.status === "loading" ? (
            <div role="status" className="flex h-full items-center justify-center text-zinc-400">
              <Spinner className="size-5" />
              <span className="sr-only">Loading messages</span>
            </div>
          ) : (
            <>
              {history.hasMoreBefore ? (
                <div className="flex justify-center py-4 text-zinc-400">{history.loadingOlder ? <Spinner className="size-4" /> : null}</div>
              ) : (
                <Beginning conversation={conversation} meId={meId} />
              )}
              {blocks.map((b) =>
                b.kind === "day" ? (
                  <DaySeparator key={b.key} label={b.label} />
                ) : b.kind === "unread" ? (
                  <UnreadDivider key={b.key} />
                ) : b.kind === "system" ? (
                  <SystemLine key={b.key} message={b.message} />
                ) : (
                  <MessageGroup key={b.key} author={members.get(b.authorId)} rows={b.rows} conversationId={id} seenId={seenId} meId={meId} moderator={moderates(b.authorId)} showUsername={lookalike.has(b.authorId)} />
                ),
              )}
            </>
          )}
          <DeleteMessageDialog />
        </div>
      </div>
    </MentionContext.Provider>
  );
}

function Beginning({ conversation, meId }: { conversation: Conversation; meId: string | null }) {
  if (conversation.kind === "channel") return <ChannelBeginning name={conversation.name ?? ""} />;
  const title = conversationTitle(conversation, meId);
  const other = conversation.kind === "dm" ? otherMember(conversation, meId) : undefined;
  return (
    <div className="px-4 pb-2 pt-8 sm:px-6">
      <Avatar name={title} seed={other?.id ?? conversation.id} src={other?.avatarUrl} size="lg" />
      <h2 className="mt-3 text-2xl font-bold tracking-tight text-zinc-900 dark:text-white">{title}</h2>
      <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
        {other && conversation.readOnly === "deleted" ? (
          <>This is the beginning of your direct message history with an account that was since deleted.</>
        ) : other ? (
          <>
            This is the beginning of your direct message history with <strong className="font-semibold">@{other.username}</strong>.
          </>
        ) : (
          <>This is the beginning of the group. {conversation.members.length} members.</>
        )}
      </p>
    </div>
  );
}
