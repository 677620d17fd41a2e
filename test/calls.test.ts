import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { CookieJar, registerUser, snapshotTables, startNode, tableChanges, type TestNode } from "./support/parley";
import { connectWs, type WsClient } from "./support/ws";
import { befriend } from "./support/social";

let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode({ CALL_RING_SECONDS: "2", CALL_GRACE_SECONDS: "2", STUN_URLS: "stun:127.0.0.1:3478", TURN_URLS: "turn:127.0.0.1:3478?transport=udp", TURN_SECRET: "a-very-secret-turn-key", TURN_TTL_SECONDS: "600" });
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

const video = { audio: true, video: true };

async function setup() {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const sockets: WsClient[] = [];
  const open = async (jar: typeof a.jar) => {
    const s = await connectWs(base, jar);
    await s.request({ type: "hello" });
    sockets.push(s);
    return s;
  };
  return { a, b, conversationId, open, close: () => sockets.forEach((s) => s.close()) };
}

const lastSystem = async (jar: Parameters<TestNode["req"]>[2], conversationId: string) => {
  const { messages } = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, jar)).json()) as { messages: Array<{ kind: string; content: string }> };
  return messages.filter((m) => m.kind === "system").at(-1)?.content;
};

describe("ringing", () => {
  test("an invite rings every device of the callee and shows as outgoing on the caller's other devices", async () => {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const a2 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const b2 = await t.open(t.b.jar);
    const r = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    expect(r.ok).toBe(true);
    for (const s of [b1, b2]) {
      const e = await s.waitFor((e) => e.type === "call:incoming");
      expect(e).toMatchObject({ callId: r.callId, conversationId: t.conversationId, from: { id: t.a.user.id }, media: video });
    }
    expect(await a2.waitFor((e) => e.type === "call:ringing")).toMatchObject({ callId: r.callId, to: { id: t.b.user.id } });
    await a1.request({ type: "call:cancel", callId: r.callId });
    t.close();
  });

  test("the first accept wins and the callee's other devices hear answered-elsewhere", async () => {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const b2 = await t.open(t.b.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.waitFor((e) => e.type === "call:incoming");
    const [first, second] = await Promise.all([b1.request({ type: "call:accept", callId }), b2.request({ type: "call:accept", callId })]);
    const winner = first.ok ? b1 : b2;
    const loser = first.ok ? b2 : b1;
    expect([first.ok, second.ok].filter(Boolean)).toHaveLength(1);
    expect((first.ok ? second : first).error.code).toBe("CONFLICT");
    expect(await a1.waitFor((e) => e.type === "call:accepted")).toMatchObject({ callId, by: t.b.user.id });
    await loser.waitFor((e) => e.type === "call:answered-elsewhere" && e.callId === callId);
    await Bun.sleep(50);
    expect(winner.events.some((e) => e.type === "call:answered-elsewhere")).toBe(false);
    await a1.request({ type: "call:end", callId });
    await winner.waitFor((e) => e.type === "call:ended" && e.reason === "hangup");
    expect(await lastSystem(t.a.jar, t.conversationId)).toMatch(/^Video call ended · 0:0\d$/);
    t.close();
  });

  test("decline tells the caller and logs a declined call", async () => {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: { audio: true, video: false } });
    await b1.waitFor((e) => e.type === "call:incoming");
    expect((await b1.request({ type: "call:reject", callId })).ok).toBe(true);
    await a1.waitFor((e) => e.type === "call:rejected" && e.callId === callId);
    expect(await a1.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId, reason: "rejected" });
    expect(await lastSystem(t.a.jar, t.conversationId)).toBe("Declined voice call");
    t.close();
  });

  test("cancel stops the ringing and leaves a missed call", async () => {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await a1.request({ type: "call:cancel", callId });
    expect(await b1.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId, reason: "cancelled" });
    expect(await lastSystem(t.b.jar, t.conversationId)).toMatch(/^Missed video call from /);
    t.close();
  });

  test("an unanswered call times out and a missed-call message appears in the DM", async () => {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    expect(await b1.waitFor((e) => e.type === "call:ended", 6000)).toMatchObject({ callId, reason: "timeout" });
    const msg = await b1.waitFor((e) => e.type === "message:new" && e.message.kind === "system");
    expect(msg.message.content).toMatch(/^Missed video call from /);
    t.close();
  }, 10_000);

  test("a callee already in a call is busy", async () => {
    const t = await setup();
    const c = await registerUser(node);
    const cConv = await befriend(node, c, t.b);
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const c1 = await t.open(c.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.request({ type: "call:accept", callId });
    const r = await c1.request({ type: "call:invite", conversationId: cConv, media: video });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe("BUSY");
    expect(await c1.waitFor((e) => e.type === "call:busy")).toMatchObject({ conversationId: cConv, userId: t.b.user.id });
    await a1.request({ type: "call:end", callId });
    t.close();
  });

  test("only members of the DM may call, never a blocked user", async () => {
    const t = await setup();
    const eve = await registerUser(node);
    const e1 = await t.open(eve.jar);
    expect((await e1.request({ type: "call:invite", conversationId: t.conversationId, media: video })).error.code).toBe("FORBIDDEN");
    await node.req("/api/blocks", { method: "POST", json: { userId: t.a.user.id } }, t.b.jar);
    const a1 = await t.open(t.a.jar);
    expect((await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video })).error.code).toBe("FORBIDDEN");
    t.close();
  });
});

