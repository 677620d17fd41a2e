/**
 * The thread side panel: which thread is open, loading its replies (the newest page on open,
 * older pages on demand), and the reader's mark in it (`thread:read` while the panel is looked
 * at; the mark moved on another device arrives as an event).
 */
import type { Message } from "../../shared/protocol";
import { api, describeError } from "../api";
import { navigate } from "./router";
import { mergeMessages, useChat, type ChatState } from "./chat";
import { currentSocket } from "./chatSocket";
import { patchMessage } from "./messageExtras";
import { patchList, withThreadRead, type ThreadHeld } from "./threadModel";

const PAGE = 50;

interface ThreadPage {
  root: Message;
  messages: Message[];
  hasMore: boolean;
}

/**
 * The thread shown beside a conversation is in the page's URL (`?thread=<rootId>`), so a link
 * opens it, a reload keeps it and Back closes it. One at a time.
 */
export function openThreadId(search: string): string | null {
  return new URLSearchParams(search).get("thread");
}

/** Where a message is read: its conversation's page (a channel's within its space), with the thread open for a thread reply. */
export function messagePath(conversationId: string, spaceId: string | null | undefined, threadId: string | null): string {
  const page = spaceId ? `/s/${encodeURIComponent(spaceId)}/${encodeURIComponent(conversationId)}` : `/c/${encodeURIComponent(conversationId)}`;
  return threadId ? `${page}?thread=${encodeURIComponent(threadId)}` : page;
}

/** The URL of this page with `rootId`'s thread open, or none. */
function withThread(rootId: string | null): string {
  const url = new URL(window.location.href);
  if (rootId) url.searchParams.set("thread", rootId);
  else url.searchParams.delete("thread");
  return url.pathname + url.search + url.hash;
}

/** The history entry we pushed to open a thread: closing it goes back there rather than forward. */
let pushedFor: string | null = null;

export function openThread(conversationId: string, rootId: string): void {
  const current = openThreadId(window.location.search);
  if (current === rootId) return;
  // Switching threads replaces the entry, so Back still leads to the conversation alone.
  navigate(withThread(rootId), { replace: current !== null, keepScroll: true });
  if (current === null) pushedFor = rootId;
  else if (pushedFor) pushedFor = rootId;
  void loadThread(conversationId, rootId);
}

export function closeThread(): void {
  const current = openThreadId(window.location.search);
  if (!current) return;
  if (pushedFor === current) window.history.back();
  else navigate(withThread(null), { replace: true, keepScroll: true });
  pushedFor = null;
}

function setThread(rootId: string, f: (t: ThreadHeld | undefined) => ThreadHeld | undefined): void {
  useChat.setState((s) => {
    const next = f(s.threads[rootId]);
    return next ? { threads: { ...s.threads, [rootId]: next } } : {};
  });
}

/**
 * The newest page of a thread, unless held already; `refresh` (after a reconnect) reads it again
 * over what is held, for the edits and deletes missed meanwhile.
 */
export async function loadThread(conversationId: string, rootId: string, refresh = false): Promise<void> {
  const held = useChat.getState().threads[rootId];
  if (held && held.status !== "error" && !(refresh && held.status === "ready")) return;
  if (!refresh) setThread(rootId, (t) => ({ conversationId, root: t?.root ?? null, replies: t?.replies ?? [], hasMoreBefore: false, loadingOlder: false, status: "loading" }));
  try {
    const page = await api.get<ThreadPage>(`/api/messages/${encodeURIComponent(rootId)}/thread?limit=${PAGE}`);
    // A link may name a thread of another conversation: it does not open beside this one.
    if (page.root.conversationId !== conversationId) throw new Error("This thread is not in this conversation");
    useChat.setState((s) => {
      const t = s.threads[rootId];
      if (!t) return {};
      // The page's root carries the freshest summary: the timeline's copy takes it too.
      const timeline = patchList(s.messages[conversationId], rootId, () => page.root);
      return {
        // A refresh keeps the older replies held (and whether more are before them).
        threads: { ...s.threads, [rootId]: { ...t, status: "ready", root: page.root, replies: mergeMessages(t.replies, page.messages), hasMoreBefore: refresh ? t.hasMoreBefore : page.hasMore } },
        ...(timeline ? { messages: { ...s.messages, [conversationId]: timeline } } : {}),
      };
    });
  } catch (err) {
    if (!refresh) setThread(rootId, (t) => t && { ...t, status: "error", error: describeError(err) });
  }
}

/** The replies before the oldest one held. */
export async function loadOlderReplies(rootId: string): Promise<void> {
  const t = useChat.getState().threads[rootId];
  const oldest = t?.replies[0];
  if (!t || t.status !== "ready" || !t.hasMoreBefore || t.loadingOlder || !oldest) return;
  setThread(rootId, (x) => x && { ...x, loadingOlder: true });
  try {
    const page = await api.get<ThreadPage>(`/api/messages/${encodeURIComponent(rootId)}/thread?before=${encodeURIComponent(oldest.id)}&limit=${PAGE}`);
    setThread(rootId, (x) => x && { ...x, loadingOlder: false, hasMoreBefore: page.hasMore, replies: mergeMessages(x.replies, page.messages) });
  } catch {
    setThread(rootId, (x) => x && { ...x, loadingOlder: false });
  }
}

function applyMark(s: ChatState, conversationId: string, rootId: string, messageId: string): Partial<ChatState> {
  const held = s.threads[rootId]?.replies;
  return patchMessage(s, conversationId, rootId, (root) => withThreadRead(root, messageId, held, s.meId));
}

/** Mark the newest reply held as read, when the root shows unread replies. */
export function markThreadRead(conversationId: string, rootId: string): void {
  const s = useChat.getState();
  const t = s.threads[rootId];
  const newest = t?.replies.at(-1);
  const root = s.messages[conversationId]?.find((m) => m.id === rootId) ?? t?.root;
  if (!t || t.status !== "ready" || !newest || !root?.thread?.unreadCount) return;
  const socket = currentSocket();
  if (!socket) return;
  useChat.setState((st) => applyMark(st, conversationId, rootId, newest.id));
  socket.request({ type: "thread:read", threadId: rootId, messageId: newest.id }).catch(() => {});
}

/** Our mark moved (this device or another). */
export function applyThreadRead(conversationId: string, rootId: string, messageId: string): void {
  useChat.setState((s) => applyMark(s, conversationId, rootId, messageId));
}
