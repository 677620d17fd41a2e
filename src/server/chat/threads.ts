/**
 * Replies and threads. A reply quotes a message of its conversation (a preview rides with it);
 * a thread is the replies under one root message, kept out of the main timeline. Pages of
 * either get their previews and thread summaries in a fixed number of queries.
 */
import { AppError } from "../../shared/errors";
import { REPLY_PREVIEW_LENGTH, THREAD_PARTICIPANTS_SHOWN, type Message, type ReplyPreview, type ThreadSummary, type ThreadTotals } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { MessageRow, ReplyTargetRow, Store, ThreadParticipantRow, ThreadSummaryRow } from "../store/store";
import type { ConversationService } from "./conversations";
import { withReactions } from "./reactions";
import { withAttachments } from "./attachments";
import { toMessage } from "./wire";

export function toPreview(t: ReplyTargetRow | MessageRow): ReplyPreview {
  const deleted = !!t.deleted_at;
  return {
    id: t.id,
    authorId: t.author_id,
    ...(t.guest_name ? { guestName: t.guest_name } : {}),
    content: deleted ? "" : t.content.slice(0, REPLY_PREVIEW_LENGTH),
    deleted,
  };
}

/** The message a reply answers: it must be in the same conversation. */
export async function replyTarget(store: Store, conversationId: string, replyToId: string | undefined): Promise<ReplyPreview | undefined> {
  if (!replyToId) return undefined;
  const target = await store.chat.message(replyToId);
  if (!target || target.conversation_id !== conversationId) {
    throw new AppError("VALIDATION_ERROR", "The replied-to message is not in this conversation", { fields: { replyToId: "Not a message of this conversation" } });
  }
  return toPreview(target);
}

/** A thread's root: a live message of the main timeline of the same conversation. */
export async function threadRoot(store: Store, conversationId: string, threadId: string | undefined): Promise<void> {
  if (!threadId) return;
  const root = await store.chat.message(threadId);
  if (!root || root.conversation_id !== conversationId || root.thread_id !== null || root.kind !== "text" || root.deleted_at) {
    throw new AppError("VALIDATION_ERROR", "A thread starts on a message of this conversation's main timeline", { fields: { threadId: "Not a thread root of this conversation" } });
  }
}

/** Replies get their previews: one query per page. */
export async function withReplyPreviews(store: Store, messages: Message[]): Promise<Message[]> {
  const ids = [...new Set(messages.flatMap((m) => (m.replyToId ? [m.replyToId] : [])))];
  if (ids.length === 0) return messages;
  const byId = new Map((await store.threads.replyTargets(ids, REPLY_PREVIEW_LENGTH)).map((t) => [t.id, toPreview(t)]));
  return messages.map((m) => (m.replyToId ? { ...m, replyTo: byId.get(m.replyToId) ?? { id: m.replyToId, authorId: null, content: "", deleted: true } } : m));
}

/** Roots get their thread summaries as `viewerId` sees them: two queries per page. */
export async function withThreads(store: Store, viewerId: string, conversationId: string, messages: Message[]): Promise<Message[]> {
  const roots = messages.filter((m) => m.threadId === null && m.kind === "text").map((m) => m.id);
  if (roots.length === 0) return messages;
  const summaries = await store.threads.summaries(conversationId, roots, viewerId);
  if (summaries.length === 0) return messages;
  const people = await store.threads.participants(conversationId, summaries.map((s) => s.thread_id));
  const byThread = new Map<string, ThreadSummary>();
  for (const s of summaries) byThread.set(s.thread_id, { ...totals(s, people), unreadCount: Number(s.unread) });
  return messages.map((m) => {
    const thread = byThread.get(m.id);
    return thread ? { ...m, thread } : m;
  });
}