describe("signaling", () => {
  async function activeCall() {
    const t = await setup();
    const a1 = await t.open(t.a.jar);
    const b1 = await t.open(t.b.jar);
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.request({ type: "call:accept", callId });
    await a1.waitFor((e) => e.type === "call:accepted");
    return { ...t, a1, b1, callId };
  }

  test("offers, answers and candidates reach only the other participant, with from stamped by the server", async () => {
    const t = await activeCall();
    const a2 = await t.open(t.a.jar);
    expect((await t.a1.request({ type: "rtc:offer", callId: t.callId, to: t.b.user.id, sdp: "v=0 offer" })).ok).toBe(true);
    expect(await t.b1.waitFor((e) => e.type === "rtc:offer")).toEqual({ type: "rtc:offer", callId: t.callId, from: t.a.user.id, channel: "main", sdp: "v=0 offer" });
    await t.b1.request({ type: "rtc:answer", callId: t.callId, to: t.a.user.id, channel: "screen", sdp: "v=0 answer" });
    expect(await t.a1.waitFor((e) => e.type === "rtc:answer")).toMatchObject({ from: t.b.user.id, channel: "screen" });
    await t.b1.request({ type: "rtc:ice", callId: t.callId, to: t.a.user.id, candidate: { candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 } });
    await t.a1.waitFor((e) => e.type === "rtc:ice" && e.from === t.b.user.id);
    await Bun.sleep(50);
    // The caller's other device is not in the call and hears none of it.
    expect(a2.events.filter((e) => e.type.startsWith("rtc:"))).toEqual([]);
    expect((await a2.request({ type: "rtc:offer", callId: t.callId, to: t.b.user.id, sdp: "v=0" })).error.code).toBe("FORBIDDEN");
    await t.a1.request({ type: "call:end", callId: t.callId });
    t.close();
  });

  test("a third user cannot inject rtc frames or forge the sender", async () => {
    const t = await activeCall();
    const eve = await registerUser(node);
    const e1 = await t.open(eve.jar);
    for (const frame of [
      { type: "rtc:offer", callId: t.callId, to: t.b.user.id, sdp: "v=0 evil" },
      { type: "rtc:ice", callId: t.callId, to: t.a.user.id, candidate: null },
      { type: "call:end", callId: t.callId },
      { type: "call:media", callId: t.callId, audio: false, video: false, screen: false },
    ]) {
      const r = await e1.request(frame);
      expect(r.ok).toBe(false);
      expect(["FORBIDDEN", "NOT_FOUND"]).toContain(r.error.code);
    }
    const forged = await t.a1.request({ type: "rtc:offer", callId: t.callId, to: t.b.user.id, from: eve.user.id, sdp: "v=0" });
    expect(forged.error.code).toBe("VALIDATION_ERROR");
    const toStranger = await t.a1.request({ type: "rtc:offer", callId: t.callId, to: eve.user.id, sdp: "v=0" });
    expect(toStranger.error.code).toBe("FORBIDDEN");
    await Bun.sleep(50);
    expect(t.b1.events.filter((e) => e.type.startsWith("rtc:"))).toEqual([]);
    expect(e1.events.filter((e) => e.type.startsWith("rtc:"))).toEqual([]);
    await t.a1.request({ type: "call:end", callId: t.callId });
    t.close();
  });

  test("mute state reaches the other side", async () => {
    const t = await activeCall();
    await t.a1.request({ type: "call:media", callId: t.callId, audio: false, video: true, screen: false });
    expect(await t.b1.waitFor((e) => e.type === "call:media")).toMatchObject({ userId: t.a.user.id, audio: false, video: true });
    await t.a1.request({ type: "call:end", callId: t.callId });
    t.close();
  });

  test("a dropped participant has a grace period and call:resume re-binds the call to the new socket", async () => {
    const t = await activeCall();
    t.a1.close();
    expect(await t.b1.waitFor((e) => e.type === "call:participant-reconnecting")).toMatchObject({ callId: t.callId, userId: t.a.user.id });
    const again = await t.open(t.a.jar);
    const r = await again.request({ type: "call:resume" });
    expect(r.call).toMatchObject({ id: t.callId, state: "active", participants: [t.a.user.id, t.b.user.id] });
    await t.b1.waitFor((e) => e.type === "call:participant-joined" && e.userId === t.a.user.id);
    await again.request({ type: "rtc:offer", callId: t.callId, to: t.b.user.id, sdp: "v=0 renegotiate" });
    await t.b1.waitFor((e) => e.type === "rtc:offer" && e.sdp === "v=0 renegotiate");
    await Bun.sleep(2500);
    expect(t.b1.events.some((e) => e.type === "call:ended")).toBe(false);
    await again.request({ type: "call:end", callId: t.callId });
    t.close();
  }, 10_000);

  test("no return within the grace period ends the call as disconnected", async () => {
    const t = await activeCall();
    t.a1.close();
    expect(await t.b1.waitFor((e) => e.type === "call:ended", 6000)).toMatchObject({ callId: t.callId, reason: "disconnected" });
    t.close();
  }, 10_000);

  test("another device of the same user cannot take over the call by resuming", async () => {
    const t = await activeCall();
    const phone = new CookieJar();
    await node.req("/api/auth/login", { method: "POST", json: { login: t.a.user.username, password: t.a.password } }, phone);
    const p1 = await t.open(phone);
    expect((await p1.request({ type: "call:resume" })).call).toBeNull();
    await t.a1.request({ type: "call:end", callId: t.callId });
    t.close();
  });
});

