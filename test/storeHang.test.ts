/**
 * PostgreSQL that hangs rather than refuses (a proxy in front of the shared server that stops
 * forwarding, on open connections and on those it accepts meanwhile): once the store has found
 * out, requests fail at once with 503 STORE_UNAVAILABLE instead of each waiting on a connection
 * that never answers, /readyz says the store is down, and when the database answers again
 * requests flow without a restart and every acknowledged message is stored. When only the
 * pool's open connections hang and fresh ones answer, the requests on them fail instead, those
 * connections are dropped and the store stays up. A statement waiting
 * on a row lock for longer than the timeout does not mark the store down, nor does a database
 * slower to connect than the timeout that the probe, given twice as long, still reaches, or one
 * so far that each answer takes most of the timeout.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createLogger } from "../src/server/obs/log";
import { until } from "./support/browser";
import { registerUser, startNodeBehindProxy, type TestNode } from "./support/parley";
import { TEST_DATABASE_URL } from "./support/postgres";
import type { TcpProxy } from "./support/tcp-proxy";
import { storedOfStream, streamBetweenFriends } from "./support/stream";

if (!TEST_DATABASE_URL) console.warn("storeHang: skipped — needs TEST_DATABASE_URL");

/** DATABASE_TIMEOUT_MS of the node: a connect, or a query before the database is probed. */
const TIMEOUT_MS = 2000;
const REQUESTS = 40;
const AT_ONCE = 4;
const MESSAGES = 100;
const IN_FLIGHT = 4;
/** A far database's answers: a connect (one round trip) and a query each well within the timeout, but a probe of three round trips is not within twice it. */
const FAR_MS = 0.75 * TIMEOUT_MS;
/** Over the timeout, so the pool's connects time out, and under the probe's twice the timeout. */
const SLOW_CONNECT_MS = 1.3 * TIMEOUT_MS;
const MARKED_DOWN = "PostgreSQL marked down";
const HUNG = "PostgreSQL connection hung";
/** How soon a request on a hung connection must answer: overdue after one timeout, then two probes a watch apart. */
const HUNG_ANSWER_TIMEOUTS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(!TEST_DATABASE_URL)("PostgreSQL that hangs", () => {
  let node: TestNode;
  let base: string;
  let proxy: TcpProxy;
  let directUrl: string;
  let dispose = async () => {};
  const logs: string[] = [];
  const log = createLogger("info", (line) => void logs.push(line));
  beforeAll(async () => void ({ node, base, proxy, directUrl, dispose } = await startNodeBehindProxy({ DATABASE_TIMEOUT_MS: String(TIMEOUT_MS), DATABASE_POOL_SIZE: "4" }, { log })), 60_000);
  afterAll(() => dispose(), 60_000);

  /** Locks the user's row from a connection of its own (not through the proxy) until release(). */
  const lockUser = async (userId: string) => {
    const raw = new SQL({ url: directUrl, max: 1 });
    const holding = await raw.reserve();
    await holding.unsafe("begin");
    await holding.unsafe("select id from users where id = $1 for update", [userId]);
    return {
      async release() {
        await holding.unsafe("commit");
        holding.release();
      },
      close: () => raw.close(),
    };
  };

  test(`while PostgreSQL hangs, ${REQUESTS} requests after the first answer 503 STORE_UNAVAILABLE each well within the timeout, /readyz reports the store down, and once it answers again requests flow and every acknowledged message is stored once`, async () => {
    const { a, conversationId, sender, reader, acked, done } = await streamBetweenFriends(node, base, "h", MESSAGES, IN_FLIGHT);
    await until("the first acknowledgements", () => acked.size >= 30);

    proxy.hang();
    const hungAt = performance.now();
    // The node finds out from the sends in flight: a query unanswered for the timeout, then a probe unanswered for twice as long.
    // (A request refused meanwhile says less: one whose connect timed out is refused with the store up.)
    await until("the store to be marked down", () => logs.some((line) => line.includes(MARKED_DOWN)), 6 * TIMEOUT_MS);
    const foundOutMs = performance.now() - hungAt;

    // A few at a time, as users' requests come in: a burst of all at once would time the node's CPU, not the wait.
    const answers: Array<{ status: number; code?: string; retryAfter: string | null; ms: number }> = [];
    for (let i = 0; i < REQUESTS; i += AT_ONCE) {
      const wave = Array.from({ length: AT_ONCE }, async () => {
        const t0 = performance.now();
        const res = await node.req("/api/conversations", {}, a.jar);
        const body = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: body.error?.code, retryAfter: res.headers.get("retry-after"), ms: performance.now() - t0 };
      });
      answers.push(...(await Promise.all(wave)));
    }
    const readyAt = performance.now();
    const ready = await node.req("/readyz");
    const readyMs = performance.now() - readyAt;
    const ms = answers.map((x) => x.ms);
    console.log(`storeHang: found out ${Math.round(foundOutMs)} ms after the hang; ${REQUESTS} requests then answered in p50 ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (timeout ${TIMEOUT_MS} ms); /readyz in ${readyMs.toFixed(1)} ms`);
    expect(answers.filter((x) => x.status === 503 && x.code === "STORE_UNAVAILABLE" && x.retryAfter === "1").length).toBe(REQUESTS);
    expect(median(ms)).toBeLessThan(TIMEOUT_MS / 10);
    expect(Math.max(...ms)).toBeLessThan(TIMEOUT_MS / 2);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: "UNAVAILABLE" }, store: "down" });
    expect(readyMs).toBeLessThan(TIMEOUT_MS / 4);
    expect(logs.filter((line) => line.includes(MARKED_DOWN))).toHaveLength(1);
    expect((await node.req("/healthz")).status).toBe(200);
    const ackedBeforeRestore = acked.size;

    proxy.restore();
    const restoredAt = performance.now();
    await until("readyz to report the store up", async () => (await node.req("/readyz")).status === 200, 15_000);
    const recoveredMs = performance.now() - restoredAt;
    expect((await node.req("/api/conversations", {}, a.jar)).status).toBe(200);
    await done;

    const { counts: seen } = await storedOfStream(reader, conversationId, "h", acked);
    console.log(`storeHang: ${MESSAGES} sent, ${JSON.stringify(seen)}; ${ackedBeforeRestore} acknowledged before the database answered again, ready ${Math.round(recoveredMs)} ms after`);
    expect(seen).toEqual({ acknowledged: MESSAGES, stored: MESSAGES, storedOnce: MESSAGES, ackedIdsStored: MESSAGES });
    sender.stop();
    reader.socket.stop();
  }, 90_000);

  test("an update waiting on a row lock for three times the timeout answers once the lock is released, and meanwhile the store stays up", async () => {
    const a = await registerUser(node);
    const since = logs.length;
    const lock = await lockUser(a.user.id);
    try {
      const t0 = performance.now();
      const waiting = node.req("/api/users/me", { method: "PATCH", json: { displayName: "Waited" } }, a.jar).then((res) => ({ status: res.status, ms: performance.now() - t0 }));
      const readiness: number[] = [];
      while (performance.now() - t0 < 3 * TIMEOUT_MS) {
        readiness.push((await node.req("/readyz")).status);
        await Bun.sleep(200);
      }
      await lock.release();
      const updated = await waiting;
      expect(updated.status).toBe(200);
      expect(updated.ms).toBeGreaterThan(3 * TIMEOUT_MS);
      expect(readiness.filter((s) => s !== 200)).toEqual([]);
      expect(logs.slice(since).filter((line) => line.includes(MARKED_DOWN))).toEqual([]);
      expect((await node.req("/api/conversations", {}, a.jar)).status).toBe(200);
    } finally {
      await lock.close();
    }
  }, 60_000);

  test(`a database whose every answer comes ${FAR_MS} ms late is never marked down: the probe, given twice the timeout (${2 * TIMEOUT_MS} ms), asks in as few round trips (a connect, then one query) as its time allows`, async () => {
    const a = await registerUser(node);
    const since = logs.length;
    const lock = await lockUser(a.user.id);
    try {
      proxy.delay(FAR_MS);
      // Waits on the lock past the timeout, so the node probes meanwhile.
      const waiting = node.req("/api/users/me", { method: "PATCH", json: { displayName: "Far" } }, a.jar).then((res) => res.status);
      await Bun.sleep(2 * TIMEOUT_MS);
      await lock.release();
      expect(await waiting).toBe(200);
      await Bun.sleep(2 * TIMEOUT_MS);
      expect(logs.slice(since).filter((line) => line.includes(MARKED_DOWN))).toEqual([]);
    } finally {
      proxy.delay(null);
      await lock.close();
    }
  }, 60_000);

  test("a connect slower than the timeout fails its own request, but the probe, given twice the timeout, gets an answer and the store is never marked down", async () => {
    const a = await registerUser(node);
    const since = logs.length;
    proxy.slowConnects(SLOW_CONNECT_MS);
    // Drops the pool's open connections, so that the next request opens one (once the pool has seen them close).
    proxy.cut();
    proxy.restore();
    await Bun.sleep(300);
    const slow = await node.req("/api/conversations", {}, a.jar);
    expect(slow.status).toBe(503);
    // The probe that connect timeout started takes SLOW_CONNECT_MS; wait out all the time it has.
    await Bun.sleep(2 * TIMEOUT_MS + 500);
    proxy.slowConnects(null);
    expect(logs.slice(since).filter((line) => line.includes(MARKED_DOWN))).toEqual([]);
    expect((await node.req("/api/conversations", {}, a.jar)).status).toBe(200);
  }, 30_000);

  test(`the pool's open connections hang while fresh ones answer: each of ${REQUESTS} reads made meanwhile answers 200 or 503 STORE_UNAVAILABLE within ${HUNG_ANSWER_TIMEOUTS} timeouts, the hung connections are closed, the store is never marked down, later requests succeed and every acknowledged message is stored once`, async () => {
    const since = logs.length;
    const { a, conversationId, sender, reader, acked, done } = await streamBetweenFriends(node, base, "p", MESSAGES, IN_FLIGHT);
    await until("the first acknowledgements", () => acked.size >= 30);

    // Like a NAT that dropped those flows: what the node sends on them is lost; connections it opens later work.
    proxy.hang();
    proxy.restore();
    const limit = HUNG_ANSWER_TIMEOUTS * TIMEOUT_MS;
    const answers: Array<{ status: number | "none"; code?: string; ms: number }> = [];
    for (let i = 0; i < REQUESTS; i += AT_ONCE) {
      const wave = Array.from({ length: AT_ONCE }, async () => {
        const t0 = performance.now();
        const res = await Promise.race([node.req("/api/conversations", {}, a.jar), Bun.sleep(limit).then(() => null)]);
        const body = res && ((await res.json()) as { error?: { code: string } });
        return { status: res?.status ?? ("none" as const), code: body?.error?.code, ms: performance.now() - t0 };
      });
      answers.push(...(await Promise.all(wave)));
    }
    const refused = answers.filter((x) => x.status === 503 && x.code === "STORE_UNAVAILABLE").length;
    const ms = answers.map((x) => x.ms);
    const hungClosed = await until("the hung connections to be closed", () => proxy.hungOpen() === 0, 3 * TIMEOUT_MS).then(() => true, () => false);
    const sent = await Promise.race([done.then(() => true), Bun.sleep(30_000).then(() => false)]);
    const { counts: seen } = await storedOfStream(reader, conversationId, "p", acked);
    const hungLogs = logs.slice(since).filter((line) => line.includes(HUNG)).length;
    console.log(`storeHang: hung pooled connections: ${REQUESTS} reads, ${refused} refused, max ${Math.round(Math.max(...ms))} ms (timeout ${TIMEOUT_MS} ms); ${hungLogs} queries given up; ${proxy.hungOpen()} hung connections open; ${JSON.stringify(seen)}`);
    expect(answers.filter((x) => x.status === 200).length + refused).toBe(REQUESTS);
    expect(hungClosed).toBe(true);
    expect(refused).toBeGreaterThan(0);
    expect(hungLogs).toBeGreaterThan(0);
    expect(logs.slice(since).filter((line) => line.includes(MARKED_DOWN))).toEqual([]);
    expect((await node.req("/api/conversations", {}, a.jar)).status).toBe(200);
    expect(sent).toBe(true);
    expect(seen).toEqual({ acknowledged: MESSAGES, stored: MESSAGES, storedOnce: MESSAGES, ackedIdsStored: MESSAGES });
    sender.stop();
    reader.socket.stop();
  }, 90_000);
});
