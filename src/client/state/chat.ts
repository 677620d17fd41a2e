/**
 * The live chat model: friends with presence, friend requests, conversations, messages per
 * conversation (merged by id, sorted by id, never duplicated), the outbox of messages not yet
 * acknowledged (keyed by clientId), who is typing, and the socket's state.
 *
 * Data only, plus pure update helpers. The socket lives in chatConnection.ts, server events are
 * applied in chatEvents.ts, user actions are in chatActions.ts and chatHistory.ts.
 */
import { create } from "zustand";
import type { Conversation, Friend, FriendRequest, Message, PublicUser } from "../../shared/protocol";
import type { SocketState } from "../socket";
import type { Attachment } from "../../shared/attachments";
import { patchList, withReply, type ThreadHeld } from "./threadModel";

export type OutgoingStatus = "pending" | "failed";

/** A message the user sent that the server has not acknowledged yet (or refused). */
export interface Outgoing {
  clientId: string;
  conversationId: string;
  content: string;
  /** Quoting this message (its preview is shown while it is being sent). */
  replyTo?: Message["replyTo"];
  /** Files uploaded for it (shown while it is being sent). */
  attachments?: Attachment[];
  /** A reply in this thread (shown in its panel, never in the main timeline). */
  threadId?: string;
  createdAt: string;
  status: OutgoingStatus;
  error?: string;
}

/** What we hold of a conversation's history. Live messages are kept only once this exists. */
export interface History {
  status: "loading" | "ready" | "error";
  /** Older messages exist before the oldest one held. */
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  error?: string;
}

export interface ChatState {
  socketState: SocketState;
  /** The first hello of this session has arrived. */
  ready: boolean;
  meId: string | null;
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  /** Loaded on demand (the Blocked tab); null until then. */
  blocked: PublicUser[] | null;
  conversations: Record<string, Conversation>;
  messages: Record<string, Message[]>;
  history: Record<string, History>;
  outbox: Record<string, Outgoing[]>;
  /** Threads opened in the side panel, by root id. */
  threads: Record<string, ThreadHeld>;
  /** conversationId → userId → time (ms) the indicator expires. */
  typing: Record<string, Record<string, number>>;
  /** The conversation on screen, if any. */
  activeId: string | null;
  /** The status this user chose (sent again after each reconnect). */
  myStatus: "online" | "idle" | "dnd" | "invisible";
}

const EMPTY: ChatState = {
  socketState: "closed",
  ready: false,
  meId: null,
  friends: [],
  incoming: [],
  outgoing: [],
  blocked: null,
  conversations: {},
  messages: {},
  history: {},
  outbox: {},
  threads: {},
  typing: {},
  activeId: null,
  myStatus: "online",
};

export const useChat = create<ChatState>()(() => ({ ...EMPTY }));

export function resetChat(): void {
  useChat.setState({ ...EMPTY }, true);
}

/** How long a typing indicator lives without a refresh. */
export const TYPING_TTL_MS = 6000;

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

/** Merge messages into a list sorted by id; an id already present is replaced, never repeated. */
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return list as Message[];
  const last = list[list.length - 1];
  // The common case: one newer message appended at the end.
  if (incoming.length === 1 && (!last || incoming[0]!.id > last.id)) return [...list, incoming[0]!];
  const byId = new Map<string, Message>();
  for (const m of list) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Store messages for a conversation and retire any outbox entries they acknowledge. */
export function addMessages(s: ChatState, conversationId: string, msgs: readonly Message[]): Partial<ChatState> {
  if (msgs.length === 0) return {};
  const patch: Partial<ChatState> = {};
  // Thread replies are not part of the main timeline (sync hands them over with it).
  const timeline = msgs.filter((m) => !m.threadId);
  let list = s.messages[conversationId];
  if (s.history[conversationId] && timeline.length) list = mergeMessages(list ?? [], timeline);
  const replies = msgs.filter((m) => m.threadId);
  if (replies.length) {
    const threads = { ...s.threads };
    for (const r of replies) {
      const bump = (root: Message) => withReply(root, r, s.meId);
      list = patchList(list, r.threadId!, bump) ?? list;
      const t = threads[r.threadId!];
      if (t) threads[r.threadId!] = { ...t, root: t.root && bump(t.root), replies: mergeMessages(t.replies, [r]) };
    }
    patch.threads = threads;
  }
  if (list !== s.messages[conversationId]) patch.messages = { ...s.messages, [conversationId]: list! };
  const box = s.outbox[conversationId];
  if (box?.length) {
    const acked = new Set(msgs.filter((m) => isMine(m, s.meId) && m.clientId).map((m) => m.clientId));
    if (acked.size) patch.outbox = { ...s.outbox, [conversationId]: box.filter((o) => !acked.has(o.clientId)) };
  }
  return patch;
}