describe("who may end a call", () => {
  test("while it rings, call:end from any caller device cancels and from any callee device declines", async () => {
    const t = await setup();
    const [a1, a2, b1, b2] = [await t.open(t.a.jar), await t.open(t.a.jar), await t.open(t.b.jar), await t.open(t.b.jar)];
    const first = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.waitFor((e) => e.type === "call:incoming" && e.callId === first.callId);
    expect((await a2.request({ type: "call:end", callId: first.callId })).ok).toBe(true);
    expect(await b2.waitFor((e) => e.type === "call:ended" && e.callId === first.callId)).toMatchObject({ reason: "cancelled" });
    const second = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.waitFor((e) => e.type === "call:incoming" && e.callId === second.callId);
    expect((await b2.request({ type: "call:end", callId: second.callId })).ok).toBe(true);
    await a2.waitFor((e) => e.type === "call:rejected" && e.callId === second.callId);
    expect(await a1.waitFor((e) => e.type === "call:ended" && e.callId === second.callId)).toMatchObject({ reason: "rejected" });
    expect(await lastSystem(t.a.jar, t.conversationId)).toBe("Declined video call");
    t.close();
  });

  test("once active, only the socket in the call can end it; the users' other devices get FORBIDDEN", async () => {
    const t = await setup();
    const [a1, a2, b1, b2] = [await t.open(t.a.jar), await t.open(t.a.jar), await t.open(t.b.jar), await t.open(t.b.jar)];
    const { callId } = await a1.request({ type: "call:invite", conversationId: t.conversationId, media: video });
    await b1.request({ type: "call:accept", callId });
    await a1.waitFor((e) => e.type === "call:accepted");
    for (const other of [a2, b2]) expect((await other.request({ type: "call:end", callId })).error?.code).toBe("FORBIDDEN");
    // Still live: signaling still flows between the two bound sockets.
    await a1.request({ type: "rtc:offer", callId, to: t.b.user.id, sdp: "v=0 still here" });
    await b1.waitFor((e) => e.type === "rtc:offer" && e.sdp === "v=0 still here");
    expect(b1.events.some((e) => e.type === "call:ended")).toBe(false);
    expect((await b1.request({ type: "call:end", callId })).ok).toBe(true);
    expect(await a2.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId, reason: "hangup" });
    t.close();
  });
});

