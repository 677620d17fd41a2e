/**
 * Redis restarts under two nodes on PostgreSQL (a redis-server of this test's own), with the web
 * client's socket sending on one and reading on the other: /readyz on both follows, and the
 * reader shows every message once — live before and after, through `sync` after the node's
 * 1012 what was sent while Redis was down (or live as well, when the sending node announces it
 * after the reader's node is back). test/redisRestart.test.ts has one node's details.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { WS_CLOSE } from "../src/shared/protocol";
import { until } from "./support/browser";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";
import { ownRedis, REDIS_SERVER } from "./support/redis-server";
import { befriend } from "./support/social";
import { senderAndReader, streamSends, syncAll } from "./support/stream";
import { placeCallAcrossNodes } from "./support/wsCalls";

const enabled = Boolean(REDIS_SERVER && TEST_DATABASE_URL);
if (!enabled) console.warn("redisRestartCluster: skipped — needs redis-server on PATH and TEST_DATABASE_URL");

/** Messages sent before the restart, while Redis is down, and after it. */
const EACH = 10;

describe.skipIf(!enabled)("Redis restart under two nodes", () => {
  const redis = ownRedis();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let n1: TestNode;
  let n2: TestNode;
  let b1: string;
  let b2: string;
  const ready = async (node: TestNode) => (await node.req("/readyz")).status;
  beforeAll(async () => {
    await redis.start();
    db = await createTestDatabase();
    const shared = { DATABASE_URL: db.url, REDIS_URL: redis.url, JWT_SECRET: "redis-restart-secret-redis-restart-secret!!", LOG_LEVEL: "silent" };
    n1 = await startNode(shared);
    n2 = await startNode(shared);
    b1 = `http://127.0.0.1:${n1.listen().port}`;
    b2 = `http://127.0.0.1:${n2.listen().port}`;
  }, 60_000);
  afterAll(async () => {
    await n1?.dispose();
    await n2?.dispose();
    await db?.drop();
    await redis.stop();
  }, 60_000);

  test("readyz follows on both nodes, and a reader on the other node than the sender shows every message once: live before and after, through sync what was sent while Redis was down", async () => {
    const a = await registerUser(n1);
    const b = await registerUser(n2);
    const conversationId = await befriend(n1, a, b);
    // a sends on node 1; b's device reads on node 2.
    const closes: number[] = [];
    const { sender, reader } = await senderAndReader(b1, a.jar, b2, b.jar, conversationId, closes);
    const sendAll = async (tag: string) => {
      const { acked, done } = streamSends(sender, conversationId, tag, EACH, 2);
      await done;
      return acked;
    };
    const heardLive = (tag: string) => reader.liveIds.filter((id) => reader.timeline.get(id)?.clientId?.startsWith(tag));

    const before = await sendAll("before");
    await until("the reader to hear what was sent before", () => heardLive("before").length >= EACH);

    await redis.stop();
    await until("readyz to report the bus down on both nodes", async () => (await ready(n1)) === 503 && (await ready(n2)) === 503, 30_000);
    expect(await (await n1.req("/readyz")).json()).toMatchObject({ store: "up", bus: "down" });
    // The store still takes messages. The sending node announces them once its publisher is back,
    // which reaches the reader live only if its node's subscription was back first: sync brings them either way.
    const during = await sendAll("during");

    await redis.start();
    await until("readyz to report the bus up on both nodes", async () => (await ready(n1)) === 200 && (await ready(n2)) === 200, 30_000);
    await until("the reader to be told to reconnect, and to catch up", () => reader.hellos() >= 2 && reader.socket.state === "open", 15_000);
    await reader.caughtUp();
    await until("the sender to be back too", () => sender.state === "open");
    const after = await sendAll("after");
    await until("the reader to hear what was sent after", () => heardLive("after").length >= EACH, 15_000);

    const stored = (await syncAll((frame) => reader.socket.request(frame as never), conversationId)).filter((m) => /^(before|during|after)/.test(m.clientId ?? ""));
    const shown = [...reader.timeline.values()].map((m) => m.clientId).filter((c) => /^(before|during|after)/.test(c ?? ""));
    const acked = new Map([...before, ...during, ...after]);
    const seen = {
      acknowledged: acked.size,
      stored: stored.length,
      storedOnce: new Set(stored.map((m) => m.clientId)).size,
      ackedIdsStored: stored.filter((m) => acked.get(m.clientId!) === m.id).length,
      shownByReader: shown.length,
      shownByReaderOnce: new Set(shown).size,
      heardLiveBefore: new Set(heardLive("before")).size,
      heardLiveAfter: new Set(heardLive("after")).size,
      readerClosedWith: closes[0],
    };
    expect(seen).toEqual({
      acknowledged: 3 * EACH,
      stored: 3 * EACH,
      storedOnce: 3 * EACH,
      ackedIdsStored: 3 * EACH,
      shownByReader: 3 * EACH,
      shownByReaderOnce: 3 * EACH,
      heardLiveBefore: EACH,
      heardLiveAfter: EACH,
      readerClosedWith: WS_CLOSE.RESTART,
    });

    // Presence is back (Redis lost it; the clients' reconnects wrote it again) and so is the call registry: a call placed across nodes is answered.
    await until("a to show online to b again", async () => ((await (await n2.req("/api/friends", {}, b.jar)).json()) as { friends: Array<{ presence: string }> }).friends[0]?.presence === "online", 15_000);
    const { aWs, bWs } = await placeCallAcrossNodes({ base: b1, jar: a.jar }, { base: b2, jar: b.jar }, conversationId);
    sender.stop();
    reader.socket.stop();
    aWs.close();
    bWs.close();
  }, 90_000);
});
