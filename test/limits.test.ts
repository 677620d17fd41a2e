/** Per-user budgets: socket caps, one write bucket shared by REST and sockets, expensive reads, friend requests per target. */
import { afterAll, describe, expect, test } from "bun:test";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs, type WsClient } from "./support/ws";
import { befriend } from "./support/social";

const nodes: TestNode[] = [];
afterAll(() => Promise.all(nodes.map((n) => n.dispose())));

/** A node with these budgets; rates are near zero so nothing refills during a test. */
async function nodeWith(env: Record<string, string>): Promise<{ node: TestNode; base: string }> {
  const node = await startNode({ WRITE_RATE_PER_SECOND: "0.0001", READ_RATE_PER_SECOND: "0.0001", ...env });
  nodes.push(node);
  return { node, base: `http://127.0.0.1:${node.listen().port}` };
}

async function upgrade(base: string, jar: CookieJar): Promise<{ status: number; code?: string }> {
  const res = await fetch(base + "/ws", {
    headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", cookie: jar.header() },
  });
  const body = res.status === 101 ? null : ((await res.json()) as { error: { code: string } });
  return { status: res.status, code: body?.error.code };
}

async function signInAgain(node: TestNode, u: { user: { username: string }; password: string }): Promise<CookieJar> {
  const jar = new CookieJar();
  const res = await node.req("/api/auth/login", { method: "POST", json: { login: u.user.username, password: u.password } }, jar);
  expect(res.status).toBe(200);
  return jar;
}