describe("storage", () => {
  test("a whole call writes nothing to the database but its call-log message", async () => {
    const own = await startNode({ STUN_URLS: "stun:127.0.0.1:3478" });
    const ownBase = `http://127.0.0.1:${own.listen().port}`;
    const [a, b] = [await registerUser(own), await registerUser(own)];
    const conversationId = await befriend(own, a, b);
    const [a1, b1] = [await connectWs(ownBase, a.jar), await connectWs(ownBase, b.jar)];
    await Promise.all([a1.request({ type: "hello" }), b1.request({ type: "hello" })]);
    const before = await snapshotTables(own);
    const { callId } = await a1.request({ type: "call:invite", conversationId, media: video });
    expect((await b1.request({ type: "call:accept", callId })).ok).toBe(true);
    for (const [from, to, toUser] of [[a1, b1, b.user.id], [b1, a1, a.user.id]] as const) {
      for (const frame of [
        { type: "rtc:offer", callId, to: toUser, sdp: "v=0 offer" },
        { type: "rtc:answer", callId, to: toUser, channel: "screen", sdp: "v=0 answer" },
        { type: "rtc:ice", callId, to: toUser, candidate: { candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 } },
        { type: "call:media", callId, audio: false, video: false, screen: true },
      ]) expect((await from.request(frame)).ok).toBe(true);
      await to.waitFor((e) => e.type === "call:media");
    }
    expect((await a1.request({ type: "call:end", callId })).ok).toBe(true);
    await b1.waitFor((e) => e.type === "message:new" && e.message.kind === "system");
    const changes = tableChanges(before, await snapshotTables(own));
    expect(Object.keys(changes)).toEqual(["messages"]);
    expect(changes.messages!.removed).toEqual([]);
    expect(changes.messages!.added.map((r) => JSON.parse(r))).toEqual([
      expect.objectContaining({ conversation_id: conversationId, author_id: null, kind: "system", content: expect.stringMatching(/^Video call ended · 0:0\d$/) }),
    ]);
    a1.close();
    b1.close();
    await own.dispose();
  });
});

describe("ICE servers", () => {
  test("TURN credentials are ephemeral REST credentials signed with the shared secret", async () => {
    const a = await registerUser(node);
    const res = await node.req("/api/rtc/ice-servers", {}, a.jar);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { iceServers: Array<{ urls: string[]; username?: string; credential?: string }>; ttlSeconds: number };
    expect(body.ttlSeconds).toBe(600);
    expect(body.iceServers[0]).toEqual({ urls: ["stun:127.0.0.1:3478"] });
    const turn = body.iceServers[1]!;
    const [expiry, userId] = turn.username!.split(":");
    expect(userId).toBe(a.user.id);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(590);
    expect(turn.credential).toBe(createHmac("sha1", "a-very-secret-turn-key").update(turn.username!).digest("base64"));
    expect((await node.req("/api/rtc/ice-servers")).status).toBe(401);
  });
});
