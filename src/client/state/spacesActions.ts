/**
 * What the user does with spaces over REST: create, rename, icon, delete, leave; channels;
 * members, roles and moderation; reading channels. Each action also updates the model from its
 * own response, so the UI is right before (or without) the matching socket event.
 */
import type { Channel, PublicUser, Space, SpaceMember } from "../../shared/protocol";
import { api, request } from "../api";
import { useChat, withoutConversation } from "./chat";
import { currentSocket } from "./chatSocket";
import { forgetMention } from "./spacesMentions";
import { findChannel, patchChannel, spaceById, upsertChannel, upsertSpace, useSpaces, withoutChannel, withoutSpace } from "./spaces";

const enc = encodeURIComponent;

export async function loadSpaces(): Promise<void> {
  const { spaces } = await api.get<{ spaces: Space[] }>("/api/spaces");
  useSpaces.setState((s) => {
    let next = { ...s, loaded: true, spaces: s.spaces.filter((x) => spaces.some((y) => y.id === x.id)) };
    for (const space of spaces) next = { ...next, ...upsertSpace(next, space) };
    return next;
  });
}

export async function createSpace(name: string): Promise<Space> {
  const { space } = await api.post<{ space: Space }>("/api/spaces", { name });
  useSpaces.setState((s) => upsertSpace(s, space));
  return space;
}

export async function updateSpace(spaceId: string, patch: { name?: string; joinMessages?: boolean }): Promise<Space> {
  const { space } = await api.patch<{ space: Space }>(`/api/spaces/${enc(spaceId)}`, patch);
  useSpaces.setState((s) => upsertSpace(s, space));
  return space;
}

/** The image itself is the body; the server checks its type by content (415) and size (413). */
export async function setSpaceIcon(spaceId: string, file: Blob | null): Promise<Space> {
  const path = `/api/spaces/${enc(spaceId)}/icon`;
  const { space } = file ? await api.put<{ space: Space }>(path, file) : await api.del<{ space: Space }>(path);
  useSpaces.setState((s) => upsertSpace(s, space));
  return space;
}

function forget(spaceId: string): void {
  const space = spaceById(useSpaces.getState(), spaceId);
  useSpaces.setState((s) => withoutSpace(s, spaceId));
  if (space) useChat.setState((s) => space.channels.reduce((acc, c) => ({ ...acc, ...withoutConversation(acc, c.id) }), s));
}

export async function deleteSpace(spaceId: string, confirm: string): Promise<void> {
  await request(`/api/spaces/${enc(spaceId)}`, { method: "DELETE", body: { confirm } });
  forget(spaceId);
}

export async function leaveSpace(spaceId: string): Promise<void> {
  await api.post(`/api/spaces/${enc(spaceId)}/leave`);
  forget(spaceId);
}

export async function createChannel(spaceId: string, name: string, kind: Channel["kind"]): Promise<Channel> {
  const { channel } = await api.post<{ channel: Channel }>(`/api/spaces/${enc(spaceId)}/channels`, { name, kind });
  useSpaces.setState((s) => upsertChannel(s, channel));
  return channel;
}

export async function renameChannel(channelId: string, name: string): Promise<Channel> {
  const { channel } = await api.patch<{ channel: Channel }>(`/api/channels/${enc(channelId)}`, { name });
  useSpaces.setState((s) => upsertChannel(s, channel));
  return channel;
}

export async function deleteChannel(spaceId: string, channelId: string): Promise<void> {
  await api.del(`/api/channels/${enc(channelId)}`);
  useSpaces.setState((s) => withoutChannel(s, spaceId, channelId));
  useChat.setState((s) => withoutConversation(s, channelId));
}

// ---------------------------------------------------------------------------
// Members and moderation
// ---------------------------------------------------------------------------

const loadingMembers = new Map<string, Promise<void>>();

