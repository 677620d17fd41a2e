/** Group DM calls and voice channels over real sockets against a real node. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { CallState, ServerEvent } from "../src/shared/protocol";
import { nodeForSuite, registerUser, type CookieJar, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { buildWorld, json, type World } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";

const suite = nodeForSuite({ CALL_RING_SECONDS: "2", CALL_GRACE_SECONDS: "1", MESH_MAX: "3" });
let node: TestNode;
let base: string;
beforeAll(() => {
  ({ node, base } = suite);
});

const video = { audio: true, video: true };
const sockets: WsClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));

async function open(jar: CookieJar): Promise<WsClient> {
  const s = await connectWs(base, jar);
  await s.request({ type: "hello" });
  sockets.push(s);
  return s;
}

/** Four friends of `ann` in one group DM, each with a socket. */
async function groupOfFour() {
  const [ann, bob, cat, dan] = await Promise.all([registerUser(node), registerUser(node), registerUser(node), registerUser(node)]);
  for (const u of [bob, cat, dan]) await befriend(node, ann, u);
  const res = await node.req("/api/conversations", { method: "POST", json: { memberIds: [bob.user.id, cat.user.id, dan.user.id] } }, ann.jar);
  const { conversation } = (await res.json()) as { conversation: { id: string } };
  const [A, B, C, D] = await Promise.all([ann, bob, cat, dan].map((u) => open(u.jar)));
  return { ann, bob, cat, dan, conv: conversation.id, A: A!, B: B!, C: C!, D: D! };
}

const stateWith = (pred: (c: CallState) => boolean) => (e: Record<string, any>) => e.type === "call:state" && pred(e.call as CallState);

setDefaultTimeout(20_000);

