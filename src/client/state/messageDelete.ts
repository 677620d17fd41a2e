/**
 * Deleting messages (DELETE /api/messages/:id): authors delete their own; in space channels,
 * roles with deleteMessages delete those of lower ranks. A deleted message keeps its id and place with
 * empty content, so the list shows "Message deleted" where it was.
 */
import type { Message, ServerEvent } from "../../shared/protocol";
import { api } from "../api";
import { useChat } from "./chat";
import { patchMessage } from "./messageExtras";
import { withoutReply } from "./threadModel";

type ThreadChange = Extract<ServerEvent, { type: "message:deleted" }>["thread"];

/** A text message whose content the server erased. */
export function isDeleted(m: Pick<Message, "kind" | "content" | "attachments">): boolean {
  // A message of files alone has no text either; a deleted one has lost its files too.
  return m.kind === "text" && m.content === "" && !m.attachments?.length;
}

export function applyMessageDeleted(conversationId: string, messageId: string, thread?: ThreadChange): void {
  useChat.setState((s) => {
    const c = s.conversations[conversationId];
    const erase = (m: Message) => (m.id === messageId ? { ...m, content: "", attachments: undefined } : m);
    const patch = patchMessage(s, conversationId, messageId, erase);
    if (thread) {
      // The root's summary, wherever the root is held (timeline, thread panel), takes the server's totals.
      const recount = (m: Message) => withoutReply(m, { id: messageId, authorId: thread.authorId }, thread.totals, s.meId);
      Object.assign(patch, patchMessage({ ...s, ...patch }, conversationId, thread.rootId, recount));
    }
    // Replies quoting it, in the timeline and in threads, show "Original message was deleted".
    const quoting = (m: Message) => (m.replyTo?.id === messageId ? { ...m, replyTo: { ...m.replyTo, content: "", deleted: true } } : m);
    const list = patch.messages?.[conversationId] ?? s.messages[conversationId];
    if (list?.some((m) => m.replyTo?.id === messageId)) patch.messages = { ...s.messages, [conversationId]: list.map(quoting) };
    const threads = patch.threads ?? s.threads;
    if (Object.values(threads).some((t) => t.replies.some((m) => m.replyTo?.id === messageId))) {
      patch.threads = Object.fromEntries(Object.entries(threads).map(([id, t]) => [id, { ...t, replies: t.replies.map(quoting) }]));
    }
    if (c?.lastMessage?.id === messageId) {
      patch.conversations = { ...s.conversations, [conversationId]: { ...c, lastMessage: { ...c.lastMessage, content: "" } } };
    }
    return patch;
  });
}

export async function deleteMessage(m: Message): Promise<void> {
  await api.del(`/api/messages/${encodeURIComponent(m.id)}`);
  applyMessageDeleted(m.conversationId, m.id);
}
