/**
 * Redis restarts under a running node (a redis-server of this test's own, on a port of its own):
 * /readyz reports the bus down and then up again, sends keep being stored meanwhile, and the
 * bus, presence and call registries come back by themselves — no node restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { until } from "./support/browser";
import { freePort, registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";

const REDIS_SERVER = Bun.which("redis-server");
if (!REDIS_SERVER) console.warn("redisRestart: skipped — needs redis-server on PATH");

describe.skipIf(!REDIS_SERVER)("Redis restart", () => {
  const port = freePort();
  let redis: Subprocess | undefined;
  let node: TestNode;
  let base: string;
  const startRedis = async () => {
    redis = Bun.spawn([REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
    await until("redis-server to listen", async () => {
      try {
        (await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })).end();
        return true;
      } catch {
        return false;
      }
    }, 30_000);
  };
  const stopRedis = async () => {
    redis?.kill();
    await redis?.exited;
  };
  beforeAll(async () => {
    await startRedis();
    node = await startNode({ REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: "silent" });
    base = `http://127.0.0.1:${node.listen().port}`;
  }, 60_000);
  afterAll(async () => {
    await node?.dispose();
    await stopRedis();
  }, 60_000);

  test("the bus and registries reconnect by themselves, readyz follows, and nothing sent meanwhile is lost or doubled", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const aWs = await connectWs(base, a.jar);
    const bWs = await connectWs(base, b.jar);
    await aWs.request({ type: "hello" });
    await bWs.request({ type: "hello" });
    const send = (content: string) => aWs.request({ type: "message:send", conversationId, clientId: content, content });
    const heard = (content: string) => bWs.waitFor((e) => e.type === "message:new" && e.message.content === content);
    expect((await send("before")).ok).toBe(true);
    await heard("before");

    await stopRedis();
    await until("readyz to report the bus down", async () => (await node.req("/readyz")).status === 503, 30_000);
    expect(await (await node.req("/readyz")).json()).toMatchObject({ store: "up", bus: "down" });
    // The store still takes messages; their live delivery is lost, the client's sync brings them.
    expect((await send("during")).ok).toBe(true);

    await startRedis();
    await until("readyz to report the bus up", async () => (await node.req("/readyz")).status === 200, 30_000);
    expect((await send("after")).ok).toBe(true);
    await heard("after");
    // The call registry is back too: a call can be placed and answered.
    const { callId } = await aWs.request({ type: "call:invite", conversationId, media: { audio: true, video: false } });
    await bWs.waitFor((e) => e.type === "call:incoming" && e.callId === callId);
    expect((await bWs.request({ type: "call:accept", callId })).ok).toBe(true);

    const page = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar)).json()) as { messages: Array<{ content: string }> };
    const contents = page.messages.map((m) => m.content).filter((c) => ["before", "during", "after"].includes(c));
    expect(contents.sort()).toEqual(["after", "before", "during"]);
    const live = bWs.events.filter((e) => e.type === "message:new").map((e) => e.message.content);
    expect(live).toEqual(["before", "after"]);
    aWs.close();
    bWs.close();
  }, 60_000);
});