describe("group DM calls", () => {
  test("an invite rings every member; one declines, two join, and everyone sees the same snapshot", async () => {
    const g = await groupOfFour();
    const { callId } = await g.A.request({ type: "call:invite", conversationId: g.conv, media: video });
    for (const s of [g.B, g.C, g.D]) expect(await s.waitFor((e) => e.type === "call:incoming" && e.callId === callId)).toMatchObject({ kind: "group", conversationId: g.conv });
    await g.D.request({ type: "call:reject", callId });
    expect(await g.A.waitFor((e) => e.type === "call:rejected")).toMatchObject({ callId, by: g.dan.user.id });
    const accepted = await g.B.request({ type: "call:accept", callId });
    expect(accepted.ok).toBe(true);
    expect(accepted.state.participants.map((p: { id: string }) => p.id)).toEqual([g.ann.user.id, g.bob.user.id]);
    expect(accepted.state.topology).toBe("p2p");
    await g.C.request({ type: "call:accept", callId });
    const three = (e: CallState) => e.participants.length === 3;
    const seen = await Promise.all([g.A, g.B, g.C].map((s) => s.waitFor(stateWith(three))));
    const versions = new Set(seen.map((e) => (e as { call: CallState }).call.version));
    expect(versions.size).toBe(1);
    expect((seen[0] as { call: CallState }).call).toMatchObject({ kind: "group", mode: "ring", state: "active", topology: "mesh", invited: [] });
    // Dan declined: he still hears that the call runs and who is in it, live and in hello, to join late.
    const live = { type: "call:live", conversationId: g.conv, callId, media: video, userIds: [g.ann.user.id, g.bob.user.id, g.cat.user.id] };
    expect(await g.D.waitFor((e) => e.type === "call:live" && e.userIds.length === 3)).toEqual(live);
    const { liveCalls } = await (await open(g.dan.jar)).request({ type: "hello" });
    expect(liveCalls).toEqual([{ conversationId: g.conv, callId, media: video, userIds: live.userIds }]);
    // Leaving one by one: the call runs on until the last participant leaves.
    await g.A.request({ type: "call:leave", callId });
    expect(await g.B.waitFor((e) => e.type === "call:participant-left")).toMatchObject({ callId, userId: g.ann.user.id, reason: "left" });
    await g.B.request({ type: "call:leave", callId });
    await g.C.request({ type: "call:leave", callId });
    expect(await g.D.waitFor((e) => e.type === "call:ended" && e.callId === callId)).toMatchObject({ reason: "empty" });
  });

  test("a member who was not rung joins the running call late; an invitee's ring times out on its own", async () => {
    const g = await groupOfFour();
    const { callId } = await g.A.request({ type: "call:invite", conversationId: g.conv, media: video });
    await g.B.request({ type: "call:accept", callId });
    // Cat and Dan never answer: after the ring timeout they drop out of `invited`, the call goes on.
    await g.A.waitFor(stateWith((c) => c.invited.length === 0 && c.participants.length === 2), 6000);
    const joined = await g.C.request({ type: "call:join", conversationId: g.conv });
    expect(joined.ok).toBe(true);
    expect(joined.state.participants).toHaveLength(3);
    expect(await g.A.waitFor((e) => e.type === "call:participant-joined" && e.userId === g.cat.user.id)).toMatchObject({ participant: { id: g.cat.user.id, role: "member" } });
    for (const s of [g.A, g.B, g.C]) await s.request({ type: "call:end", callId });
  });

  test("participant flags and reactions reach the others; the sender's snapshot entry changes", async () => {
    const g = await groupOfFour();
    const { callId } = await g.A.request({ type: "call:invite", conversationId: g.conv, media: video });
    await g.B.request({ type: "call:accept", callId });
    await g.B.request({ type: "call:update", callId, muted: true, handRaised: true });
    const upd = await g.A.waitFor((e) => e.type === "call:participant-updated");
    expect(upd).toMatchObject({ callId, participant: { id: g.bob.user.id, muted: true, handRaised: true, video: true } });
    await g.B.request({ type: "call:react", callId, emoji: "🎉" });
    expect(await g.A.waitFor((e) => e.type === "call:reaction")).toMatchObject({ callId, from: g.bob.user.id, emoji: "🎉" });
    for (const s of [g.A, g.B]) await s.request({ type: "call:leave", callId });
  });

  test("signaling goes between participants only: an outsider's and a ringing member's rtc frames are refused and reach no one", async () => {
    const g = await groupOfFour();
    const { callId } = await g.A.request({ type: "call:invite", conversationId: g.conv, media: video });
    await g.B.request({ type: "call:accept", callId });
    const outsider = await registerUser(node);
    const O = await open(outsider.jar);
    const relayed: ServerEvent[] = [];
    const stop = node.bus.subscribe((e) => {
      if (e.type === "deliver" && e.event.type.startsWith("rtc:")) relayed.push(e.event);
    });
    for (const [s, to] of [[O, g.ann.user.id], [g.C, g.ann.user.id], [g.A, g.cat.user.id], [g.A, "sfu"]] as const) {
      const r = await s.request({ type: "rtc:offer", callId, to, sdp: "v=0" });
      expect(r.error?.code).toBe("FORBIDDEN");
    }
    expect(relayed).toEqual([]);
    const ok = await g.A.request({ type: "rtc:offer", callId, to: g.bob.user.id, sdp: "v=0" });
    expect(ok.ok).toBe(true);
    expect(await g.B.waitFor((e) => e.type === "rtc:offer")).toMatchObject({ from: g.ann.user.id, sdp: "v=0" });
    stop();
    for (const s of [g.A, g.B]) await s.request({ type: "call:leave", callId });
  });

  test("adding a third person to a DM call moves the call into a new group DM and rings them", async () => {
    const [ann, bob, cat] = await Promise.all([registerUser(node), registerUser(node), registerUser(node)]);
    const dm = await befriend(node, ann, bob);
    await befriend(node, ann, cat);
    const [A, B, C] = await Promise.all([open(ann.jar), open(bob.jar), open(cat.jar)]);
    const { callId } = await A.request({ type: "call:invite", conversationId: dm, media: video });
    await B.request({ type: "call:accept", callId });
    const added = await A.request({ type: "call:add", callId, userIds: [cat.user.id] });
    expect(added.ok).toBe(true);
    expect(added.call).toMatchObject({ id: callId, kind: "group", invited: [cat.user.id] });
    expect(added.call.conversationId).not.toBe(dm);
    const ring = await C.waitFor((e) => e.type === "call:incoming" && e.callId === callId);
    expect(ring).toMatchObject({ conversationId: added.call.conversationId, kind: "group" });
    expect(await B.waitFor((e) => e.type === "conversation:new")).toMatchObject({ conversation: { id: added.call.conversationId } });
    await C.request({ type: "call:accept", callId });
    // No longer a 1:1 call: one leaving does not end it for the others.
    await B.request({ type: "call:leave", callId });
    expect(await A.waitFor((e) => e.type === "call:participant-left")).toMatchObject({ userId: bob.user.id });
    for (const s of [A, C]) await s.request({ type: "call:leave", callId });
  });
});

