/** The client's spaces model: pure updates keep live unread counts, roles and presence right. */
import { describe, expect, test } from "bun:test";
import type { Channel, Space, SpaceMember } from "../src/shared/protocol";
import {
  firstTextChannel,
  mergeSpaceInfo,
  setPresence,
  spaceHasUnread,
  upsertChannel,
  upsertMember,
  upsertSpace,
  withoutChannel,
  withoutSpace,
  type SpacesState,
} from "../src/client/state/spaces";

const channel = (id: string, kind: Channel["kind"], position: number, unreadCount?: number): Channel => ({
  id,
  spaceId: "s1",
  name: id,
  kind,
  position,
  ...(unreadCount === undefined ? {} : { unreadCount }),
  lastMessageId: null,
  voiceMembers: [],
  voiceMuted: [],
  voiceSpeaking: [],
});
const space: Space = { id: "s1", name: "Guild", iconUrl: null, ownerId: "u1", role: "member", memberCount: 2, channels: [channel("b", "text", 1, 3), channel("a", "text", 0, 0), channel("v", "voice", 2, 0)], createdAt: "", joinMessages: true };
const member = (id: string, role: SpaceMember["role"]): SpaceMember => ({ user: { id, username: id, displayName: id, avatarUrl: null }, role, presence: "offline", joinedAt: "" });
const base = (): SpacesState => ({ loaded: true, spaces: [space], members: { s1: [member("u1", "owner"), member("me", "member")] }, readMarks: {}, lastChannel: {} });
const apply = (s: SpacesState, patch: Partial<SpacesState>): SpacesState => ({ ...s, ...patch });

describe("spaces model", () => {
  test("channels sort by position; unread is per text channel", () => {
    expect(firstTextChannel(space)?.id).toBe("a");
    expect(spaceHasUnread(space)).toBe(true);
  });

  test("a broadcast channel update (no unread count) keeps ours; a new channel starts read", () => {
    let s = apply(base(), upsertChannel(base(), { ...channel("b", "text", 5), name: "renamed" }));
    const b = s.spaces[0]!.channels.find((c) => c.id === "b")!;
    expect([b.name, b.unreadCount, b.position]).toEqual(["renamed", 3, 5]);
    s = apply(s, upsertChannel(s, channel("c", "text", 6)));
    expect(s.spaces[0]!.channels.find((c) => c.id === "c")!.unreadCount).toBe(0);
    s = apply(s, withoutChannel(s, "s1", "b"));
    expect(spaceHasUnread(s.spaces[0]!)).toBe(false);
  });

  test("space:updated keeps the viewer's role and channels; a re-fetched space keeps live counts", () => {
    let s = apply(base(), mergeSpaceInfo(base(), { id: "s1", name: "Guild 2", iconUrl: "/i.png", ownerId: "u1", memberCount: 3, createdAt: "", joinMessages: true }));
    expect([s.spaces[0]!.name, s.spaces[0]!.role, s.spaces[0]!.channels.length]).toEqual(["Guild 2", "member", 3]);
    s = apply(s, upsertSpace(s, { ...space, channels: space.channels.map(({ unreadCount: _u, ...c }) => c) }));
    expect(s.spaces[0]!.channels.find((c) => c.id === "b")!.unreadCount).toBe(3);
  });

  test("our own member update changes our role in the space", () => {
    const s = apply(base(), upsertMember(base(), "s1", member("me", "admin"), "me"));
    expect(s.spaces[0]!.role).toBe("admin");
    expect(s.members.s1!.find((m) => m.user.id === "me")!.role).toBe("admin");
  });

  test("presence updates reach every member list; leaving drops the space", () => {
    let s = apply(base(), setPresence(base(), "u1", "dnd"));
    expect(s.members.s1!.find((m) => m.user.id === "u1")!.presence).toBe("dnd");
    expect(setPresence(s, "u1", "dnd")).toEqual({});
    s = apply(s, withoutSpace(s, "s1"));
    expect([s.spaces, s.members]).toEqual([[], {}]);
  });
});
