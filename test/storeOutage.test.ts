/**
 * PostgreSQL out of reach (a proxy in front of the shared server, cut and restored): requests
 * and frames fail at once with 503 STORE_UNAVAILABLE, /readyz says the store is down, the node
 * keeps running, and once the database is back everything works again without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "./support/browser";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";

if (!TEST_DATABASE_URL) console.warn("storeOutage: skipped — needs TEST_DATABASE_URL");

describe.skipIf(!TEST_DATABASE_URL)("PostgreSQL unavailable", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let node: TestNode;
  let base: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const real = new URL(db.url);
    proxy = startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const via = new URL(db.url);
    via.port = String(proxy.port);
    node = await startNode({ DATABASE_URL: via.href });
    base = `http://127.0.0.1:${node.listen().port}`;
  }, 60_000);
  afterAll(async () => {
    await node?.dispose();
    proxy?.close();
    await db?.drop();
  }, 60_000);

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
    const list = await node.req("/api/conversations", {}, a.jar);
    expect(list.status).toBe(503);
    expect(list.headers.get("retry-after")).toBe("1");
    expect(((await list.json()) as { error: { code: string } }).error.code).toBe("STORE_UNAVAILABLE");
    const refused = await Promise.all(["down1", "down2", "down3"].map(send));
    expect(refused.map((r) => r.error?.code)).toEqual(["STORE_UNAVAILABLE", "STORE_UNAVAILABLE", "STORE_UNAVAILABLE"]);
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
});
