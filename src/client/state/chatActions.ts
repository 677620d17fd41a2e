/**
 * What the user does in a conversation: send (optimistic, keyed by clientId), retry a failed
 * send with the same clientId, mark read, and say they are typing.
 */
import { newId } from "../../shared/ids";
import type { Message } from "../../shared/protocol";
import type { Attachment } from "../../shared/attachments";
import { addMessages, applyRead, bumpConversation, updateOutgoing, useChat, type Outgoing } from "./chat";
import { mentionsMe } from "./notifyLevel";
import { currentSocket } from "./chatSocket";

function dispatch(o: Outgoing): void {
  const socket = currentSocket();
  const fail = (error: string) => useChat.setState((s) => updateOutgoing(s, o.conversationId, o.clientId, { status: "failed", error }));
  if (!socket) return fail("Not connected");
  // Queued while offline and sent again after a reconnect; the clientId makes that safe.
  const replyToId = o.replyTo?.id;
  const attachmentIds = o.attachments?.map((a) => a.id);
  const extra = { ...(replyToId ? { replyToId } : {}), ...(o.threadId ? { threadId: o.threadId } : {}), ...(attachmentIds?.length ? { attachmentIds } : {}) };
  socket.request<{ message: Message }>({ type: "message:send", conversationId: o.conversationId, clientId: o.clientId, content: o.content, ...extra }).then(
    ({ message }) => useChat.setState((s) => ({ ...addMessages(s, o.conversationId, [message]), ...bumpConversation(s, message) })),
    (err: Error) => fail(err.message || "Could not send"),
  );
}

/** Send into the main timeline, or (`threadId`) as a reply in that thread. */
export function sendMessage(conversationId: string, content: string, { replyTo, threadId, attachments = [] }: { replyTo?: Message; threadId?: string; attachments?: Attachment[] } = {}): void {
  const o: Outgoing = { clientId: newId(), conversationId, content, createdAt: new Date().toISOString(), status: "pending" };
  if (threadId) o.threadId = threadId;
  if (attachments.length > 0) o.attachments = attachments;
  if (replyTo) o.replyTo = { id: replyTo.id, authorId: replyTo.authorId, content: replyTo.content, deleted: false };
  useChat.setState((s) => ({ outbox: { ...s.outbox, [conversationId]: [...(s.outbox[conversationId] ?? []), o] } }));
  typingState = null;
  dispatch(o);
}

/** Put messages kept from an earlier page back in the outbox and send the pending ones again. */
export function restoreOutbox(stored: Outgoing[]): void {
  if (stored.length === 0) return;
  useChat.setState((s) => {
    const outbox = { ...s.outbox };
    for (const o of stored) outbox[o.conversationId] = [...(outbox[o.conversationId] ?? []), o];
    return { outbox };
  });
  for (const o of stored) if (o.status === "pending") dispatch(o);
}

/** Send a failed message again, with the same clientId (the server never stores it twice). */
export function retryMessage(conversationId: string, clientId: string): void {
  const o = useChat.getState().outbox[conversationId]?.find((x) => x.clientId === clientId);
  if (!o || o.status !== "failed") return;
  useChat.setState((s) => updateOutgoing(s, conversationId, clientId, { status: "pending", error: undefined }));
  dispatch({ ...o, status: "pending" });
}

export function discardMessage(conversationId: string, clientId: string): void {
  useChat.setState((s) => ({
    outbox: { ...s.outbox, [conversationId]: (s.outbox[conversationId] ?? []).filter((o) => o.clientId !== clientId) },
  }));
}

/** Mark the newest message held as read, if it is newer than our mark. */
export function markRead(conversationId: string): void {
  const s = useChat.getState();
  const c = s.conversations[conversationId];
  const list = s.messages[conversationId];
  const newest = list?.[list.length - 1];
  if (!c || !newest || !s.meId) return;
  const mark = c.reads[s.meId];
  if (mark && mark >= newest.id) return;
  const socket = currentSocket();
  if (!socket) return;
  const meId = s.meId;
  useChat.setState((st) => applyRead(st, conversationId, meId, newest.id, mentionsMe));
  socket.request({ type: "read:mark", conversationId, messageId: newest.id }).catch(() => {});
}

/** Re-announce typing at most this often; others drop the indicator after 6 s without one. */
const TYPING_REFRESH_MS = 3000;
let typingState: { conversationId: string; at: number } | null = null;

/** Call on each edit of the composer. */
export function typingActivity(conversationId: string, hasText: boolean): void {
  if (!hasText) return stopTyping(conversationId);
  const now = Date.now();
  if (typingState?.conversationId === conversationId && now - typingState.at < TYPING_REFRESH_MS) return;
  if (typingState && typingState.conversationId !== conversationId) stopTyping(typingState.conversationId);
  typingState = { conversationId, at: now };
  currentSocket()?.notify({ type: "typing:start", conversationId });
}

export function stopTyping(conversationId: string): void {
  if (typingState?.conversationId !== conversationId) return;
  typingState = null;
  currentSocket()?.notify({ type: "typing:stop", conversationId });
}

export function setActiveConversation(id: string | null): void {
  if (useChat.getState().activeId !== id) useChat.setState({ activeId: id });
}

export function setMyStatus(status: "online" | "idle" | "dnd" | "invisible"): void {
  useChat.setState({ myStatus: status });
  currentSocket()?.notify({ type: "presence:set", status });
}
