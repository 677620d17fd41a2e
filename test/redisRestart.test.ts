/**
 * Redis restarts under a running node (a redis-server of this test's own, on a port of its own):
 * /readyz reports the bus down and then up again, sends keep being stored meanwhile, the bus,
 * presence and call registries come back by themselves — no node restart — and the node's
 * clients are made to reconnect, which registers their presence again and brings them, through
 * sync, what was sent while their events could not be delivered.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "./support/browser";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { ownRedis, REDIS_SERVER } from "./support/redis-server";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";

if (!REDIS_SERVER) console.warn("redisRestart: skipped — needs redis-server on PATH");

describe.skipIf(!REDIS_SERVER)("Redis restart", () => {
  const redis = ownRedis();
  let node: TestNode;
  let base: string;
  beforeAll(async () => {
    await redis.start();
    node = await startNode({ REDIS_URL: redis.url, LOG_LEVEL: "silent" });
    base = `http://127.0.0.1:${node.listen().port}`;
  }, 60_000);
  afterAll(async () => {
    await node?.dispose();
    await redis.stop();
  }, 60_000);

  test("the bus and registries reconnect by themselves, readyz follows, and clients are made to reconnect and catch up on what was sent meanwhile, once each", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    let aWs = await connectWs(base, a.jar);
    let bWs = await connectWs(base, b.jar);
    await aWs.request({ type: "hello" });
    await bWs.request({ type: "hello" });
    const send = (content: string) => aWs.request({ type: "message:send", conversationId, clientId: content, content });
    const heard = (content: string) => bWs.waitFor((e) => e.type === "message:new" && e.message.content === content);
    const before = await send("before");
    expect(before.ok).toBe(true);
    await heard("before");

    await redis.stop();
    await until("readyz to report the bus down", async () => (await node.req("/readyz")).status === 503, 30_000);
    expect(await (await node.req("/readyz")).json()).toMatchObject({ store: "up", bus: "down" });
    // The store still takes messages; their live delivery is lost.
    const during = ["during 1", "during 2", "during 3"];
    for (const content of during) expect((await send(content)).ok).toBe(true);

    await redis.start();
    await until("readyz to report the bus up", async () => (await node.req("/readyz")).status === 200, 30_000);
    // Their sockets stayed open through the outage: nothing else would tell the clients what they
    // missed, so the node closes them as for a restart, and they reconnect and sync.
    expect([(await aWs.closed).code, (await bWs.closed).code]).toEqual([1012, 1012]);
    expect(bWs.events.filter((e) => e.type === "message:new").map((e) => e.message.content)).toEqual(["before"]);
    aWs = await connectWs(base, a.jar);
    await aWs.request({ type: "hello" });
    bWs = await connectWs(base, b.jar);
    const hello = await bWs.request({ type: "hello" });
    // The restarted Redis had forgotten every presence; a's reconnect registered it again.
    expect(hello.presence).toEqual({ [a.user.id]: "online" });
    const caught = await bWs.request({ type: "sync", conversationId, after: before.message.id });
    expect(caught.messages.map((m: { content: string }) => m.content)).toEqual(during);
    expect((await send("after")).ok).toBe(true);
    await heard("after");
    // The call registry is back too: a call can be placed and answered.
    const { callId } = await aWs.request({ type: "call:invite", conversationId, media: { audio: true, video: false } });
    await bWs.waitFor((e) => e.type === "call:incoming" && e.callId === callId);
    expect((await bWs.request({ type: "call:accept", callId })).ok).toBe(true);

    const page = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar)).json()) as { messages: Array<{ content: string }> };
    const contents = page.messages.map((m) => m.content).filter((c) => ["before", ...during, "after"].includes(c));
    expect(contents.sort()).toEqual(["after", "before", ...during].sort());
    expect(bWs.events.filter((e) => e.type === "message:new").map((e) => e.message.content)).toEqual(["after"]);
    aWs.close();
    bWs.close();
  }, 60_000);
});
