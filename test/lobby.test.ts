/** Locked calls and the lobby: knock, admit, deny, cancel; removed people knock to come back; space admins host voice channels. */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CookieJar, nodeForSuite, registerUser } from "./support/parley";
import { buildWorld, json } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";

setDefaultTimeout(20_000);

const suite = nodeForSuite();
const sockets: WsClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));

async function open(jar: CookieJar) {
  const s = await connectWs(suite.base, jar);
  await s.request({ type: "hello" });
  sockets.push(s);
  return s;
}

/** A host in their room's call, and the room. */
async function hostedRoom(body: Record<string, unknown> = {}) {
  const host = await registerUser(suite.node);
  const room = (await json(await suite.node.req("/api/rooms", { method: "POST", json: { name: "Board", allowGuests: true, ...body } }, host.jar))).room;
  const H = await open(host.jar);
  const { state } = await H.request({ type: "call:join", conversationId: room.conversationId, media: { audio: true, video: true } });
  return { host, room, H, callId: state.id as string };
}

describe("the lobby of a locked room", () => {
  test("the host locks the call; a newcomer knocks, the host hears it and admits them, and they join", async () => {
    const { room, H, callId } = await hostedRoom();
    const locked = await H.request({ type: "call:lock", callId, locked: true });
    expect(locked.call.locked).toBe(true);
    expect((await json(await suite.node.req(`/api/rooms/${room.slug}`, {}))).room.locked).toBe(true);
    const visitor = await registerUser(suite.node);
    const V = await open(visitor.jar);
    expect(await V.request({ type: "call:join", conversationId: room.conversationId })).toMatchObject({ ok: true, waiting: true, callId, call: null, state: null, reason: "locked" });
    const knock = await H.waitFor((e) => e.type === "call:knock");
    expect(knock).toMatchObject({ callId, entry: { id: visitor.user.id } });
    expect((await H.waitFor((e) => e.type === "call:state" && e.call.lobby.length === 1)).call.lobby[0].id).toBe(visitor.user.id);
    // A waiter is not a participant: they get no snapshots and cannot signal.
    expect(V.events.some((e) => e.type === "call:state")).toBe(false);
    expect((await V.request({ type: "rtc:offer", callId, to: "x", sdp: "v=0" })).error.code).toBe("FORBIDDEN");
    expect((await V.request({ type: "call:admit", callId, participantId: visitor.user.id })).error.code).toBe("FORBIDDEN");
    await H.request({ type: "call:admit", callId, participantId: visitor.user.id });
    expect(await V.waitFor((e) => e.type === "call:admitted")).toMatchObject({ callId });
    const joined = await V.request({ type: "call:join", conversationId: room.conversationId });
    expect(joined.state.participants.map((p: { id: string }) => p.id)).toContain(visitor.user.id);
    expect(joined.state.lobby).toEqual([]);
    await H.request({ type: "call:end-all", callId });
  });

  test("a guest knocks at a locked room and is denied: they hear it and are not in the call", async () => {
    const { room, H, callId } = await hostedRoom({ allowGuests: true });
    const stranger = await registerUser(suite.node);
    expect((await json(await suite.node.req(`/api/rooms/${room.slug}`, { method: "PATCH", json: { locked: true } }, stranger.jar))).error.code).toBe("FORBIDDEN");
    await H.request({ type: "call:lock", callId, locked: true });
    const jar = new CookieJar();
    const g = (await json(await suite.node.req(`/api/rooms/${room.slug}/guests`, { method: "POST", json: { name: "Knocker" } }, jar))).guest;
    const G = await connectWs(suite.base, jar);
    sockets.push(G);
    expect(await G.request({ type: "call:join", conversationId: room.conversationId })).toMatchObject({ waiting: true, callId });
    expect(await H.waitFor((e) => e.type === "call:knock")).toMatchObject({ entry: { id: g.id, name: "Knocker" } });
    await H.request({ type: "call:deny", callId, participantId: g.id });
    expect(await G.waitFor((e) => e.type === "call:denied")).toMatchObject({ callId });
    const after = await H.waitFor((e) => e.type === "call:state" && e.call.lobby.length === 0 && e.call.locked);
    expect(after.call.participants.map((p: { id: string }) => p.id)).not.toContain(g.id);
    expect((await H.request({ type: "call:deny", callId, participantId: g.id })).error.code).toBe("NOT_FOUND");
    await H.request({ type: "call:end-all", callId });
  });

  test("a waiter who cancels, or whose socket closes, leaves the lobby", async () => {
    const { room, H, callId } = await hostedRoom();
    await H.request({ type: "call:lock", callId, locked: true });
    const a = await registerUser(suite.node);
    const b = await registerUser(suite.node);
    const [A, B] = [await open(a.jar), await open(b.jar)];
    await A.request({ type: "call:join", conversationId: room.conversationId });
    await B.request({ type: "call:join", conversationId: room.conversationId });
    await H.waitFor((e) => e.type === "call:state" && e.call.lobby.length === 2);
    expect((await A.request({ type: "call:leave", callId })).ok).toBe(true);
    await H.waitFor((e) => e.type === "call:state" && e.call.lobby.length === 1 && e.call.lobby[0].id === b.user.id);
    B.close();
    await H.waitFor((e) => e.type === "call:state" && e.call.lobby.length === 0);
    await H.request({ type: "call:end-all", callId });
  });

  test("the room's lock is set over REST by the host, follows into the running call, and holds for the next call; nobody starts a locked room but its host", async () => {
    const { host, room, H, callId } = await hostedRoom();
    const res = await suite.node.req(`/api/rooms/${room.slug}`, { method: "PATCH", json: { locked: true } }, host.jar);
    expect((await json(res)).room).toMatchObject({ locked: true, allowGuests: true });
    expect((await H.waitFor((e) => e.type === "call:state" && e.call.locked)).call.id).toBe(callId);
    for (const body of [{}, { locked: "yes" }, { locked: true, name: "x" }]) {
      expect((await json(await suite.node.req(`/api/rooms/${room.slug}`, { method: "PATCH", json: body }, host.jar))).error.code).toBe("VALIDATION_ERROR");
    }
    await H.request({ type: "call:leave", callId });
    await H.waitFor((e) => e.type === "call:ended");
    const visitor = await registerUser(suite.node);
    const V = await open(visitor.jar);
    expect((await V.request({ type: "call:join", conversationId: room.conversationId })).error.code).toBe("CONFLICT");
    const next = await H.request({ type: "call:join", conversationId: room.conversationId });
    expect(next.state.locked).toBe(true);
    expect(await V.request({ type: "call:join", conversationId: room.conversationId })).toMatchObject({ waiting: true, callId: next.state.id });
    await H.request({ type: "call:end-all", callId: next.state.id });
  });

  test("a removed participant knocks to come back, even in an unlocked room, and rejoins once admitted", async () => {
    const { room, H, callId } = await hostedRoom();
    const visitor = await registerUser(suite.node);
    const V = await open(visitor.jar);
    await V.request({ type: "call:join", conversationId: room.conversationId });
    await H.request({ type: "call:host", callId, action: "remove", participantId: visitor.user.id });
    await V.waitFor((e) => e.type === "call:moderated" && e.action === "remove");
    expect(await V.request({ type: "call:join", conversationId: room.conversationId })).toMatchObject({ waiting: true, callId, reason: "removed" });
    expect(await H.waitFor((e) => e.type === "call:knock")).toMatchObject({ entry: { id: visitor.user.id } });
    await H.request({ type: "call:admit", callId, participantId: visitor.user.id });
    await V.waitFor((e) => e.type === "call:admitted");
    expect((await V.request({ type: "call:join", conversationId: room.conversationId })).state.participants).toHaveLength(2);
    await H.request({ type: "call:end-all", callId });
  });
});

