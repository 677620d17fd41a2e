/**
 * Friends, requests and blocks over REST. Each action also updates the model from its own
 * response, so the UI is right even before (or without) the matching socket event.
 */
import type { Conversation, Friend, FriendRequest, PublicUser } from "../../shared/protocol";
import { api } from "../api";
import { useChat } from "./chat";

export async function loadBlocked(): Promise<void> {
  const { users } = await api.get<{ users: PublicUser[] }>("/api/blocks");
  useChat.setState({ blocked: users });
}

function addFriend(friend: Friend): void {
  useChat.setState((s) => ({
    friends: [...s.friends.filter((f) => f.user.id !== friend.user.id), friend],
    incoming: s.incoming.filter((r) => r.user.id !== friend.user.id),
    outgoing: s.outgoing.filter((r) => r.user.id !== friend.user.id),
  }));
}

function dropRequest(id: string): void {
  useChat.setState((s) => ({ incoming: s.incoming.filter((r) => r.id !== id), outgoing: s.outgoing.filter((r) => r.id !== id) }));
}

export type RequestOutcome = { kind: "sent"; request: FriendRequest } | { kind: "friends"; friend: Friend };

/** Send a friend request; when they had already asked us, this makes us friends at once. */
export async function sendFriendRequest(target: { username: string } | { userId: string }): Promise<RequestOutcome> {
  const r = await api.post<{ request?: FriendRequest; friend?: Friend }>("/api/friends/requests", target);
  if (r.friend) {
    addFriend(r.friend);
    return { kind: "friends", friend: r.friend };
  }
  const request = r.request!;
  useChat.setState((s) => ({ outgoing: [...s.outgoing.filter((x) => x.id !== request.id), request] }));
  return { kind: "sent", request };
}

export async function acceptRequest(id: string): Promise<Friend> {
  const { friend } = await api.post<{ friend: Friend; conversationId: string }>(`/api/friends/requests/${encodeURIComponent(id)}/accept`);
  addFriend(friend);
  return friend;
}

export async function declineRequest(id: string): Promise<void> {
  await api.post(`/api/friends/requests/${encodeURIComponent(id)}/reject`);
  dropRequest(id);
}

export async function cancelRequest(id: string): Promise<void> {
  await api.del(`/api/friends/requests/${encodeURIComponent(id)}`);
  dropRequest(id);
}

export async function removeFriend(userId: string): Promise<void> {
  await api.del(`/api/friends/${encodeURIComponent(userId)}`);
  useChat.setState((s) => ({ friends: s.friends.filter((f) => f.user.id !== userId) }));
}

export async function blockUser(user: PublicUser): Promise<void> {
  await api.post("/api/blocks", { userId: user.id });
  useChat.setState((s) => ({
    friends: s.friends.filter((f) => f.user.id !== user.id),
    incoming: s.incoming.filter((r) => r.user.id !== user.id),
    outgoing: s.outgoing.filter((r) => r.user.id !== user.id),
    blocked: s.blocked ? [...s.blocked.filter((u) => u.id !== user.id), user] : s.blocked,
  }));
}

export async function unblockUser(userId: string): Promise<void> {
  await api.del(`/api/blocks/${encodeURIComponent(userId)}`);
  useChat.setState((s) => ({ blocked: s.blocked?.filter((u) => u.id !== userId) ?? null }));
}

export async function searchUsers(q: string, signal?: AbortSignal): Promise<PublicUser[]> {
  const { users } = await api.get<{ users: PublicUser[] }>(`/api/users?q=${encodeURIComponent(q)}`, { signal });
  return users;
}

/** A conversation not in the model yet (a deep link, or its event still on the way). */
export async function fetchConversation(id: string): Promise<Conversation> {
  const { conversation } = await api.get<{ conversation: Conversation }>(`/api/conversations/${encodeURIComponent(id)}`);
  useChat.setState((s) => ({ conversations: { ...s.conversations, [id]: s.conversations[id] ?? conversation } }));
  return conversation;
}
