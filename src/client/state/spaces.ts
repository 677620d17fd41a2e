/**
 * The spaces model: the spaces the user belongs to (with their channels, per-channel unread
 * counts and who is in each voice channel), members per space (loaded when a space opens, then
 * kept live), and our read marks. Data and pure update helpers only: events are applied in
 * spacesEvents.ts, user actions are in spacesActions.ts and spacesInvites.ts.
 */
import { create } from "zustand";
import type { SpaceRole } from "../../shared/permissions";
import type { Channel, PresenceStatus, PublicUser, Space, SpaceMember } from "../../shared/protocol";

export interface SpacesState {
  /** The first hello carrying spaces has arrived. */
  loaded: boolean;
  /** In the order the server lists them; spaces joined later go at the end. */
  spaces: Space[];
  /** spaceId → members, once loaded (refreshed on each hello: events may have been missed). */
  members: Record<string, SpaceMember[]>;
  /** channelId → the newest message id we marked read. */
  readMarks: Record<string, string>;
  /** spaceId → the channel opened last, to return to it. */
  lastChannel: Record<string, string>;
}

const EMPTY: SpacesState = { loaded: false, spaces: [], members: {}, readMarks: {}, lastChannel: {} };

export const useSpaces = create<SpacesState>()(() => ({ ...EMPTY }));