/** Whether we wrote `m`: as our account, or (a room guest, whose meId is the guest id) as that guest. */
export function isMine(m: Pick<Message, "authorId" | "guest">, meId: string | null): boolean {
  return meId !== null && (m.authorId === meId || m.guest?.id === meId);
}

/** Keep a conversation's summary (last message, unread count) in step with a new message. */
/** A new message: the conversation's last one, and unread (a mention too, if `mentioned`) unless ours or read. */
export function bumpConversation(s: ChatState, m: Message, mentioned = false): Partial<ChatState> {
  const c = s.conversations[m.conversationId];
  if (!c || m.threadId) return {};
  if (c.lastMessage && c.lastMessage.id >= m.id) return {};
  const mine = m.authorId === s.meId;
  const readUpTo = s.meId ? c.reads[s.meId] : null;
  const unread = !mine && m.authorId !== null && (!readUpTo || m.id > readUpTo);
  const next: Conversation = { ...c, lastMessage: m, unreadCount: c.unreadCount + (unread ? 1 : 0), mentionCount: c.mentionCount + (unread && mentioned ? 1 : 0) };
  return { conversations: { ...s.conversations, [c.id]: next } };
}

/** Apply a read mark; for our own mark, recount unread (and, with `mentionsMe`, mentions). */
export function applyRead(s: ChatState, conversationId: string, userId: string, messageId: string, mentionsMe?: (m: Message) => boolean): Partial<ChatState> {
  const c = s.conversations[conversationId];
  if (!c) return {};
  const prev = c.reads[userId];
  if (prev && prev >= messageId) return {};
  let { unreadCount, mentionCount } = c;
  if (userId === s.meId) {
    if (!c.lastMessage || messageId >= c.lastMessage.id) unreadCount = mentionCount = 0;
    else if (s.history[conversationId]?.status === "ready") {
      const unread = (s.messages[conversationId] ?? []).filter((m) => m.id > messageId && m.authorId !== s.meId && m.authorId !== null);
      unreadCount = unread.length;
      if (mentionsMe) mentionCount = unread.filter(mentionsMe).length;
    }
  }
  const next: Conversation = { ...c, reads: { ...c.reads, [userId]: messageId }, unreadCount, mentionCount };
  return { conversations: { ...s.conversations, [conversationId]: next } };
}

export function setTyping(s: ChatState, conversationId: string, userId: string, until: number | null): Partial<ChatState> {
  const cur = s.typing[conversationId] ?? {};
  if (until === null && !(userId in cur)) return {};
  const next = { ...cur };
  if (until === null) delete next[userId];
  else next[userId] = until;
  return { typing: { ...s.typing, [conversationId]: next } };
}

export function updateOutgoing(s: ChatState, conversationId: string, clientId: string, patch: Partial<Outgoing>): Partial<ChatState> {
  const box = s.outbox[conversationId];
  if (!box?.some((o) => o.clientId === clientId)) return {};
  return { outbox: { ...s.outbox, [conversationId]: box.map((o) => (o.clientId === clientId ? { ...o, ...patch } : o)) } };
}

/** Drop everything held for conversations we no longer belong to. */
export function withoutConversation(s: ChatState, id: string): Partial<ChatState> {
  const { [id]: _c, ...conversations } = s.conversations;
  const { [id]: _m, ...messages } = s.messages;
  const { [id]: _h, ...history } = s.history;
  const { [id]: _o, ...outbox } = s.outbox;
  const { [id]: _t, ...typing } = s.typing;
  const threads = Object.fromEntries(Object.entries(s.threads).filter(([, t]) => t.conversationId !== id));
  return { conversations, messages, history, outbox, typing, threads };
}