describe("space admins host voice channels", () => {
  test("an admin locks a voice channel call and admits a member; they cannot remove the owner; a member cannot lock", async () => {
    const w = await buildWorld(suite.node);
    const [O, A, M] = [await open(w.users.owner.jar), await open(w.users.admin.jar), await open(w.users.member.jar)];
    const { state } = await O.request({ type: "call:join", conversationId: w.voiceChannelId });
    await A.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect((await A.request({ type: "call:host", callId: state.id, action: "remove", participantId: w.users.owner.user.id })).error.code).toBe("FORBIDDEN");
    expect((await A.request({ type: "call:lock", callId: state.id, locked: true })).call.locked).toBe(true);
    expect(await M.request({ type: "call:join", conversationId: w.voiceChannelId })).toMatchObject({ waiting: true, callId: state.id });
    expect(await A.waitFor((e) => e.type === "call:knock")).toMatchObject({ entry: { id: w.users.member.user.id } });
    expect(await O.waitFor((e) => e.type === "call:knock")).toMatchObject({ entry: { id: w.users.member.user.id } });
    await A.request({ type: "call:admit", callId: state.id, participantId: w.users.member.user.id });
    await M.waitFor((e) => e.type === "call:admitted");
    await M.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect((await M.request({ type: "call:lock", callId: state.id, locked: false })).error.code).toBe("FORBIDDEN");
    await A.request({ type: "call:host", callId: state.id, action: "mute", participantId: w.users.member.user.id });
    expect(await M.waitFor((e) => e.type === "call:moderated")).toMatchObject({ action: "mute", by: w.users.admin.user.id });
    await O.request({ type: "call:end-all", callId: state.id });
  });

  test("an admin asks a member to unmute and removes them from a voice channel call; the member's knock is denied, then admitted; the member has no host powers", async () => {
    const w = await buildWorld(suite.node);
    const [O, A, M] = [await open(w.users.owner.jar), await open(w.users.admin.jar), await open(w.users.member.jar)];
    const member = w.users.member.user.id;
    const { state } = await O.request({ type: "call:join", conversationId: w.voiceChannelId });
    const callId = state.id;
    await A.request({ type: "call:join", conversationId: w.voiceChannelId });
    await M.request({ type: "call:join", conversationId: w.voiceChannelId });
    expect((await M.request({ type: "call:host", callId, action: "ask-unmute", participantId: w.users.admin.user.id })).error.code).toBe("FORBIDDEN");
    expect((await A.request({ type: "call:host", callId, action: "ask-unmute", participantId: member })).ok).toBe(true);
    expect(await M.waitFor((e) => e.type === "call:moderated")).toMatchObject({ callId, action: "ask-unmute", by: w.users.admin.user.id });
    await A.request({ type: "call:host", callId, action: "remove", participantId: member });
    expect(await M.waitFor((e) => e.type === "call:moderated" && e.action === "remove")).toMatchObject({ by: w.users.admin.user.id });
    expect(await O.waitFor((e) => e.type === "call:participant-left" && e.userId === member)).toMatchObject({ reason: "removed" });
    // The call is not locked, yet the removed member knocks; the admin denies them.
    expect(await M.request({ type: "call:join", conversationId: w.voiceChannelId })).toMatchObject({ waiting: true, callId });
    expect(await A.waitFor((e) => e.type === "call:knock")).toMatchObject({ entry: { id: member } });
    await A.request({ type: "call:deny", callId, participantId: member });
    expect(await M.waitFor((e) => e.type === "call:denied")).toMatchObject({ callId });
    A.events.length = 0;
    expect(await M.request({ type: "call:join", conversationId: w.voiceChannelId })).toMatchObject({ waiting: true, callId });
    await A.waitFor((e) => e.type === "call:knock");
    await A.request({ type: "call:admit", callId, participantId: member });
    await M.waitFor((e) => e.type === "call:admitted");
    expect((await M.request({ type: "call:join", conversationId: w.voiceChannelId })).state.participants.map((p: { id: string }) => p.id)).toContain(member);
    await O.request({ type: "call:end-all", callId });
  });
});
