/**
 * Threads in the chat model, pure: the replies held for the threads opened in the side panel,
 * and the summaries roots carry (count, participants, last reply, the viewer's unread), kept
 * live from replies as they come in by any path (send answer, `message:new`, `sync`).
 */
import { THREAD_PARTICIPANTS_SHOWN, type Message, type ThreadTotals } from "../../shared/protocol";

/** A thread held for the panel, by root id. */
export interface ThreadHeld {
  conversationId: string;
  status: "loading" | "ready" | "error";
  /** The root as the thread page last gave it (the main timeline may not hold it). */
  root: Message | null;
  replies: Message[];
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  error?: string;
}

/** A root's summary after one more reply; a reply already counted changes nothing. */
export function withReply(root: Message, reply: Message, meId: string | null): Message {
  const t = root.thread;
  if (t && t.lastReplyId >= reply.id) return root;
  const others = (t?.participantIds ?? []).filter((id) => id !== reply.authorId);
  const participantIds = (reply.authorId ? [reply.authorId, ...others] : others).slice(0, THREAD_PARTICIPANTS_SHOWN);
  const unread = reply.authorId !== meId && reply.authorId !== null ? 1 : 0;
  return {
    ...root,
    thread: {
      replyCount: (t?.replyCount ?? 0) + 1,
      lastReplyId: reply.id,
      lastReplyAt: reply.createdAt,
      participantIds,
      unreadCount: (t?.unreadCount ?? 0) + unread,
    },
  };
}

/**
 * A reply of this root was deleted: the server's totals replace the root's (none left: no
 * summary). The viewer's unread count is theirs alone: it drops when the newest reply, by
 * someone else, goes while unread (unread replies are the newest), and never exceeds the count.
 */
export function withoutReply(root: Message, deleted: { id: string; authorId: string | null }, totals: ThreadTotals | null, meId: string | null): Message {
  if (!totals) return { ...root, thread: undefined };
  const t = root.thread;
  let unread = t?.unreadCount ?? 0;
  if (t && unread > 0 && t.lastReplyId === deleted.id && deleted.authorId !== meId) unread -= 1;
  return { ...root, thread: { ...totals, unreadCount: Math.min(unread, totals.replyCount) } };
}

/** The viewer's mark in a thread moved to `messageId`: what is still unread after it. */
export function withThreadRead(root: Message, messageId: string, held: readonly Message[] | undefined, meId: string | null): Message {
  const t = root.thread;
  if (!t || t.unreadCount === 0) return root;
  let unreadCount = t.unreadCount;
  if (messageId >= t.lastReplyId) unreadCount = 0;
  else if (held) unreadCount = held.filter((m) => m.id > messageId && m.authorId !== meId && m.authorId !== null).length;
  return unreadCount === t.unreadCount ? root : { ...root, thread: { ...t, unreadCount } };
}

/** Replace one message wherever it is held: a main timeline list (by index) and the threads. */
export function patchList(list: readonly Message[] | undefined, messageId: string, f: (m: Message) => Message): Message[] | null {
  const i = list?.findIndex((m) => m.id === messageId) ?? -1;
  if (!list || i < 0) return null;
  const next = [...list];
  next[i] = f(list[i]!);
  return next;
}

/** Apply `f` to a message held in any thread (as a reply or as the thread's root copy). */
export function patchThreads(threads: Record<string, ThreadHeld>, messageId: string, f: (m: Message) => Message): Record<string, ThreadHeld> | null {
  let out: Record<string, ThreadHeld> | null = null;
  for (const [rootId, t] of Object.entries(threads)) {
    const replies = patchList(t.replies, messageId, f);
    const root = t.root?.id === messageId ? f(t.root) : t.root;
    if (!replies && root === t.root) continue;
    out ??= { ...threads };
    out[rootId] = { ...t, root, replies: replies ?? t.replies };
  }
  return out;
}
