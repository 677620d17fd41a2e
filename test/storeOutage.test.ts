/**
 * PostgreSQL out of reach (a proxy in front of the shared server, cut and restored): requests
 * and frames fail at once with 503 STORE_UNAVAILABLE, /readyz says the store is down, the node
 * keeps running, and once the database is back everything works again without a restart: a
 * client streaming through the outage gets every message acknowledged, stored and heard once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "./support/browser";
import { registerUser, startNodeBehindProxy, type TestNode } from "./support/parley";
import { TEST_DATABASE_URL } from "./support/postgres";
import type { TcpProxy } from "./support/tcp-proxy";
import { befriend } from "./support/social";
import { storedOfStream, streamBetweenFriends } from "./support/stream";
import { connectWs } from "./support/ws";

if (!TEST_DATABASE_URL) console.warn("storeOutage: skipped — needs TEST_DATABASE_URL");

/** How soon a request must fail while the database is out of reach: under the adapter's 5 s bound on a connect. */
const FAST_MS = 4000;
const MESSAGES = 100;
const IN_FLIGHT = 4;

describe.skipIf(!TEST_DATABASE_URL)("PostgreSQL unavailable", () => {
  let node: TestNode;
  let base: string;
  let proxy: TcpProxy;
  let dispose = async () => {};
  beforeAll(async () => void ({ node, base, proxy, dispose } = await startNodeBehindProxy()), 60_000);
  afterAll(() => dispose(), 60_000);

  test("requests fail fast with 503 STORE_UNAVAILABLE, readyz reports the store down, and all recovers when it returns", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const ws = await connectWs(base, a.jar);
    await ws.request({ type: "hello" });
    const send = (clientId: string) => ws.request({ type: "message:send", conversationId, clientId, content: clientId });
    const before = await send("before");
    expect(before.ok).toBe(true);

    proxy.cut();
    // Fast: well inside the 5 s bound on a connect, never a hang.
    const cutAt = Date.now();
    const list = await node.req("/api/conversations", {}, a.jar);
    expect(list.status).toBe(503);
    expect(list.headers.get("retry-after")).toBe("1");
    expect(((await list.json()) as { error: { code: string } }).error.code).toBe("STORE_UNAVAILABLE");
    const refused = await Promise.all(["down1", "down2", "down3"].map(send));
    expect(refused.map((r) => r.error?.code)).toEqual(["STORE_UNAVAILABLE", "STORE_UNAVAILABLE", "STORE_UNAVAILABLE"]);
    expect(Date.now() - cutAt).toBeLessThan(FAST_MS);
    const ready = await node.req("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: "UNAVAILABLE" }, store: "down", bus: "up" });
    expect((await node.req("/healthz")).status).toBe(200);
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);

    proxy.restore();
    await until("readyz to report the store up", async () => (await node.req("/readyz")).status === 200, 15_000);
    expect(await (await node.req("/readyz")).json()).toEqual({ ok: true, store: "up", bus: "up" });
    expect((await node.req("/api/conversations", {}, a.jar)).status).toBe(200);
    // The client sends a refused message again with its clientId; it is stored once.
    const retried = await Promise.all(["down1", "after"].map(send));
    expect(retried.map((r) => r.ok)).toEqual([true, true]);
    const page = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, a.jar)).json()) as { messages: Array<{ content: string }> };
    const contents = page.messages.map((m) => m.content).filter((c) => ["before", "down1", "down2", "down3", "after"].includes(c));
    expect(contents.sort()).toEqual(["after", "before", "down1"]);
    ws.close();
  }, 60_000);

  test("a stream of sends through an outage: each is retried by the web client's socket until acknowledged, stored once, and heard once by a reader who stayed connected", async () => {
    const { conversationId, sender, reader, acked, done } = await streamBetweenFriends(node, base, "o", MESSAGES, IN_FLIGHT);
    await until("the first acknowledgements", () => acked.size >= 30);
    // Cut with sends in flight: some are refused, some may commit without their answer getting back.
    proxy.cut();
    const ackedBefore = acked.size;
    await Bun.sleep(2500);
    const ackedWhileDown = acked.size - ackedBefore;
    proxy.restore();
    await done;

    const { stored, counts } = await storedOfStream(reader, conversationId, "o", acked);
    const storedIds = new Set(stored.map((m) => m.id));
    await until("the reader to have heard every stored message", () => [...storedIds].every((id) => reader.timeline.has(id)), 10_000);
    const heard = reader.liveIds.filter((id) => storedIds.has(id));
    const seen = {
      ...counts,
      heardOnce: new Set(heard).size,
      // Without a reconnect the reader never synced: everything it shows came live.
      readerReconnected: reader.hellos() > 1,
    };
    console.log(`storeOutage: ${MESSAGES} sent, ${JSON.stringify(seen)}; ${ackedWhileDown} acknowledged while the database was cut, ${heard.length - new Set(heard).size} repeated events`);
    expect(seen).toEqual({ acknowledged: MESSAGES, stored: MESSAGES, storedOnce: MESSAGES, ackedIdsStored: MESSAGES, heardOnce: MESSAGES, readerReconnected: false });
    sender.stop();
    reader.socket.stop();
  }, 60_000);
});