export function resetSpaces(): void {
  useSpaces.setState({ ...EMPTY }, true);
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

export function spaceById(s: Pick<SpacesState, "spaces">, id: string | null | undefined): Space | undefined {
  return id ? s.spaces.find((x) => x.id === id) : undefined;
}

export function findChannel(s: Pick<SpacesState, "spaces">, channelId: string): { space: Space; channel: Channel } | undefined {
  for (const space of s.spaces) {
    const channel = space.channels.find((c) => c.id === channelId);
    if (channel) return { space, channel };
  }
  return undefined;
}

/** Whether an id is one of our space channels (rather than a DM or group). */
export function isChannelId(id: string): boolean {
  return findChannel(useSpaces.getState(), id) !== undefined;
}

export function sortedChannels(space: Space, kind: Channel["kind"]): Channel[] {
  return space.channels.filter((c) => c.kind === kind).sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

export function firstTextChannel(space: Space): Channel | undefined {
  return sortedChannels(space, "text")[0];
}

export function channelUnread(c: Channel): number {
  return c.kind === "text" ? (c.unreadCount ?? 0) : 0;
}

/** Channels set to notify of nothing do not light up their space (a mention in one still does, as a mention). */
export function spaceHasUnread(space: Space): boolean {
  return space.channels.some((c) => c.notifyLevel !== "nothing" && channelUnread(c) > 0);
}

export function roleOf(s: Pick<SpacesState, "spaces">, spaceId: string | null | undefined): SpaceRole | undefined {
  return spaceById(s, spaceId)?.role;
}

/** A member's display name, from any space whose members are loaded. */
export function memberName(s: Pick<SpacesState, "members">, userId: string): string | undefined {
  for (const list of Object.values(s.members)) {
    const m = list.find((x) => x.user.id === userId);
    if (m) return m.user.displayName;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Pure updates
// ---------------------------------------------------------------------------

function mapSpace(s: SpacesState, spaceId: string, fn: (space: Space) => Space): Partial<SpacesState> {
  if (!s.spaces.some((x) => x.id === spaceId)) return {};
  return { spaces: s.spaces.map((x) => (x.id === spaceId ? fn(x) : x)) };
}

export function upsertSpace(s: SpacesState, space: Space): Partial<SpacesState> {
  const i = s.spaces.findIndex((x) => x.id === space.id);
  if (i < 0) return { spaces: [...s.spaces, space] };
  const prev = s.spaces[i]!;
  // Keep live unread counts and notification levels where the new copy has none.
  const channels = space.channels.map((c) => {
    const old = prev.channels.find((o) => o.id === c.id);
    return { ...c, unreadCount: c.unreadCount ?? old?.unreadCount ?? 0, notifyLevel: c.notifyLevel ?? old?.notifyLevel };
  });
  const spaces = [...s.spaces];
  spaces[i] = { ...space, channels };
  return { spaces };
}

/** space:updated carries neither the viewer's role nor channels. */
export function mergeSpaceInfo(s: SpacesState, info: Omit<Space, "role" | "channels">): Partial<SpacesState> {
  return mapSpace(s, info.id, (x) => ({ ...x, ...info }));
}

export function withoutSpace(s: SpacesState, spaceId: string): Partial<SpacesState> {
  const { [spaceId]: _m, ...members } = s.members;
  const { [spaceId]: _l, ...lastChannel } = s.lastChannel;
  return { spaces: s.spaces.filter((x) => x.id !== spaceId), members, lastChannel };
}

/** channel:created / channel:updated (broadcasts carry no unread count or notification level: keep ours). */
export function upsertChannel(s: SpacesState, channel: Channel): Partial<SpacesState> {
  return mapSpace(s, channel.spaceId, (space) => {
    const old = space.channels.find((c) => c.id === channel.id);
    const next: Channel = { ...channel, unreadCount: channel.unreadCount ?? old?.unreadCount ?? 0, notifyLevel: channel.notifyLevel ?? old?.notifyLevel, voiceMembers: channel.voiceMembers ?? old?.voiceMembers ?? [], voiceMuted: channel.voiceMuted ?? old?.voiceMuted ?? [], voiceSpeaking: channel.voiceSpeaking ?? old?.voiceSpeaking ?? [] };
    return { ...space, channels: old ? space.channels.map((c) => (c.id === channel.id ? next : c)) : [...space.channels, next] };
  });
}

export function withoutChannel(s: SpacesState, spaceId: string, channelId: string): Partial<SpacesState> {
  return mapSpace(s, spaceId, (space) => ({ ...space, channels: space.channels.filter((c) => c.id !== channelId) }));
}

/** Sets the given channels' positions (a reorder, applied or rolled back). */
export function withPositions(s: SpacesState, spaceId: string, positions: Record<string, number>): Partial<SpacesState> {
  return mapSpace(s, spaceId, (space) => ({ ...space, channels: space.channels.map((c) => (c.id in positions ? { ...c, position: positions[c.id]! } : c)) }));
}

export function patchChannel(s: SpacesState, channelId: string, fn: (c: Channel) => Channel): Partial<SpacesState> {
  const found = findChannel(s, channelId);
  if (!found) return {};
  return mapSpace(s, found.space.id, (space) => ({ ...space, channels: space.channels.map((c) => (c.id === channelId ? fn(c) : c)) }));
}

export function upsertMember(s: SpacesState, spaceId: string, member: SpaceMember, meId: string | null): Partial<SpacesState> {
  const patch: Partial<SpacesState> = {};
  const list = s.members[spaceId];
  if (list) patch.members = { ...s.members, [spaceId]: [...list.filter((m) => m.user.id !== member.user.id), member] };
  // Our own role changed (promoted, demoted, or handed the space).
  if (member.user.id === meId) Object.assign(patch, mapSpace(s, spaceId, (x) => ({ ...x, role: member.role })));
  return patch;
}

export function withoutMember(s: SpacesState, spaceId: string, userId: string): Partial<SpacesState> {
  const list = s.members[spaceId];
  if (!list) return {};
  return { members: { ...s.members, [spaceId]: list.filter((m) => m.user.id !== userId) } };
}

/** A member's new profile (name, avatar) in every member list held. */
export function setMemberUser(s: SpacesState, user: PublicUser): Partial<SpacesState> {
  const members: Record<string, SpaceMember[]> = {};
  for (const [id, list] of Object.entries(s.members)) members[id] = list.map((m) => (m.user.id === user.id ? { ...m, user } : m));
  return { members };
}

export function setPresence(s: SpacesState, userId: string, presence: PresenceStatus): Partial<SpacesState> {
  let changed = false;
  const members: Record<string, SpaceMember[]> = {};
  for (const [id, list] of Object.entries(s.members)) {
    members[id] = list.map((m) => {
      if (m.user.id !== userId || m.presence === presence) return m;
      changed = true;
      return { ...m, presence };
    });
  }
  return changed ? { members } : {};
}
