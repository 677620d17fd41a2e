/** The call model's pure transitions, without a node. */
import { describe, expect, test } from "bun:test";
import { AppError } from "../src/shared/errors";
import * as M from "../src/server/calls/model";

const T0 = 1_700_000_000_000;
const person = (id: string, role: M.Participant["role"] = "member"): M.NewParticipant => ({
  id,
  userId: role === "guest" ? null : id,
  name: id.toUpperCase(),
  avatarUrl: null,
  role,
  sessionId: `s-${id}`,
  connectionId: `c-${id}`,
});
const video = { audio: true, video: true };

function groupCall(): M.CallRecord {
  return M.start({ id: "call", conversationId: "conv", kind: "group", media: video, starter: person("ann", "host"), invite: ["bob", "cat", "dan"] }, T0);
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
  return undefined;
}

describe("call model", () => {
  test("a group DM call rings every invitee and stays ringing until someone answers", () => {
    const call = groupCall();
    expect(call.state).toBe("ringing");
    expect(M.members(call)).toEqual(["ann", "bob", "cat", "dan"]);
    const joined = M.join(call, person("bob"), video, T0 + 1000, 4);
    expect(joined.state).toBe("active");
    expect(joined.acceptedAt).toBe(T0 + 1000);
    expect(joined.invited.map((i) => i.userId)).toEqual(["cat", "dan"]);
    expect(joined.topology).toBe("p2p");
  });

  test("one decline leaves the others ringing; when every invitee declines the call ends as rejected", () => {
    let call = M.uninvite(groupCall(), "bob");
    expect(M.endReason(call, "declined")).toBeNull();
    call = M.uninvite(M.uninvite(call, "cat"), "dan");
    expect(M.endReason(call, "declined")).toBe("rejected");
    expect(M.endReason(M.uninvite(M.uninvite(M.uninvite(groupCall(), "bob"), "cat"), "dan"), "timeout")).toBe("timeout");
  });

  test("topology grows with the call (p2p, mesh up to meshMax, then sfu) and never steps back", () => {
    let call = groupCall();
    call = M.join(call, person("bob"), video, T0, 3);
    call = M.join(call, person("cat"), video, T0, 3);
    expect(call.topology).toBe("mesh");
    call = M.join(call, person("dan"), video, T0, 3);
    expect(call.topology).toBe("sfu");
    call = M.leave(M.leave(call, "dan"), "cat");
    expect(call.topology).toBe("sfu");
    expect(M.chooseTopology(2, "p2p", 4)).toBe("p2p");
    expect(M.chooseTopology(5, "mesh", 4)).toBe("sfu");
  });

  test("a group call ends only when its last participant leaves; a DM call when either side does", () => {
    let call = M.join(groupCall(), person("bob"), video, T0, 4);
    call = M.leave(call, "ann");
    expect(M.endReason(call, "left")).toBeNull();
    expect(M.endReason(M.leave(call, "bob"), "left")).toBe("empty");
    let dm = M.start({ id: "d", conversationId: "dm", kind: "dm", media: video, starter: person("ann"), invite: ["bob"] }, T0);
    dm = M.join(dm, person("bob"), video, T0, 4);
    expect(M.endReason(M.leave(dm, "bob"), "left")).toBe("hangup");
    expect(M.endReason(M.leave(dm, "bob"), "disconnected")).toBe("disconnected");
  });

  test("a DM call can be answered once; nobody uninvited walks into it", () => {
    const dm = M.start({ id: "d", conversationId: "dm", kind: "dm", media: video, starter: person("ann"), invite: ["bob"] }, T0);
    const answered = M.join(dm, person("bob"), video, T0, 4);
    expect(code(() => M.join(answered, person("bob"), video, T0, 4))).toBe("CONFLICT");
    expect(code(() => M.join(dm, person("eve"), video, T0, 4))).toBe("CONFLICT");
    expect(M.toInfo(answered)).toMatchObject({ callerId: "ann", calleeId: "bob", participants: ["ann", "bob"], state: "active" });
  });

  test("the starter leaving a ringing call cancels it for everyone still rung", () => {
    const call = M.leave(groupCall(), "ann");
    expect(call.invited).toEqual([]);
    expect(M.endReason(call, "left")).toBe("cancelled");
  });

  test("a dropped socket marks the participant away; only the same session takes the place back", () => {
    let call = M.join(groupCall(), person("bob"), video, T0, 4);
    expect(M.markAway(call, "bob", "other-socket", T0)).toBeUndefined();
    call = M.markAway(call, "bob", "c-bob", T0 + 5)!;
    expect(M.toState(call).participants.find((p) => p.id === "bob")?.away).toBe(true);
    expect(M.rebind(call, "bob", "another-device", "c2")).toBeUndefined();
    const back = M.rebind(call, "bob", "s-bob", "c2")!;
    expect(back.participants.find((p) => p.id === "bob")).toMatchObject({ connectionId: "c2", disconnectedAt: null });
  });

  test("flags change only the sender's own entry and only the given fields", () => {
    let call = M.join(groupCall(), person("bob"), { audio: false, video: false }, T0, 4);
    call = M.setFlags(call, "bob", { handRaised: true, muted: undefined });
    const bob = M.participantOf(call, "bob")!;
    expect(bob).toMatchObject({ handRaised: true, muted: true, video: false, speaking: false });
    expect(M.participantOf(call, "ann")).toMatchObject({ handRaised: false, muted: false, video: true });
    expect(code(() => M.setFlags(call, "eve", { muted: true }))).toBe("FORBIDDEN");
  });

  test("a removed participant cannot rejoin until admitted again", () => {
    let room = M.start({ id: "r", conversationId: "rc", kind: "room", roomId: "room", media: video, starter: person("ann", "host"), invite: [] }, T0);
    room = M.join(room, person("g-1", "guest"), video, T0, 4);
    room = M.remove(room, "g-1");
    expect(room.participants.map((p) => p.id)).toEqual(["ann"]);
    expect(code(() => M.join(room, person("g-1", "guest"), video, T0, 4))).toBe("FORBIDDEN");
    room = M.admit(room, "g-1");
    expect(M.join(room, person("g-1", "guest"), video, T0, 4).participants).toHaveLength(2);
  });

  test("a locked call keeps newcomers in the lobby until a host admits or denies them", () => {
    let room = M.start({ id: "r", conversationId: "rc", kind: "room", media: video, starter: person("ann", "host"), invite: [] }, T0);
    room = M.setLocked(room, true);
    expect(M.mayEnter(room, "ann", true)).toBe(true);
    expect(M.mayEnter(room, "bob", false)).toBe(false);
    room = M.knock(M.knock(room, { id: "bob", name: "Bob", since: T0, connectionId: "c1" }), { id: "bob", name: "Bob", since: T0 + 1, connectionId: "c2" });
    expect(M.toState(room).lobby).toEqual([{ id: "bob", name: "Bob", since: new Date(T0).toISOString() }]);
    expect(room.lobby[0]!.connectionId).toBe("c2");
    const admitted = M.admit(room, "bob");
    expect(admitted.lobby).toEqual([]);
    expect(M.mayEnter(admitted, "bob", false)).toBe(true);
    const denied = M.deny(room, "bob");
    expect(M.mayEnter(denied, "bob", false)).toBe(false);
    expect(code(() => M.deny(denied, "bob"))).toBe("NOT_FOUND");
    expect(code(() => M.admit(denied, "bob"))).toBe("NOT_FOUND");
  });

  test("a waiter cancels only from the socket that knocked; a removed participant must knock even when unlocked", () => {
    let room = M.start({ id: "r", conversationId: "rc", kind: "room", media: video, starter: person("ann", "host"), invite: [] }, T0);
    room = M.knock(room, { id: "bob", name: "Bob", since: T0, connectionId: "c1" });
    expect(M.unknock(room, "bob", "other")).toBeUndefined();
    expect(M.unknock(room, "bob", "c1")!.lobby).toEqual([]);
    room = M.remove(M.join(room, person("g-1", "guest"), video, T0, 4), "g-1");
    expect(M.mayEnter(room, "g-1", false)).toBe(false);
    expect(M.mayEnter(M.admit(room, "g-1"), "g-1", false)).toBe(true);
  });

  test("the snapshot shows a voice channel call as join-mode with no host", () => {
    const call = M.start({ id: "v", conversationId: "chan", kind: "voice", spaceId: "space", media: { audio: true, video: false }, starter: person("ann"), invite: [] }, T0);
    expect(M.toState(call)).toMatchObject({ kind: "voice", mode: "join", state: "active", hostId: null, spaceId: "space", invited: [], version: 0 });
    expect(M.toState(call).participants[0]).toMatchObject({ id: "ann", muted: false, video: false, away: false });
  });
});
