/** Store rows → wire shapes. */
import type { Conversation, Message, ReadOnly } from "../../shared/protocol";
import type { ConversationSummary, MessageRow } from "../store/store";
import { toPublic } from "../social/users";

export function toMessage(m: MessageRow): Message {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    authorId: m.author_id,
    clientId: m.client_id,
    kind: m.kind,
    content: m.deleted_at ? "" : m.content,
    replyToId: m.reply_to_id,
    threadId: m.thread_id,
    createdAt: m.created_at,
    editedAt: m.edited_at,
    mentionsEveryone: !m.deleted_at && Number(m.mentions_everyone) === 1,
    mentionsHere: !m.deleted_at && Number(m.mentions_here) === 1,
    ...(m.guest_id ? { guest: { id: m.guest_id, name: m.guest_name ?? "Guest" } } : {}),
  };
}

export function toConversation(s: ConversationSummary, readOnly: ReadOnly): Conversation {
  const c = s.conversation;
  return {
    id: c.id,
    kind: c.kind,
    spaceId: c.space_id,
    name: c.name,
    ownerId: c.owner_id,
    members: s.members.map((m) => toPublic(m.user)),
    reads: Object.fromEntries(s.members.map((m) => [m.user.id, m.lastReadId])),
    lastMessage: s.lastMessage ? toMessage(s.lastMessage) : null,
    unreadCount: s.unreadCount,
    mentionCount: s.mentionCount,
    notifyLevel: s.notifyLevel,
    readOnly,
    createdAt: c.created_at,
  };
}
