/**
 * Muting a DM, group or channel: per user, on every device (conversation:muted). A muted one
 * keeps its unread marks but never chimes, notifies or counts in the tab title.
 */
import { api } from "../api";
import { useChat } from "./chat";
import { patchChannel, useSpaces } from "./spaces";

export function applyMuted(conversationId: string, muted: boolean): void {
  useChat.setState((s) => {
    const c = s.conversations[conversationId];
    return c && c.muted !== muted ? { conversations: { ...s.conversations, [conversationId]: { ...c, muted } } } : {};
  });
  useSpaces.setState((s) => patchChannel(s, conversationId, (c) => ({ ...c, muted })));
}

/** Optimistic: shown at once, put back if the server refuses. */
export async function setMuted(conversationId: string, muted: boolean): Promise<void> {
  applyMuted(conversationId, muted);
  try {
    await api.put(`/api/conversations/${encodeURIComponent(conversationId)}/mute`, { muted });
  } catch (err) {
    applyMuted(conversationId, !muted);
    throw err;
  }
}