describe("socket caps", () => {
  test("an upgrade beyond the session's or the account's cap is refused with 429 TOO_MANY_CONNECTIONS; other sockets and users are unaffected", async () => {
    const { node, base } = await nodeWith({ WS_MAX_PER_USER: "3", WS_MAX_PER_SESSION: "2" });
    const a = await registerUser(node);
    const other = await registerUser(node);
    const first = [await connectWs(base, a.jar), await connectWs(base, a.jar)];
    expect(await upgrade(base, a.jar)).toEqual({ status: 429, code: "TOO_MANY_CONNECTIONS" });

    const second = await signInAgain(node, a);
    const third = await connectWs(base, second);
    expect(await upgrade(base, second)).toEqual({ status: 429, code: "TOO_MANY_CONNECTIONS" });

    for (const ws of [...first, third]) expect((await ws.request({ type: "hello" })).ok).toBe(true);
    const theirs = await connectWs(base, other.jar);
    expect((await theirs.request({ type: "hello" })).ok).toBe(true);

    // A closed socket frees its place.
    first[0]!.close();
    await first[0]!.closed;
    await Bun.sleep(50);
    const again = await connectWs(base, a.jar);
    expect((await again.request({ type: "hello" })).ok).toBe(true);
    for (const ws of [first[1]!, third, theirs, again]) ws.close();
  });

  test("at the node's global connection cap other requests get 503 but /healthz still answers 200", async () => {
    const { node, base } = await nodeWith({ MAX_CONNECTIONS: "2" });
    const users = [await registerUser(node), await registerUser(node)];
    const sockets = await Promise.all(users.map((u) => connectWs(base, u.jar)));
    const refused = await fetch(`${base}/api/auth/providers`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/healthz`)).status).toBe(200);
    for (const ws of sockets) ws.close();
  });
});

describe("write budget", () => {
  test("one user's writes over 10 sockets and REST share one bucket; the excess gets RATE_LIMITED with a retry time, and other users are unaffected", async () => {
    const { node, base } = await nodeWith({ WRITE_BURST: "20" });
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b); // a's friend request is one write
    const sockets: WsClient[] = await Promise.all(Array.from({ length: 10 }, () => connectWs(base, a.jar)));
    let n = 0;
    const viaSocket = sockets.flatMap((ws) =>
      [0, 1, 2].map(async () => {
        const r = await ws.request({ type: "message:send", conversationId, clientId: `s${++n}`, content: "hi" });
        return r.ok ? "ok" : `${r.error.code}:${r.error.retryAfter > 0}`;
      }),
    );
    const viaRest = Array.from({ length: 10 }, async (_, i) => {
      const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { content: "hi", clientId: `r${i}` } }, a.jar);
      return res.status === 201 ? "ok" : `${((await res.json()) as { error: { code: string } }).error.code}:${Number(res.headers.get("retry-after")) > 0}`;
    });
    const results = await Promise.all([...viaSocket, ...viaRest]);
    expect(results.filter((r) => r === "ok")).toHaveLength(19);
    expect(results.filter((r) => r !== "ok")).toEqual(Array(21).fill("RATE_LIMITED:true"));

    const theirs = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { content: "still here", clientId: "b1" } }, b.jar);
    expect(theirs.status).toBe(201);
    for (const ws of sockets) ws.close();
  });

  test("friend requests to one person are capped per hour, even when each is cancelled; others can still be asked", async () => {
    const { node } = await nodeWith({ FRIEND_REQUESTS_PER_TARGET: "2" });
    const [a, b, c] = [await registerUser(node), await registerUser(node), await registerUser(node)];
    const ask = (to: { user: { username: string } }) => node.req("/api/friends/requests", { method: "POST", json: { username: to.user.username } }, a.jar);
    for (let i = 0; i < 2; i++) {
      const res = await ask(b);
      expect(res.status).toBe(201);
      const { request } = (await res.json()) as { request: { id: string } };
      expect((await node.req(`/api/friends/requests/${request.id}`, { method: "DELETE" }, a.jar)).status).toBe(204);
    }
    const third = await ask(b);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect((await ask(c)).status).toBe(201);
  });
});

describe("expensive reads", () => {
  test("hello and list endpoints share one read budget per user", async () => {
    const { node, base } = await nodeWith({ READ_BURST: "3" });
    const a = await registerUser(node);
    const b = await registerUser(node);
    const ws = await connectWs(base, a.jar);
    expect((await ws.request({ type: "hello" })).ok).toBe(true);
    expect((await ws.request({ type: "hello" })).ok).toBe(true);
    expect((await node.req("/api/spaces", {}, a.jar)).status).toBe(200);
    const refused = await node.req("/api/friends", {}, a.jar);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const r = await ws.request({ type: "hello" });
    expect(r.error.code).toBe("RATE_LIMITED");
    expect(r.error.retryAfter).toBeGreaterThan(0);
    expect((await node.req("/api/spaces", {}, b.jar)).status).toBe(200);
    ws.close();
  });

  test("a visitor's invite previews are budgeted per client address", async () => {
    const { node } = await nodeWith({ READ_BURST: "3" });
    const preview = (ip: string) => node.req("/api/invites/nonexistent", { ip });
    for (let i = 0; i < 3; i++) expect((await preview("10.1.1.1")).status).toBe(404);
    expect((await preview("10.1.1.1")).status).toBe(429);
    expect((await preview("10.1.1.2")).status).toBe(404);
  });
});

describe("space cap", () => {
  test("a user at MAX_SPACES_PER_USER can neither create nor join another space (LIMIT_REACHED); leaving one makes room", async () => {
    const { node } = await nodeWith({ MAX_SPACES_PER_USER: "2", WRITE_BURST: "1000" });
    const a = await registerUser(node);
    const host = await registerUser(node);
    const create = async (jar: CookieJar, name: string) => node.req("/api/spaces", { method: "POST", json: { name } }, jar);
    const { space: joined } = (await (await create(host.jar, "Host's")).json()) as { space: { id: string } };
    const { invite } = (await (await node.req(`/api/spaces/${joined.id}/invites`, { method: "POST", json: {} }, host.jar)).json()) as { invite: { code: string } };
    expect((await create(a.jar, "One")).status).toBe(201);
    expect((await node.req(`/api/invites/${invite.code}/accept`, { method: "POST" }, a.jar)).status).toBe(200);

    const over = await create(a.jar, "Three");
    expect(over.status).toBe(409);
    expect(((await over.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: "LIMIT_REACHED", details: { max: 2 } });
    const { spaces } = (await (await node.req("/api/spaces", {}, a.jar)).json()) as { spaces: unknown[] };
    expect(spaces).toHaveLength(2);

    expect((await node.req(`/api/spaces/${joined.id}/leave`, { method: "POST" }, a.jar)).status).toBe(204);
    expect((await create(a.jar, "Three")).status).toBe(201);
    const rejoin = await node.req(`/api/invites/${invite.code}/accept`, { method: "POST" }, a.jar);
    expect(((await rejoin.json()) as { error: { code: string } }).error.code).toBe("LIMIT_REACHED");
  });
});