describe("adding people to a call", () => {
  /** Ann called Bob (friends), who answered; Cat is Ann's friend too; each has a socket. */
  async function dmCall() {
    const [ann, bob, cat] = await Promise.all([registerUser(node), registerUser(node), registerUser(node)]);
    const dm = await befriend(node, ann, bob);
    await befriend(node, ann, cat);
    const [A, B, C] = await Promise.all([open(ann.jar), open(bob.jar), open(cat.jar)]);
    const { callId } = await A.request({ type: "call:invite", conversationId: dm, media: video });
    return { ann, bob, cat, dm, A, B, C, callId };
  }
  const groupsOf = async (jar: CookieJar) => ((await json(await node.req("/api/conversations", {}, jar))).conversations as { kind: string }[]).filter((c) => c.kind === "group");
  const code = (r: Record<string, any>) => r.error?.code ?? "ok";

  test("only a participant's own socket adds, once the call is answered: an outsider, the callee's other device and a caller still ringing are refused", async () => {
    const d = await dmCall();
    expect(code(await d.A.request({ type: "call:add", callId: d.callId, userIds: [d.cat.user.id] }))).toBe("FORBIDDEN");
    await d.B.request({ type: "call:accept", callId: d.callId });
    const bobElsewhere = await open(d.bob.jar);
    const outsider = await open((await registerUser(node)).jar);
    for (const s of [bobElsewhere, outsider, d.C]) expect(code(await s.request({ type: "call:add", callId: d.callId, userIds: [d.cat.user.id] }))).toBe("FORBIDDEN");
    expect(d.C.events.some((e) => e.type === "call:incoming")).toBe(false);
    expect(await groupsOf(d.ann.jar)).toEqual([]);
    for (const s of [d.A, d.B]) await s.request({ type: "call:leave", callId: d.callId });
  });

  test("a DM call adds only free friends of the adder who are not in it yet, at most ten at once, and leaves no group behind a refusal", async () => {
    const d = await dmCall();
    await d.B.request({ type: "call:accept", callId: d.callId });
    const stranger = await registerUser(node);
    expect((await d.A.request({ type: "call:add", callId: d.callId, userIds: [stranger.user.id] })).error).toMatchObject({ code: "FORBIDDEN", message: "You can only add friends to a group" });
    for (const ids of [[d.bob.user.id], [d.ann.user.id]]) expect(code(await d.A.request({ type: "call:add", callId: d.callId, userIds: ids }))).toBe("VALIDATION_ERROR");
    const many = Array.from({ length: 11 }, () => d.cat.user.id);
    expect(code(await d.A.request({ type: "call:add", callId: d.callId, userIds: many }))).toBe("VALIDATION_ERROR");
    // Cat is busy in a call of her own: refused before any group exists.
    const dan = await registerUser(node);
    const catDan = await befriend(node, d.cat, dan);
    const D = await open(dan.jar);
    const other = await d.C.request({ type: "call:invite", conversationId: catDan, media: video });
    await D.request({ type: "call:accept", callId: other.callId });
    expect(code(await d.A.request({ type: "call:add", callId: d.callId, userIds: [d.cat.user.id] }))).toBe("BUSY");
    expect(await groupsOf(d.ann.jar)).toEqual([]);
    await d.C.request({ type: "call:leave", callId: other.callId });
    // Free again: she is rung into a new group DM of the three, and the DM call is a group call from then on.
    const added = await d.A.request({ type: "call:add", callId: d.callId, userIds: [d.cat.user.id, d.cat.user.id] });
    expect(added.call).toMatchObject({ id: d.callId, kind: "group", invited: [d.cat.user.id] });
    const [group] = (await groupsOf(d.bob.jar)) as unknown as { id: string; members: { id: string }[] }[];
    expect(group!.id).toBe(added.call.conversationId);
    expect(group!.members.map((m) => m.id).sort()).toEqual([d.ann.user.id, d.bob.user.id, d.cat.user.id].sort());
    for (const s of [d.A, d.B]) await s.request({ type: "call:leave", callId: d.callId });
  });

  test("a group DM call rings its members again (one who declined too), never someone outside the group; a voice channel's call rings no one", async () => {
    const g = await groupOfFour();
    const { callId } = await g.A.request({ type: "call:invite", conversationId: g.conv, media: video });
    await g.B.request({ type: "call:accept", callId });
    await g.D.request({ type: "call:reject", callId });
    const friend = await registerUser(node);
    await befriend(node, g.ann, friend);
    expect(await g.A.request({ type: "call:add", callId, userIds: [friend.user.id] })).toMatchObject({ error: { code: "FORBIDDEN", message: "Only members of this group can be added to its call" } });
    const before = g.D.events.filter((e) => e.type === "call:incoming").length;
    const again = await g.B.request({ type: "call:add", callId, userIds: [g.dan.user.id] });
    expect(again.call.invited).toContain(g.dan.user.id);
    await g.D.waitFor(() => g.D.events.filter((e) => e.type === "call:incoming").length > before);
    expect((await g.D.request({ type: "call:accept", callId })).state.participants).toHaveLength(3);
    for (const s of [g.A, g.B, g.D]) await s.request({ type: "call:leave", callId });

    const w = await buildWorld(node);
    const member = await open(w.users.member.jar);
    const voice = await member.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect(code(await member.request({ type: "call:add", callId: voice.state.id, userIds: [w.users.admin.user.id] }))).toBe("FORBIDDEN");
    await member.request({ type: "call:leave", callId: voice.state.id });
  });
});

