/**
 * What notifies the user of a DM, group or channel — every message, mentions only, or nothing —
 * chosen per conversation, on every device (conversation:notify-level). Unread and mention
 * badges count whatever the level (at "nothing" an @everyone or @here is no mention); a level
 * quieter than the kind's default greys them and keeps them out of the tab title and the
 * space's unread dot.
 */
import { defaultNotifyLevel, mentionedUsernames, mentionsUser, type Conversation, type Message, type NotifyLevel } from "../../shared/protocol";
import { api } from "../api";
import { useChat } from "./chat";
import { useSession } from "./session";
import { findChannel, patchChannel, useSpaces } from "./spaces";

const LOUDNESS: Record<NotifyLevel, number> = { nothing: 0, mentions: 1, all: 2 };

export function isQuiet(kind: Conversation["kind"], level: NotifyLevel): boolean {
  return LOUDNESS[level] < LOUDNESS[defaultNotifyLevel(kind)];
}

/** The level of a DM or group the user is in, or of a channel of one of their spaces. */
export function notifyLevelOf(conversationId: string): NotifyLevel {
  const c = useChat.getState().conversations[conversationId];
  if (c) return c.notifyLevel;
  const found = findChannel(useSpaces.getState(), conversationId);
  return found?.channel.notifyLevel ?? defaultNotifyLevel(found ? "channel" : "dm");
}

/**
 * By @username, or an @everyone its author was allowed to send — unless the reader chose
 * "nothing" here: then only their name counts (Discord's Nothing level), as the server counts.
 */
export function mentionsMe(m: Message): boolean {
  const me = useSession.getState().user;
  if (!me) return false;
  return notifyLevelOf(m.conversationId) === "nothing" ? mentionedUsernames(m.content).has(me.username) : mentionsUser(m, me.username);
}

/** For a message arriving live (message:new): receiving it means we are online, so an allowed @here is for us too (not at "nothing"). */
export function mentionsMeLive(m: Message): boolean {
  return (m.mentionsHere && notifyLevelOf(m.conversationId) !== "nothing") || mentionsMe(m);
}

export function applyNotifyLevel(conversationId: string, level: NotifyLevel): void {
  useChat.setState((s) => {
    const c = s.conversations[conversationId];
    return c && c.notifyLevel !== level ? { conversations: { ...s.conversations, [conversationId]: { ...c, notifyLevel: level } } } : {};
  });
  useSpaces.setState((s) => patchChannel(s, conversationId, (c) => ({ ...c, notifyLevel: level })));
}

/** Optimistic: shown at once, put back if the server refuses. */
export async function setNotifyLevel(conversationId: string, level: NotifyLevel): Promise<void> {
  const before = notifyLevelOf(conversationId);
  applyNotifyLevel(conversationId, level);
  try {
    await api.put(`/api/conversations/${encodeURIComponent(conversationId)}/notify-level`, { level });
  } catch (err) {
    applyNotifyLevel(conversationId, before);
    throw err;
  }
}
