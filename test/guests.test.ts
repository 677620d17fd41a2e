/** Guest sessions: a visitor with a room's link joins its call and chat by name, and reaches nothing else. */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { json } from "./support/spaces";
import { connectWs, upgradeStatus, type WsClient } from "./support/ws";
import { nodeForSuite } from "./support/parley";

setDefaultTimeout(20_000);

const suite = nodeForSuite({ GUEST_MAX_PER_ROOM: "2" });
const sockets: WsClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));

async function open(jar: CookieJar, base = suite.base) {
  const s = await connectWs(base, jar);
  sockets.push(s);
  return s;
}

async function room(node: TestNode, jar: CookieJar, allowGuests = true) {
  const res = await node.req("/api/rooms", { method: "POST", json: { name: "Open house", allowGuests } }, jar);
  return (await json(res)).room as { slug: string; id: string; conversationId: string };
}

async function guest(node: TestNode, slug: string, name: string, ip = "10.9.0.1") {
  const jar = new CookieJar();
  const res = await node.req(`/api/rooms/${slug}/guests`, { method: "POST", json: { name }, ip }, jar);
  return { res, jar, body: await json(res) };
}

describe("guest sessions", () => {
  test("a visitor gives a name and gets a guest session for that room, in an httpOnly cookie; hello answers who they are", async () => {
    const host = await registerUser(suite.node);
    const r = await room(suite.node, host.jar);
    const g = await guest(suite.node, r.slug, "  Ｖｉｓｉｔｏｒ   Vera ");
    expect(g.res.status).toBe(201);
    expect(g.body.guest).toMatchObject({ name: "Visitor Vera", roomId: r.id, conversationId: r.conversationId });
    expect(g.body.guest.id).toMatch(/^g-[0-9a-f-]{36}$/);
    expect(g.res.headers.get("set-cookie")).toMatch(/guest_token=.*HttpOnly/i);
    expect(JSON.stringify(g.body)).not.toContain(g.jar.get("guest_token")!);
    const G = await open(g.jar);
    const hello = await G.request({ type: "hello" });
    expect(hello).toMatchObject({ ok: true, guest: { id: g.body.guest.id, name: "Visitor Vera", conversationId: r.conversationId }, callState: null });
  });

  test("names follow the display-name rules; a room without guests, or no room, refuses", async () => {
    const host = await registerUser(suite.node);
    const r = await room(suite.node, host.jar);
    for (const name of ["", "   ", "a\u202Eb", "\u200B\u200B", "x".repeat(65)]) {
      const g = await guest(suite.node, r.slug, name);
      expect(g.res.status).toBe(400);
      expect(g.body.error.code).toBe("VALIDATION_ERROR");
    }
    const closed = await room(suite.node, host.jar, false);
    const refused = await guest(suite.node, closed.slug, "Vera");
    expect(refused.res.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect((await guest(suite.node, "aaa-aaaa-aaa", "Vera")).body.error.code).toBe("NOT_FOUND");
  });

  test("a guest joins the room's call and chat: the host sees them as a guest, they read history and post under their name", async () => {
    const host = await registerUser(suite.node);
    const r = await room(suite.node, host.jar);
    const H = await open(host.jar);
    await H.request({ type: "hello" });
    const { state } = await H.request({ type: "call:join", conversationId: r.conversationId, media: { audio: true, video: true } });
    await H.request({ type: "message:send", conversationId: r.conversationId, clientId: "h1", content: "before you came" });
    const g = await guest(suite.node, r.slug, "Gail");
    const G = await open(g.jar);
    const joined = await G.request({ type: "call:join", conversationId: r.conversationId, media: { audio: true, video: true } });
    expect(joined.state.participants.map((p: { id: string; role: string; userId: string | null }) => [p.id, p.role, p.userId])).toEqual([
      [host.user.id, "host", host.user.id],
      [g.body.guest.id, "guest", null],
    ]);
    expect(await H.waitFor((e) => e.type === "call:participant-joined" && e.userId === g.body.guest.id)).toMatchObject({ participant: { name: "Gail", role: "guest" } });
    const history = await G.request({ type: "sync", conversationId: r.conversationId });
    expect(history.messages.map((m: { content: string }) => m.content)).toEqual(["before you came"]);
    const sent = await G.request({ type: "message:send", conversationId: r.conversationId, clientId: "g1", content: "hello from a guest" });
    expect(sent.message).toMatchObject({ authorId: null, kind: "text", guest: { id: g.body.guest.id, name: "Gail" } });
    const again = await G.request({ type: "message:send", conversationId: r.conversationId, clientId: "g1", content: "hello from a guest" });
    expect(again.message.id).toBe(sent.message.id);
    expect(await H.waitFor((e) => e.type === "message:new" && e.message.content === "hello from a guest")).toMatchObject({ message: { guest: { name: "Gail" } } });
    expect(await G.waitFor((e) => e.type === "message:new" && e.message.content === "hello from a guest")).toBeDefined();
    // Signaling between host and guest is relayed both ways.
    await G.request({ type: "rtc:offer", callId: state.id, to: host.user.id, sdp: "v=0 guest" });
    expect(await H.waitFor((e) => e.type === "rtc:offer")).toMatchObject({ from: g.body.guest.id });
    await H.request({ type: "rtc:answer", callId: state.id, to: g.body.guest.id, sdp: "v=0 host" });
    expect(await G.waitFor((e) => e.type === "rtc:answer")).toMatchObject({ from: host.user.id });
    await G.request({ type: "call:leave", callId: state.id });
    await H.request({ type: "call:end-all", callId: state.id });
  });

  test("a removed guest who asks again from the same browser keeps their id, under a new name, and knocks; another room gives a new id", async () => {
    const host = await registerUser(suite.node);
    const r = await room(suite.node, host.jar);
    const H = await open(host.jar);
    await H.request({ type: "hello" });
    const { state } = await H.request({ type: "call:join", conversationId: r.conversationId });
    const g = await guest(suite.node, r.slug, "Gail");
    const G = await open(g.jar);
    await G.request({ type: "call:join", conversationId: r.conversationId });
    await H.request({ type: "call:host", callId: state.id, action: "remove", participantId: g.body.guest.id });
    await G.waitFor((e) => e.type === "call:moderated" && e.action === "remove");
    const again = await json(await suite.node.req(`/api/rooms/${r.slug}/guests`, { method: "POST", json: { name: "Not Gail" }, ip: "10.9.0.1" }, g.jar));
    expect(again.guest).toMatchObject({ id: g.body.guest.id, name: "Not Gail" });
    const G2 = await open(g.jar);
    expect(await G2.request({ type: "call:join", conversationId: r.conversationId })).toMatchObject({ waiting: true, callId: state.id, reason: "removed" });
    const other = await room(suite.node, host.jar);
    const elsewhere = await json(await suite.node.req(`/api/rooms/${other.slug}/guests`, { method: "POST", json: { name: "Gail" }, ip: "10.9.0.1" }, g.jar));
    expect(elsewhere.guest.id).not.toBe(g.body.guest.id);
    await H.request({ type: "call:end-all", callId: state.id });
  });

  test("a guest token is refused for other rooms, other conversations, every other frame and every REST endpoint", async () => {
    const host = await registerUser(suite.node);
    const mine = await room(suite.node, host.jar);
    const other = await room(suite.node, host.jar);
    const H = await open(host.jar);
    const { state: otherCall } = await H.request({ type: "call:join", conversationId: other.conversationId });
    const space = (await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Host's space" } }, host.jar))).space;
    const g = await guest(suite.node, mine.slug, "Nosy");
    const G = await open(g.jar);
    const forbidden = async (frame: Record<string, unknown>) => {
      const r = await G.request(frame);
      expect({ frame: frame.type, code: r.error?.code }).toEqual({ frame: frame.type, code: "FORBIDDEN" });
    };
    await forbidden({ type: "call:join", conversationId: other.conversationId });
    await forbidden({ type: "message:send", conversationId: other.conversationId, clientId: "x1", content: "hi" });
    await forbidden({ type: "sync", conversationId: other.conversationId });
    await forbidden({ type: "rtc:offer", callId: otherCall.id, to: host.user.id, sdp: "v=0" });
    await forbidden({ type: "sfu:signal", callId: otherCall.id, signal: { kind: "ice", link: "publish", candidate: null } });
    await forbidden({ type: "call:host", callId: otherCall.id, action: "mute", participantId: host.user.id });
    await forbidden({ type: "call:lock", callId: otherCall.id, locked: true });
    await forbidden({ type: "call:invite", conversationId: mine.conversationId, media: { audio: true, video: false } });
    await forbidden({ type: "typing:start", conversationId: mine.conversationId });
    await forbidden({ type: "read:mark", conversationId: mine.conversationId, messageId: "m1" });
    await forbidden({ type: "presence:set", status: "online" });
    await forbidden({ type: "message:send", conversationId: space.channels[0].id, clientId: "x2", content: "hi" });
    await forbidden({ type: "call:join", conversationId: space.channels[1].id });
    for (const [method, path] of [
      ["GET", "/api/users/me"],
      ["GET", "/api/rooms"],
      ["POST", "/api/rooms"],
      ["PATCH", `/api/rooms/${mine.slug}`],
      ["GET", `/api/conversations/${mine.conversationId}/messages`],
      ["GET", "/api/spaces"],
      ["GET", "/api/rtc/ice-servers"],
    ] as const) {
      const res = await suite.node.req(path, { method, ...(method === "GET" ? {} : { json: { name: "x", locked: true } }) }, g.jar);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    await H.request({ type: "call:end-all", callId: otherCall.id });
  });

  test("a guest token signed with the wrong key, or an access token presented as a guest token, opens no socket", async () => {
    const host = await registerUser(suite.node);
    const g = await guest(suite.node, (await room(suite.node, host.jar)).slug, "Mallory");
    const token = g.jar.get("guest_token")!;
    const [h, p, sig] = token.split(".");
    const forged = `${h}.${p}.${sig!.slice(0, -4)}AAAA`;
    expect(await upgradeStatus(suite.base, { cookie: `guest_token=${forged}` })).toBe(401);
    expect(await upgradeStatus(suite.base, { cookie: `guest_token=${host.jar.get("access_token")}` })).toBe(401);
    expect(await upgradeStatus(suite.base, { cookie: `guest_token=${token}` })).toBe(101);
  });

  test("a room holds GUEST_MAX_PER_ROOM guests in its call, and the host turning guests off keeps new ones out", async () => {
    const host = await registerUser(suite.node);
    const r = await room(suite.node, host.jar);
    const H = await open(host.jar);
    const { state } = await H.request({ type: "call:join", conversationId: r.conversationId });
    for (const name of ["One", "Two"]) {
      const G = await open((await guest(suite.node, r.slug, name)).jar);
      expect((await G.request({ type: "call:join", conversationId: r.conversationId })).ok).toBe(true);
    }
    const third = await open((await guest(suite.node, r.slug, "Three")).jar);
    expect((await third.request({ type: "call:join", conversationId: r.conversationId })).error.code).toBe("LIMIT_REACHED");
    const late = await guest(suite.node, r.slug, "Late");
    const off = await suite.node.req(`/api/rooms/${r.slug}`, { method: "PATCH", json: { allowGuests: false } }, host.jar);
    expect((await json(off)).room.allowGuests).toBe(false);
    expect((await guest(suite.node, r.slug, "Later")).res.status).toBe(403);
    const L = await open(late.jar);
    expect((await L.request({ type: "call:join", conversationId: r.conversationId })).error.code).toBe("FORBIDDEN");
    await H.request({ type: "call:end-all", callId: state.id });
  });
});

describe("guest limits and expiry", () => {
  let node: TestNode;
  afterAll(() => node?.dispose());

  test("guest sessions draw on the anonymous per-address budget", async () => {
    node = await startNode({ READ_BURST: "3", READ_RATE_PER_SECOND: "0.01" });
    const host = await registerUser(node);
    const r = await room(node, host.jar);
    for (let i = 0; i < 3; i++) expect((await guest(node, r.slug, `G${i}`, "10.7.0.1")).res.status).toBe(201);
    const over = await guest(node, r.slug, "G3", "10.7.0.1");
    expect(over.res.status).toBe(429);
    expect(over.body.error.code).toBe("RATE_LIMITED");
    expect((await guest(node, r.slug, "Elsewhere", "10.7.0.2")).res.status).toBe(201);
  });

  test("an expired guest token opens no socket, and an open guest socket closes when its token expires", async () => {
    const short = await startNode({ GUEST_TTL_SECONDS: "1" });
    try {
      const base = `http://127.0.0.1:${short.listen().port}`;
      const host = await registerUser(short);
      const r = await room(short, host.jar);
      const g = await guest(short, r.slug, "Brief");
      const G = await open(g.jar, base);
      expect((await G.closed).code).toBe(4401);
      expect(await upgradeStatus(base, { cookie: `guest_token=${g.jar.get("guest_token")}` })).toBe(401);
    } finally {
      await short.dispose();
    }
  });
});