function totals(s: ThreadSummaryRow, people: ThreadParticipantRow[]): ThreadTotals {
  const participantIds = people
    .filter((p) => p.thread_id === s.thread_id)
    .sort((a, b) => (a.last_id < b.last_id ? 1 : -1))
    .slice(0, THREAD_PARTICIPANTS_SHOWN)
    .map((p) => p.author_id);
  return { replyCount: Number(s.replies), lastReplyId: s.last_id, lastReplyAt: s.last_at, participantIds };
}

/** One thread's totals as every member sees them (after a reply's delete); null when no live reply is left. */
export async function threadTotals(store: Store, conversationId: string, rootId: string): Promise<ThreadTotals | null> {
  const [summary] = await store.threads.summaries(conversationId, [rootId], "");
  return summary ? totals(summary, await store.threads.participants(conversationId, [rootId])) : null;
}

/** Everything a page of messages carries besides the rows: attachments, reactions, reply previews and (for the viewer) thread summaries. */
export async function decorate(store: Store, viewerId: string | null, conversationId: string, messages: Message[]): Promise<Message[]> {
  const withPreviews = await withReplyPreviews(store, await withReactions(store, await withAttachments(store, messages)));
  return viewerId ? withThreads(store, viewerId, conversationId, withPreviews) : withPreviews;
}

export class ThreadService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly conversations: ConversationService,
  ) {}

  /** A thread's root and a page of its replies (oldest first): the newest by default, `before`/`after` to page. */
  async page(actor: Actor, rootId: string, page: { before?: string; after?: string; limit: number }): Promise<{ root: Message; messages: Message[]; hasMore: boolean }> {
    const root = await this.#root(actor, rootId);
    const rows = await this.store.threads.replies(root.conversation_id, root.id, { ...page, limit: page.limit + 1 });
    const hasMore = rows.length > page.limit;
    const trimmed = hasMore ? (page.after !== undefined ? rows.slice(0, page.limit) : rows.slice(1)) : rows;
    const [decoratedRoot, ...messages] = await decorate(this.store, actor.userId, root.conversation_id, [toMessage(root), ...trimmed.map(toMessage)]);
    return { root: decoratedRoot!, messages, hasMore };
  }

  /** The conversation's threads, the most recently active first: their roots with summaries. */
  async list(actor: Actor, conversationId: string, limit: number): Promise<Message[]> {
    await this.conversations.requireMember(actor, conversationId);
    const active = await this.store.threads.active(conversationId, limit);
    if (active.length === 0) return [];
    const order = new Map(active.map((a, i) => [a.thread_id, i]));
    const roots = (await this.store.threads.roots(conversationId, active.map((a) => a.thread_id))).map(toMessage);
    roots.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return decorate(this.store, actor.userId, conversationId, roots);
  }

  /** The reader's mark in one thread; their other devices hear of it. */
  async markRead(actor: Actor, threadId: string, messageId: string): Promise<void> {
    const root = await this.#root(actor, threadId);
    const m = await this.store.chat.message(messageId);
    if (!m || m.thread_id !== root.id) throw new AppError("VALIDATION_ERROR", "That message is not in this thread", { fields: { messageId: "Not a reply in this thread" } });
    if (await this.store.threads.markRead(root.id, actor.userId, messageId)) {
      await this.bus.publish({ type: "deliver", to: { users: [actor.userId] }, event: { type: "thread:read", conversationId: root.conversation_id, threadId: root.id, messageId } });
    }
  }

  /** Non-members get NOT_FOUND, as for a message that does not exist. */
  async #root(actor: Actor, rootId: string): Promise<MessageRow> {
    const root = await this.store.chat.message(rootId);
    const member = root && (await this.store.chat.memberConversation(root.conversation_id, actor.userId));
    if (!root || !member) throw new AppError("NOT_FOUND", "No such thread");
    if (root.thread_id !== null) throw new AppError("VALIDATION_ERROR", "That message is a reply in a thread, not its root", { fields: { threadId: "Not a thread root" } });
    return root;
  }
}
