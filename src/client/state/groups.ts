/**
 * Group conversations over REST: create, rename, add friends, leave. Each action also puts its
 * response into the model, so the UI is right before (or without) the matching socket event.
 */
import type { Conversation } from "../../shared/protocol";
import { api } from "../api";
import { useChat, withoutConversation } from "./chat";
import { navigate, useRouter } from "./router";

function put(conversation: Conversation): Conversation {
  useChat.setState((s) => ({ conversations: { ...s.conversations, [conversation.id]: conversation } }));
  return conversation;
}

const path = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

export async function createGroup(memberIds: string[], name?: string): Promise<Conversation> {
  const { conversation } = await api.post<{ conversation: Conversation }>("/api/conversations", name ? { memberIds, name } : { memberIds });
  return put(conversation);
}

/** `null` clears the name, so the group is called after its members again. */
export async function renameGroup(id: string, name: string | null): Promise<Conversation> {
  const { conversation } = await api.patch<{ conversation: Conversation }>(path(id), { name });
  return put(conversation);
}

export async function addGroupMembers(id: string, userIds: string[]): Promise<Conversation> {
  const { conversation } = await api.post<{ conversation: Conversation }>(`${path(id)}/members`, { userIds });
  return put(conversation);
}

/** Off the conversation's page first, so it does not flash "not found" once it is gone. */
export async function leaveGroup(id: string): Promise<void> {
  await api.del(`${path(id)}/members/me`);
  if (useRouter.getState().path === `/c/${id}`) navigate("/messages", { replace: true });
  useChat.setState((s) => withoutConversation(s, id));
}