describe("voice channels", () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(node);
  });

  test("joining a voice channel is immediate; a space member outside the call sees voice:state live and in the space", async () => {
    const member = await open(w.users.member.jar);
    const watcher = await open(w.users.admin.jar);
    const joined = await member.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect(joined.ok).toBe(true);
    expect(joined.state).toMatchObject({ kind: "voice", mode: "join", state: "active", spaceId: w.spaceId, conversationId: w.voiceChannelId });
    expect(await watcher.waitFor((e) => e.type === "voice:state" && e.userIds.length === 1)).toMatchObject({ spaceId: w.spaceId, channelId: w.voiceChannelId, userIds: [w.users.member.user.id] });
    const space = await json(await node.req(`/api/spaces/${w.spaceId}`, {}, w.users.admin.jar));
    expect(space.space.channels.find((c: { id: string }) => c.id === w.voiceChannelId).voiceMembers).toEqual([w.users.member.user.id]);
    const hello = await (await open(w.users.owner.jar)).request({ type: "hello" });
    expect(hello.voice[w.voiceChannelId].voiceMembers).toEqual([w.users.member.user.id]);
    // Mute and speaking marks reach the space too, live and in the channel.
    await member.request({ type: "call:update", callId: joined.state.id, muted: true });
    expect(await watcher.waitFor((e) => e.type === "voice:state" && e.muted.length === 1)).toMatchObject({ muted: [w.users.member.user.id], speaking: [] });
    await member.request({ type: "call:update", callId: joined.state.id, muted: false, speaking: true });
    expect(await watcher.waitFor((e) => e.type === "voice:state" && e.speaking.length === 1)).toMatchObject({ muted: [], speaking: [w.users.member.user.id] });
    const marked = await json(await node.req(`/api/spaces/${w.spaceId}`, {}, w.users.admin.jar));
    expect(marked.space.channels.find((c: { id: string }) => c.id === w.voiceChannelId)).toMatchObject({ voiceMuted: [], voiceSpeaking: [w.users.member.user.id] });
    await member.request({ type: "call:leave", callId: joined.state.id });
    expect(await watcher.waitFor((e) => e.type === "voice:state" && e.userIds.length === 0)).toMatchObject({ channelId: w.voiceChannelId });
  });

  test("an outsider of the space can neither join a voice channel nor see its voice state", async () => {
    const outsider = await open(w.users.outsider.jar);
    const banned = await open(w.users.banned.jar);
    for (const s of [outsider, banned]) expect((await s.request({ type: "call:join", conversationId: w.voiceChannelId })).error?.code).toBe("FORBIDDEN");
    const member = await open(w.users.member.jar);
    const admin = await open(w.users.admin.jar);
    const joined = await member.request({ type: "call:join", conversationId: w.voiceChannelId });
    await admin.waitFor((e) => e.type === "voice:state" && e.userIds.length === 1);
    expect(outsider.events.some((e) => e.type === "voice:state")).toBe(false);
    expect((await node.req(`/api/spaces/${w.spaceId}`, {}, w.users.outsider.jar)).status).toBe(403);
    await member.request({ type: "call:leave", callId: joined.state.id });
  });

  test("a space admin may end a voice channel's call for everyone; a member may not", async () => {
    const member = await open(w.users.member.jar);
    const admin = await open(w.users.admin.jar);
    const { state } = await member.request({ type: "call:join", conversationId: w.voiceChannelId });
    await admin.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect((await member.request({ type: "call:end-all", callId: state.id })).error.code).toBe("FORBIDDEN");
    expect((await member.request({ type: "call:host", callId: state.id, action: "mute", participantId: w.users.admin.user.id })).error.code).toBe("FORBIDDEN");
    expect((await admin.request({ type: "call:end-all", callId: state.id })).ok).toBe(true);
    expect(await member.waitFor((e) => e.type === "call:ended" && e.callId === state.id)).toMatchObject({ reason: "ended-by-host" });
    expect(await admin.waitFor((e) => e.type === "voice:state" && e.channelId === w.voiceChannelId && e.userIds.length === 0)).toBeDefined();
  });

  test("a text channel has no call, and a voice channel's call is joined, never rung", async () => {
    const member = await open(w.users.member.jar);
    expect((await member.request({ type: "call:join", conversationId: w.textChannelId })).error?.code).toBe("FORBIDDEN");
    expect((await member.request({ type: "call:invite", conversationId: w.voiceChannelId, media: video })).error?.code).toBe("FORBIDDEN");
  });

  test("a participant whose socket drops shows as away, then leaves after the grace period", async () => {
    const a = await open(w.users.member.jar);
    const b = await open(w.users.admin.jar);
    const joined = await a.request({ type: "call:join", conversationId: w.voiceChannelId });
    await b.request({ type: "call:join", conversationId: w.voiceChannelId });
    a.close();
    await b.waitFor(stateWith((c) => c.participants.some((p) => p.id === w.users.member.user.id && p.away)));
    expect(await b.waitFor((e) => e.type === "call:participant-left", 5000)).toMatchObject({ userId: w.users.member.user.id, reason: "disconnected" });
    await b.request({ type: "call:leave", callId: joined.state.id });
  });
});