/** The member list of a space (once per hello; events keep it current). */
export function loadMembers(spaceId: string, force = false): Promise<void> {
  if (!force && useSpaces.getState().members[spaceId]) return Promise.resolve();
  const running = loadingMembers.get(spaceId);
  if (running) return running;
  const p = api
    .get<{ members: SpaceMember[] }>(`/api/spaces/${enc(spaceId)}/members`)
    .then(({ members }) => useSpaces.setState((s) => ({ members: { ...s.members, [spaceId]: members } })))
    .finally(() => loadingMembers.delete(spaceId));
  loadingMembers.set(spaceId, p);
  return p;
}

function patchMember(spaceId: string, userId: string, patch: Partial<SpaceMember>): void {
  useSpaces.setState((s) => {
    const list = s.members[spaceId];
    return list ? { members: { ...s.members, [spaceId]: list.map((m) => (m.user.id === userId ? { ...m, ...patch } : m)) } } : {};
  });
}

function dropMember(spaceId: string, userId: string): void {
  useSpaces.setState((s) => {
    const list = s.members[spaceId];
    return list ? { members: { ...s.members, [spaceId]: list.filter((m) => m.user.id !== userId) } } : {};
  });
}

export async function setMemberRole(spaceId: string, userId: string, role: "admin" | "member"): Promise<void> {
  await api.patch(`/api/spaces/${enc(spaceId)}/members/${enc(userId)}`, { role });
  patchMember(spaceId, userId, { role });
}

export async function transferOwnership(spaceId: string, userId: string): Promise<void> {
  await api.post(`/api/spaces/${enc(spaceId)}/transfer`, { userId });
  const meId = useChat.getState().meId;
  patchMember(spaceId, userId, { role: "owner" });
  if (meId) patchMember(spaceId, meId, { role: "admin" });
  useSpaces.setState((s) => ({ spaces: s.spaces.map((x) => (x.id === spaceId ? { ...x, ownerId: userId, role: "admin" } : x)) }));
}

export async function kickMember(spaceId: string, userId: string): Promise<void> {
  await api.del(`/api/spaces/${enc(spaceId)}/members/${enc(userId)}`);
  dropMember(spaceId, userId);
}

export interface Ban {
  user: PublicUser;
  bannedAt: string;
}

export async function banMember(spaceId: string, userId: string): Promise<void> {
  await api.post(`/api/spaces/${enc(spaceId)}/bans`, { userId });
  dropMember(spaceId, userId);
}

export async function listBans(spaceId: string): Promise<Ban[]> {
  return (await api.get<{ bans: Ban[] }>(`/api/spaces/${enc(spaceId)}/bans`)).bans;
}

export async function unban(spaceId: string, userId: string): Promise<void> {
  await api.del(`/api/spaces/${enc(spaceId)}/bans/${enc(userId)}`);
}

// ---------------------------------------------------------------------------
// Reading channels
// ---------------------------------------------------------------------------

export function rememberChannel(spaceId: string, channelId: string): void {
  if (useSpaces.getState().lastChannel[spaceId] !== channelId) {
    useSpaces.setState((s) => ({ lastChannel: { ...s.lastChannel, [spaceId]: channelId } }));
  }
}

/** Mark the newest message held in an open channel read, when something is unread or newer than our mark. */
export function markChannelRead(channelId: string): void {
  const s = useSpaces.getState();
  const found = findChannel(s, channelId);
  const { messages, meId } = useChat.getState();
  const newest = messages[channelId]?.at(-1);
  if (!found || !newest || !meId) return;
  const mark = s.readMarks[channelId];
  const unread = found.channel.unreadCount ?? 0;
  if (unread === 0 && (newest.authorId === meId || (mark && mark >= newest.id))) return;
  const socket = currentSocket();
  if (!socket) return;
  useSpaces.setState((st) => ({ readMarks: { ...st.readMarks, [channelId]: newest.id }, ...patchChannel(st, channelId, (c) => ({ ...c, unreadCount: 0 })) }));
  forgetMention(channelId);
  socket.request({ type: "read:mark", conversationId: channelId, messageId: newest.id }).catch(() => {});
}
