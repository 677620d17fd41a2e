import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs, upgradeStatus } from "./support/ws";
import { befriend } from "./support/social";
import { newId } from "../src/shared/ids";

let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode({ WS_RATE_PER_SECOND: "200", WS_BURST: "400" });
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

const pair = async () => {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  return { a, b, conversationId };
};

describe("upgrade", () => {
  test("no upgrade without the access cookie", async () => {
    expect(await upgradeStatus(base, {})).toBe(401);
    expect(await upgradeStatus(base, { cookie: "access_token=forged.token.value" })).toBe(401);
  });

  test("a cross-site Origin is refused at upgrade", async () => {
    const a = await registerUser(node);
    expect(await upgradeStatus(base, { cookie: a.jar.header(), origin: "https://evil.example" })).toBe(403);
  });

  test("hello returns the user, friends with presence apart (offline left out), and conversations with their defaults left out, each person once in users", async () => {
    const { a, b, conversationId } = await pair();
    const c = await registerUser(node);
    await befriend(node, a, c);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    const ws = await connectWs(base, a.jar);
    const r = await ws.request({ type: "hello" });
    expect(r.ok).toBe(true);
    expect(r.user.id).toBe(a.user.id);
    expect(r.users).toContainEqual({ id: b.user.id, username: b.user.username, displayName: expect.any(String), avatarUrl: null });
    expect(r.users).toHaveLength(2);
    expect(r.friends).toContainEqual({ userId: b.user.id, conversationId });
    expect(r.presence).toEqual({ [b.user.id]: "online" });
    expect(r.conversations).toContainEqual({ id: conversationId, kind: "dm", memberIds: [b.user.id], createdAt: expect.any(String) });
    expect(r.spaces).toEqual([]);
    expect(r.voice).toEqual({});
    expect(r.call).toBeNull();
    expect(r.requests).toEqual({ incoming: [], outgoing: [] });
    ws.close();
    bs.close();
  });

  test("on the wire hello's lists come first in a hello:lists frame, the same for a second hello, then the reply with what changes by the second", async () => {
    const { a, b } = await pair();
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws`, { headers: { cookie: a.jar.header() } } as never);
    const frames: string[] = [];
    ws.addEventListener("message", (m) => frames.push(String(m.data)));
    await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
    for (const id of ["x1", "x2"]) ws.send(JSON.stringify({ id, type: "hello" }));
    while (frames.length < 4) await Bun.sleep(10);
    const [lists, reply, again, second] = frames.map((f) => JSON.parse(f));
    expect(lists.type).toBe("hello:lists");
    expect(lists.users.map((u: { id: string }) => u.id)).toEqual([b.user.id]);
    expect(Object.keys(reply).sort()).toEqual(["call", "callState", "liveCalls", "ok", "presence", "replyTo", "voice"]);
    expect(reply.replyTo).toBe("x1");
    expect(frames[2]).toBe(frames[0]!);
    expect(again.type).toBe("hello:lists");
    expect(second.replyTo).toBe("x2");
    ws.close();
  });

  test("hello carries the friend requests made while the user was away, both ways", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const c = await registerUser(node);
    await node.req("/api/friends/requests", { method: "POST", json: { username: a.user.username } }, b.jar);
    await node.req("/api/friends/requests", { method: "POST", json: { username: c.user.username } }, a.jar);
    const ws = await connectWs(base, a.jar);
    const r = await ws.request({ type: "hello" });
    expect(r.requests.incoming.map((q: { fromId: string }) => q.fromId)).toEqual([b.user.id]);
    expect(r.requests.outgoing.map((q: { toId: string }) => q.toId)).toEqual([c.user.id]);
    ws.close();
  });
});

describe("messages over the socket", () => {
  test("a sent message is acknowledged after commit and delivered to every device of every member", async () => {
    const { a, b, conversationId } = await pair();
    const a1 = await connectWs(base, a.jar);
    const a2 = await connectWs(base, a.jar);
    const b1 = await connectWs(base, b.jar);
    for (const s of [a1, a2, b1]) await s.request({ type: "hello" });
    const r = await a1.request({ type: "message:send", conversationId, clientId: "c-1", content: "hello there" });
    expect(r.ok).toBe(true);
    expect(r.message).toMatchObject({ conversationId, authorId: a.user.id, clientId: "c-1", content: "hello there", kind: "text" });
    // Durable before the ack: history already has it.
    const hist = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar)).json()) as { messages: Array<{ id: string }> };
    expect(hist.messages.map((m) => m.id)).toContain(r.message.id);
    for (const s of [a1, a2, b1]) {
      const e = await s.waitFor((e) => e.type === "message:new");
      expect(e.message.id).toBe(r.message.id);
    }
    for (const s of [a1, a2, b1]) s.close();
  });

  test("a DM keeps reaching the device left open when another closes, and a device that connects after all closed, once each", async () => {
    const { a, b, conversationId } = await pair();
    const post = (clientId: string) => node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId, content: clientId } }, a.jar);
    const heard = (s: Awaited<ReturnType<typeof connectWs>>, clientId: string) => s.waitFor((e) => e.type === "message:new" && e.message.clientId === clientId);
    const [b1, b2] = [await connectWs(base, b.jar), await connectWs(base, b.jar)];
    for (const s of [b1, b2]) await s.request({ type: "hello" });
    b1.close();
    await b1.closed;
    await post("d-1");
    await heard(b2, "d-1");
    b2.close();
    await b2.closed;
    const b3 = await connectWs(base, b.jar);
    await b3.request({ type: "hello" });
    await post("d-2");
    await post("d-3");
    await heard(b3, "d-3");
    expect(b3.events.filter((e) => e.type === "message:new").map((e) => e.message.clientId)).toEqual(["d-2", "d-3"]);
    b3.close();
  });

  test("a retried send with the same clientId returns the original, stores nothing twice and announces the same message again", async () => {
    const { a, b, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    const first = await as.request({ type: "message:send", conversationId, clientId: "retry-1", content: "once" });
    const again = await as.request({ type: "message:send", conversationId, clientId: "retry-1", content: "once" });
    expect(again.message.id).toBe(first.message.id);
    const rest = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: "retry-1", content: "once" } }, a.jar);
    expect(((await rest.json()) as { message: { id: string } }).message.id).toBe(first.message.id);
    await as.request({ type: "message:send", conversationId, clientId: "retry-2", content: "marker" });
    await bs.waitFor((e) => e.type === "message:new" && e.message.clientId === "retry-2");
    // Announced by the send and each retry, always as the one message (clients keep one copy per id).
    expect(bs.events.filter((e) => e.type === "message:new" && e.message.clientId === "retry-1").map((e) => e.message.id)).toEqual([first.message.id, first.message.id, first.message.id]);
    const hist = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, a.jar)).json()) as { messages: Array<{ clientId: string }> };
    expect(hist.messages.map((m) => m.clientId)).toEqual(["retry-1", "retry-2"]);
    as.close();
    bs.close();
  });

  test("a send that committed but lost its reply reaches the other members live when the sender retries", async () => {
    const { a, b, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    // The first try as a lost COMMIT reply leaves it: stored, never announced.
    const stored = await node.store.chat.insertMessage({ id: newId(), conversationId, authorId: a.user.id, clientId: "lost-reply", kind: "text", content: "did it go?", replyToId: null, now: new Date().toISOString() });
    const retry = await as.request({ type: "message:send", conversationId, clientId: "lost-reply", content: "did it go?" });
    expect(retry.message.id).toBe(stored.message.id);
    const live = await bs.waitFor((e) => e.type === "message:new" && e.message.clientId === "lost-reply");
    expect(live.message).toMatchObject({ id: stored.message.id, content: "did it go?" });
    as.close();
    bs.close();
  });

  test("a retry of a stored message still gets the original after the sender was blocked, and nothing new is stored", async () => {
    const { a, b, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    await as.request({ type: "hello" });
    const first = await as.request({ type: "message:send", conversationId, clientId: "before-block", content: "sent just in time" });
    expect((await node.req("/api/blocks", { method: "POST", json: { userId: a.user.id } }, b.jar)).status).toBe(204);
    const retry = await as.request({ type: "message:send", conversationId, clientId: "before-block", content: "sent just in time" });
    expect(retry).toMatchObject({ ok: true, message: { id: first.message.id } });
    const fresh = await as.request({ type: "message:send", conversationId, clientId: "after-block", content: "too late" });
    expect(fresh.error.code).toBe("FORBIDDEN");
    const hist = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, a.jar)).json()) as { messages: Array<{ id: string }> };
    expect(hist.messages.map((m) => m.id)).toEqual([first.message.id]);
    as.close();
  });

  test("typing and read marks reach the other member", async () => {
    const { a, b, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    await as.request({ type: "typing:start", conversationId });
    expect(await bs.waitFor((e) => e.type === "typing")).toEqual({ type: "typing", conversationId, userId: a.user.id, active: true });
    await as.request({ type: "typing:stop", conversationId });
    await bs.waitFor((e) => e.type === "typing" && e.active === false);
    const sent = await as.request({ type: "message:send", conversationId, clientId: "r-1", content: "read me" });
    expect((await bs.request({ type: "read:mark", conversationId, messageId: sent.message.id })).ok).toBe(true);
    expect(await as.waitFor((e) => e.type === "read:updated")).toEqual({ type: "read:updated", conversationId, userId: b.user.id, messageId: sent.message.id });
    const list = (await (await node.req("/api/conversations", {}, b.jar)).json()) as { conversations: Array<{ unreadCount: number; reads: Record<string, string> }> };
    expect(list.conversations[0]!.unreadCount).toBe(0);
    expect(list.conversations[0]!.reads[b.user.id]).toBe(sent.message.id);
    as.close();
    bs.close();
  });

  test("unread counts count the other side's messages after the read mark", async () => {
    const { a, b, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    for (let i = 0; i < 3; i++) await as.request({ type: "message:send", conversationId, clientId: `u-${i}`, content: `m${i}` });
    const view = async (jar: typeof a.jar) =>
      ((await (await node.req("/api/conversations", {}, jar)).json()) as { conversations: Array<{ unreadCount: number; lastMessage: { content: string } }> }).conversations[0]!;
    expect((await view(b.jar)).unreadCount).toBe(3);
    expect((await view(b.jar)).lastMessage.content).toBe("m2");
    expect((await view(a.jar)).unreadCount).toBe(0);
    as.close();
  });

  test("B offline while A sends 100: on return B gets all 100 in order, none twice", async () => {
    const { a, b, conversationId } = await pair();
    const bs = await connectWs(base, b.jar);
    const hello = await bs.request({ type: "hello" });
    const lastSeen: string | undefined = hello.conversations[0].lastMessage?.id;
    bs.close();
    await bs.closed;
    const as = await connectWs(base, a.jar);
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) sent.push((await as.request({ type: "message:send", conversationId, clientId: `off-${i}`, content: `offline ${i}` })).message.id);
    const back = await connectWs(base, b.jar);
    const h2 = await back.request({ type: "hello" });
    expect(h2.conversations[0].lastMessage.id).toBe(sent[99]);
    const got: string[] = [];
    let after = lastSeen;
    for (;;) {
      const r = await back.request({ type: "sync", conversationId, after, limit: 30 });
      got.push(...r.messages.map((m: { id: string }) => m.id));
      if (!r.hasMore) break;
      after = r.messages.at(-1).id;
    }
    expect(got).toEqual(sent);
    expect(new Set(got).size).toBe(100);
    as.close();
    back.close();
  });
});

describe("authorization", () => {
  test("a non-member can't send, read, sync, mark or type in a conversation, over REST or socket", async () => {
    const { a, conversationId } = await pair();
    const as = await connectWs(base, a.jar);
    const m = await as.request({ type: "message:send", conversationId, clientId: "secret", content: "private" });
    const eve = await registerUser(node);
    const es = await connectWs(base, eve.jar);
    await es.request({ type: "hello" });
    for (const frame of [
      { type: "message:send", conversationId, clientId: "x", content: "hi" },
      { type: "sync", conversationId },
      { type: "read:mark", conversationId, messageId: m.message.id },
      { type: "typing:start", conversationId },
    ]) {
      const r = await es.request(frame);
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe("FORBIDDEN");
    }
    for (const [method, path, json] of [
      ["GET", `/api/conversations/${conversationId}/messages`, undefined],
      ["POST", `/api/conversations/${conversationId}/messages`, { clientId: "y", content: "hi" }],
      ["POST", `/api/conversations/${conversationId}/read`, { messageId: m.message.id }],
      ["GET", `/api/conversations/${conversationId}`, undefined],
    ] as const) {
      const res = await node.req(path, { method, json }, eve.jar);
      expect(res.status).toBe(403);
    }
    await as.request({ type: "typing:start", conversationId });
    await as.request({ type: "message:send", conversationId, clientId: "secret-2", content: "still private" });
    await Bun.sleep(100);
    expect(es.events.filter((e) => e.type === "message:new" || e.type === "typing")).toEqual([]);
    as.close();
    es.close();
  });

  test("a blocked user can neither request nor message, and the DM becomes read-only", async () => {
    const { a, b, conversationId } = await pair();
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    expect((await node.req("/api/blocks", { method: "POST", json: { userId: b.user.id } }, a.jar)).status).toBe(204);
    const updated = await bs.waitFor((e) => e.type === "conversation:updated" && e.conversation.id === conversationId);
    expect(updated.conversation.readOnly).toBe("blocked");
    await bs.waitFor((e) => e.type === "friend:removed" && e.userId === a.user.id);
    const r = await bs.request({ type: "message:send", conversationId, clientId: "blocked-1", content: "hello?" });
    expect(r.error.code).toBe("FORBIDDEN");
    const req = await node.req("/api/friends/requests", { method: "POST", json: { userId: a.user.id } }, b.jar);
    expect(req.status).toBe(403);
    // History stays readable.
    expect((await node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar)).status).toBe(200);
    expect((await node.req(`/api/blocks/${b.user.id}`, { method: "DELETE" }, a.jar)).status).toBe(204);
    const c = (await (await node.req(`/api/conversations/${conversationId}`, {}, b.jar)).json()) as { conversation: { readOnly: boolean } };
    expect(c.conversation.readOnly).toBe(false);
    bs.close();
  });
});

describe("presence", () => {
  test("friends see online and offline; a non-friend receives nothing", async () => {
    const { a, b } = await pair();
    const stranger = await registerUser(node);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    const ss = await connectWs(base, stranger.jar);
    await ss.request({ type: "hello" });
    const as = await connectWs(base, a.jar);
    expect(await bs.waitFor((e) => e.type === "presence:update" && e.userId === a.user.id)).toMatchObject({ status: "online" });
    await as.request({ type: "presence:set", status: "dnd" });
    await bs.waitFor((e) => e.type === "presence:update" && e.userId === a.user.id && e.status === "dnd");
    as.close();
    await bs.waitFor((e) => e.type === "presence:update" && e.userId === a.user.id && e.status === "offline");
    await Bun.sleep(100);
    expect(ss.events.filter((e) => e.type === "presence:update")).toEqual([]);
    bs.close();
    ss.close();
  });

  test("invisible looks offline to everyone else", async () => {
    const { a, b } = await pair();
    const as = await connectWs(base, a.jar);
    await as.request({ type: "presence:set", status: "invisible" });
    const bs = await connectWs(base, b.jar);
    const hello = await bs.request({ type: "hello" });
    expect(hello.friends).toHaveLength(1);
    expect(hello.presence).toEqual({});
    const friends = (await (await node.req("/api/friends", {}, b.jar)).json()) as { friends: Array<{ presence: string }> };
    expect(friends.friends[0]!.presence).toBe("offline");
    as.close();
    bs.close();
  });
});

describe("limits and lifecycle", () => {
  test("a frame over the size limit closes the connection with 1009", async () => {
    const a = await registerUser(node);
    const ws = await connectWs(base, a.jar);
    ws.send("x".repeat(node.config.ws.maxFrameBytes + 10));
    expect((await ws.closed).code).toBe(1009);
  });

  test("logging out closes that session's sockets with 4401", async () => {
    const a = await registerUser(node);
    const ws = await connectWs(base, a.jar);
    await ws.request({ type: "hello" });
    await node.req("/api/auth/logout", { method: "POST" }, a.jar);
    expect((await ws.closed).code).toBe(4401);
  });
});

describe("limits with tight settings", () => {
  let tight: TestNode;
  let tbase: string;
  beforeAll(async () => {
    tight = await startNode({ WS_RATE_PER_SECOND: "5", WS_BURST: "5", ACCESS_TTL_SECONDS: "6", WS_STALE_SECONDS: "2" });
    tbase = `http://127.0.0.1:${tight.listen().port}`;
  });
  afterAll(() => tight.dispose());

  test("a flood gets RATE_LIMITED replies, and sustained abuse closes the socket with 1008", async () => {
    const a = await registerUser(tight);
    const ws = await connectWs(tbase, a.jar);
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 20 }, () => ws.request({ type: "presence:heartbeat" })));
    // The bucket refills at 5/s while the flood is served; a slow machine may earn a token or two back.
    const refilled = Math.floor(((performance.now() - started) / 1000) * 5);
    const ok = replies.filter((r) => r.ok).length;
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(5 + refilled);
    expect(replies.filter((r) => !r.ok).every((r) => r.error.code === "RATE_LIMITED")).toBe(true);
    for (let i = 0; i < 100; i++) ws.send({ type: "presence:heartbeat" });
    expect((await ws.closed).code).toBe(1008);
  });

  test("malformed frames spend the same budget: a flood of binary or broken JSON is closed with 1008", async () => {
    for (const junk of [new Uint8Array([1, 2, 3]), "{not json"]) {
      const a = await registerUser(tight);
      const ws = await connectWs(tbase, a.jar);
      for (let i = 0; i < 200; i++) ws.send(junk as never);
      expect((await ws.closed).code).toBe(1008);
      const codes = ws.events.filter((e) => e.type === "error").map((e) => e.error.code);
      expect(codes.slice(0, 5)).toEqual(Array(5).fill("VALIDATION_ERROR"));
      expect(codes.slice(5).every((c) => c === "RATE_LIMITED")).toBe(true);
    }
  });

  test("a malformed or unknown frame gets VALIDATION_ERROR naming the frame's id", async () => {
    const a = await registerUser(tight);
    const ws = await connectWs(tbase, a.jar);
    for (const frame of [{ type: "no:such-frame" }, { type: "message:send", conversationId: 5 }]) {
      const r = await ws.request(frame);
      expect(r).toMatchObject({ ok: false, error: { code: "VALIDATION_ERROR" } });
      await Bun.sleep(250);
    }
    ws.close();
  });

  test("the socket closes with 4401 when the access token expires", async () => {
    const a = await registerUser(tight);
    const ws = await connectWs(tbase, a.jar);
    const keepAlive = setInterval(() => ws.send({ type: "presence:heartbeat" }), 500);
    expect((await ws.closed).code).toBe(4401);
    clearInterval(keepAlive);
  }, 15_000);

  test("a connection silent past the heartbeat timeout is reaped", async () => {
    const a = await registerUser(tight);
    const ws = await connectWs(tbase, a.jar);
    expect((await ws.closed).code).toBe(4408);
  }, 15_000);
});
