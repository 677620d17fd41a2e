/**
 * Reactions and edits on messages held in the chat model: live events applied in place,
 * toggling a reaction (optimistic, undone if the server refuses) and editing one's own text.
 */
import type { Message, Reaction, ServerEvent } from "../../shared/protocol";
import { useChat, type ChatState } from "./chat";
import { currentSocket } from "./chatSocket";
import { patchList, patchThreads } from "./threadModel";
import { useUi } from "./ui";

type ReactionEvent = Extract<ServerEvent, { type: "reaction:updated" }>;

/** Change a message wherever it is held: the main timeline and the threads in the panel. */
export function patchMessage(s: ChatState, conversationId: string, messageId: string, f: (m: Message) => Message): Partial<ChatState> {
  const patch: Partial<ChatState> = {};
  const list = patchList(s.messages[conversationId], messageId, f);
  if (list) patch.messages = { ...s.messages, [conversationId]: list };
  const threads = patchThreads(s.threads, messageId, f);
  if (threads) patch.threads = threads;
  return patch;
}

/** One user's reaction added or removed: a set operation, so events may arrive in any order. */
export function withReaction(reactions: readonly Reaction[] | undefined, emoji: string, userId: string, added: boolean): Reaction[] {
  const list = [...(reactions ?? [])];
  const i = list.findIndex((r) => r.emoji === emoji);
  const r = i >= 0 ? list[i]! : { emoji, count: 0, userIds: [] };
  const has = r.userIds.includes(userId);
  if (added === has) return list;
  const userIds = added ? [...r.userIds, userId] : r.userIds.filter((u) => u !== userId);
  const next = { emoji, count: userIds.length, userIds };
  if (i < 0) list.push(next);
  else if (userIds.length === 0) list.splice(i, 1);
  else list[i] = next;
  return list;
}

export function applyReactionUpdated(e: ReactionEvent): void {
  useChat.setState((s) => patchMessage(s, e.conversationId, e.messageId, (m) => ({ ...m, reactions: withReaction(m.reactions, e.emoji, e.userId, e.added) })));
}

export function applyMessageUpdated(message: Message): void {
  useChat.setState((s) => {
    // Broadcasts carry no per-viewer thread summary: keep the one held.
    const patch = patchMessage(s, message.conversationId, message.id, (old) => ({ ...message, thread: message.thread ?? old.thread }));
    const c = s.conversations[message.conversationId];
    if (c?.lastMessage?.id === message.id) patch.conversations = { ...s.conversations, [c.id]: { ...c, lastMessage: message } };
    return patch;
  });
}

export async function toggleReaction(m: Message, emoji: string): Promise<void> {
  const me = useChat.getState().meId;
  const socket = currentSocket();
  if (!me || !socket) return;
  const adding = !m.reactions?.some((r) => r.emoji === emoji && r.userIds.includes(me));
  const apply = (added: boolean) => useChat.setState((s) => patchMessage(s, m.conversationId, m.id, (x) => ({ ...x, reactions: withReaction(x.reactions, emoji, me, added) })));
  apply(adding);
  try {
    await socket.request({ type: adding ? "reaction:add" : "reaction:remove", messageId: m.id, emoji });
  } catch (err) {
    apply(!adding);
    useUi.getState().toast((err as Error).message || "Could not react", "error");
  }
}

export async function editMessage(m: Message, content: string): Promise<void> {
  const socket = currentSocket();
  if (!socket) throw new Error("Not connected");
  const { message } = await socket.request<{ message: Message }>({ type: "message:edit", messageId: m.id, content });
  applyMessageUpdated(message);
}
