/** Derived views of the chat model: names, ordering, unread totals, presence. */
import type { Conversation, PresenceStatus, PublicUser } from "../../shared/protocol";
import type { ChatState } from "./chat";
import { isQuiet } from "./notifyLevel";
import { memberName, useSpaces } from "./spaces";

/** The other person in a DM (or the first other member of a group). */
export function otherMember(c: Conversation, meId: string | null): PublicUser | undefined {
  return c.members.find((m) => m.id !== meId) ?? c.members[0];
}

export function conversationTitle(c: Conversation, meId: string | null): string {
  if (c.kind === "dm") return otherMember(c, meId)?.displayName ?? "Direct message";
  if (c.name) return c.name;
  const others = c.members.filter((m) => m.id !== meId).map((m) => m.displayName);
  return others.length ? others.join(", ") : "Empty group";
}

function activityAt(c: Conversation): number {
  return Date.parse(c.lastMessage?.createdAt ?? c.createdAt) || 0;
}

/** Newest activity first; DMs with no messages yet still appear (after the active ones). */
export function sortConversations(conversations: Record<string, Conversation>): Conversation[] {
  return Object.values(conversations).sort((a, b) => activityAt(b) - activityAt(a) || (a.id < b.id ? 1 : -1));
}

/** Quiet conversations (below "all") keep their own badge but stay out of the tab title. */
export function totalUnread(s: Pick<ChatState, "conversations">): number {
  let n = 0;
  for (const c of Object.values(s.conversations)) if (!isQuiet(c.kind, c.notifyLevel)) n += c.unreadCount;
  return n;
}

/** What we know of someone's presence: only friends' is shared with us. */
export function presenceOf(s: Pick<ChatState, "friends">, userId: string | undefined): PresenceStatus {
  if (!userId) return "offline";
  return s.friends.find((f) => f.user.id === userId)?.presence ?? "offline";
}

/** A member's name as held by a DM or group, or a space whose members are loaded. */
export function knownUserName(s: Pick<ChatState, "conversations">, conversationId: string, userId: string): string | undefined {
  return s.conversations[conversationId]?.members.find((m) => m.id === userId)?.displayName ?? memberName(useSpaces.getState(), userId);
}

export function userName(s: Pick<ChatState, "conversations">, conversationId: string, userId: string | null): string {
  if (!userId) return "Parley";
  return knownUserName(s, conversationId, userId) ?? "Someone";
}

export const PRESENCE_LABEL: Record<PresenceStatus, string> = {
  online: "Online",
  idle: "Idle",
  dnd: "Do not disturb",
  invisible: "Invisible",
  offline: "Offline",
};
