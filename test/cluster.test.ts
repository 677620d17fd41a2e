/**
 * Two nodes, one deployment: PostgreSQL for data and Redis for the bus. A user on one node
 * talks to a user on the other exactly as on a single node.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";

const REDIS = process.env.TEST_REDIS_URL;
const enabled = Boolean(TEST_DATABASE_URL && REDIS);
if (!enabled) console.warn("cluster: skipped — needs TEST_DATABASE_URL and TEST_REDIS_URL");

describe.skipIf(!enabled)("two nodes on PostgreSQL and Redis", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let n1: TestNode;
  let n2: TestNode;
  let b1: string;
  let b2: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = { DATABASE_URL: db.url, REDIS_URL: REDIS!, REDIS_CHANNEL: `parley:test:${db.url.split("/").pop()}`, JWT_SECRET: "cluster-test-secret-cluster-test-secret!!" };
    n1 = await startNode(shared);
    n2 = await startNode(shared);
    b1 = `http://127.0.0.1:${n1.listen().port}`;
    b2 = `http://127.0.0.1:${n2.listen().port}`;
  });
  afterAll(async () => {
    await n1?.dispose();
    await n2?.dispose();
    await db?.drop();
  });

  test("a session from one node is valid on the other, and events cross nodes through Redis", async () => {
    const a = await registerUser(n1);
    const b = await registerUser(n2);
    // Same database, same signing key: a's cookies work on node 2.
    expect((await n2.req("/api/users/me", {}, a.jar)).status).toBe(200);
    const aWs = await connectWs(b1, a.jar);
    const bWs = await connectWs(b2, b.jar);
    await aWs.request({ type: "hello" });
    await bWs.request({ type: "hello" });
    const req = (await (await n1.req("/api/friends/requests", { method: "POST", json: { username: b.user.username } }, a.jar)).json()) as { request: { id: string } };
    await bWs.waitFor((e) => e.type === "friend:request");
    const acc = (await (await n2.req(`/api/friends/requests/${req.request.id}/accept`, { method: "POST" }, b.jar)).json()) as { conversationId: string };
    await aWs.waitFor((e) => e.type === "conversation:new");
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push((await aWs.request({ type: "message:send", conversationId: acc.conversationId, clientId: `x${i}`, content: `across ${i}` })).message.id);
    }
    await bWs.waitFor((e) => e.type === "message:new" && e.message.id === sent[19]);
    expect(bWs.events.filter((e) => e.type === "message:new").map((e) => e.message.id)).toEqual(sent);
    await bWs.request({ type: "typing:start", conversationId: acc.conversationId });
    await aWs.waitFor((e) => e.type === "typing" && e.userId === b.user.id);
    aWs.close();
    bWs.close();
  });

  test("presence spans nodes: online while a connection on any node is", async () => {
    const a = await registerUser(n1);
    const b = await registerUser(n2);
    const req = (await (await n1.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar)).json()) as { request: { id: string } };
    await n2.req(`/api/friends/requests/${req.request.id}/accept`, { method: "POST" }, b.jar);
    const bWs = await connectWs(b2, b.jar);
    await bWs.request({ type: "hello" });
    const a1 = await connectWs(b1, a.jar);
    await bWs.waitFor((e) => e.type === "presence:update" && e.userId === a.user.id && e.status === "online");
    const a2 = await connectWs(b2, a.jar);
    await a2.request({ type: "hello" });
    a1.close();
    await Bun.sleep(200);
    const friends = (await (await n1.req("/api/friends", {}, b.jar)).json()) as { friends: Array<{ presence: string }> };
    expect(friends.friends[0]!.presence).toBe("online");
    a2.close();
    await bWs.waitFor((e) => e.type === "presence:update" && e.userId === a.user.id && e.status === "offline");
    bWs.close();
  });

  test("logging out on one node closes the session's socket on the other", async () => {
    const a = await registerUser(n1);
    const ws = await connectWs(b2, a.jar);
    await ws.request({ type: "hello" });
    await n1.req("/api/auth/logout", { method: "POST" }, a.jar);
    expect((await ws.closed).code).toBe(4401);
  });
});
