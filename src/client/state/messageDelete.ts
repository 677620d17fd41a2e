/**
 * Deleting messages (DELETE /api/messages/:id): authors delete their own; in space channels,
 * roles with deleteMessages delete those of lower ranks. A deleted message keeps its id and place with
 * empty content, so the list shows "Message deleted" where it was.
 */
import type { Message } from "../../shared/protocol";
import { api } from "../api";
import { useChat } from "./chat";

/** A text message whose content the server erased. */
export function isDeleted(m: Pick<Message, "kind" | "content" | "attachments">): boolean {
  // A message of files alone has no text either; a deleted one has lost its files too.
  return m.kind === "text" && m.content === "" && !m.attachments?.length;
}

export function applyMessageDeleted(conversationId: string, messageId: string): void {
  useChat.setState((s) => {
    const list = s.messages[conversationId];
    const c = s.conversations[conversationId];
    const patch: Partial<typeof s> = {};
    if (list?.some((m) => m.id === messageId || m.replyTo?.id === messageId)) {
      patch.messages = {
        ...s.messages,
        [conversationId]: list.map((m) =>
          m.id === messageId ? { ...m, content: "", attachments: undefined } : m.replyTo?.id === messageId ? { ...m, replyTo: { ...m.replyTo, content: "", deleted: true } } : m,
        ),
      };
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
