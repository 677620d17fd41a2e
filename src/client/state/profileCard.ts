/**
 * The profile card: whose card is open, where it was opened from, and what we know of that
 * person. Everything the card shows is already held by the client — the profile from wherever
 * the name was drawn (or the user cache), presence from friends and space member lists (which
 * the server filters by presenceVisibility), the relationship from friends and requests — so
 * opening one asks the server nothing, except one `GET /api/users/:id` for someone we have
 * never seen (a call participant we share nothing else with).
 */
import { create } from "zustand";
import type { Conversation, PresenceStatus, PublicUser } from "../../shared/protocol";
import { useChat, type ChatState } from "./chat";
import { useSpaces, type SpacesState } from "./spaces";
import { ensureUsers, useUserCache } from "./userCache";

interface ProfileCardState {
  userId: string | null;
  /** The profile as the opener drew it; the live one from the stores wins once known. */
  user: PublicUser | null;
  /** The name or avatar that opened the card: the popover sits beside it and focus returns to it. */
  anchor: HTMLElement | null;
}

export const useProfileCard = create<ProfileCardState>()(() => ({ userId: null, user: null, anchor: null }));

export function openProfileCard(user: PublicUser | string, anchor: HTMLElement | null): void {
  const userId = typeof user === "string" ? user : user.id;
  if (typeof user === "string" && !knownUser(userId)) ensureUsers([userId]);
  useProfileCard.setState({ userId, user: typeof user === "string" ? null : user, anchor });
}

export function closeProfileCard(): void {
  useProfileCard.setState({ userId: null, user: null, anchor: null });
}

/** The freshest profile we hold: friends and requests, conversations, space members, then the cache. */
export function knownUser(
  id: string,
  chat: Pick<ChatState, "friends" | "incoming" | "outgoing" | "conversations"> = useChat.getState(),
  spaces: Pick<SpacesState, "members"> = useSpaces.getState(),
  cache: Record<string, PublicUser> = useUserCache.getState().users,
): PublicUser | undefined {
  const friend = chat.friends.find((f) => f.user.id === id)?.user;
  if (friend) return friend;
  const asking = [...chat.incoming, ...chat.outgoing].find((r) => r.user.id === id)?.user;
  if (asking) return asking;
  for (const c of Object.values(chat.conversations)) {
    const m = c.members.find((u) => u.id === id);
    if (m) return m;
  }
  for (const list of Object.values(spaces.members)) {
    const m = list.find((x) => x.user.id === id);
    if (m) return m.user;
  }
  return cache[id];
}

/**
 * Presence as far as it is shared with us: a friend's, else what a space member list says (the
 * server sends a real status there only to those the person lets see it). Undefined: we share
 * nothing that would tell, so the card says nothing rather than "Offline".
 */
export function knownPresence(
  id: string,
  chat: Pick<ChatState, "friends" | "meId" | "myStatus">,
  spaces: Pick<SpacesState, "members">,
): PresenceStatus | undefined {
  if (id === chat.meId) return chat.myStatus;
  const friend = chat.friends.find((f) => f.user.id === id);
  if (friend) return friend.presence;
  let seen: PresenceStatus | undefined;
  for (const list of Object.values(spaces.members)) {
    const m = list.find((x) => x.user.id === id);
    if (m && m.presence !== "offline") return m.presence;
    if (m) seen = m.presence;
  }
  return seen;
}

export type Relationship =
  | { kind: "self" }
  | { kind: "friend"; conversationId: string }
  | { kind: "incoming"; requestId: string }
  | { kind: "outgoing"; requestId: string }
  | { kind: "blocked" }
  | { kind: "none"; dm?: Conversation };

export function relationshipWith(id: string, chat: Pick<ChatState, "meId" | "friends" | "incoming" | "outgoing" | "blocked" | "conversations">): Relationship {
  if (id === chat.meId) return { kind: "self" };
  const friend = chat.friends.find((f) => f.user.id === id);
  if (friend) return { kind: "friend", conversationId: friend.conversationId };
  const incoming = chat.incoming.find((r) => r.user.id === id);
  if (incoming) return { kind: "incoming", requestId: incoming.id };
  const outgoing = chat.outgoing.find((r) => r.user.id === id);
  if (outgoing) return { kind: "outgoing", requestId: outgoing.id };
  if (chat.blocked?.some((u) => u.id === id)) return { kind: "blocked" };
  // A former friend's DM stays readable (read-only): the card still leads to it.
  const dm = Object.values(chat.conversations).find((c) => c.kind === "dm" && c.members.some((m) => m.id === id));
  return { kind: "none", dm };
}
