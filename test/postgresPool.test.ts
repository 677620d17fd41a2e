/**
 * DATABASE_POOL_SIZE is the number of PostgreSQL connections a node opens, however many
 * requests and sends are under way: counted by PostgreSQL itself (pg_stat_activity).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";
import { befriend } from "./support/social";

if (!TEST_DATABASE_URL) console.warn("postgresPool: skipped — needs TEST_DATABASE_URL");

const POOL = 3;
const CONCURRENT = 200;

describe.skipIf(!TEST_DATABASE_URL)("the PostgreSQL pool", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let node: TestNode;
  let admin: SQL;
  beforeAll(async () => {
    db = await createTestDatabase();
    node = await startNode({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: String(POOL) });
    admin = new SQL({ url: TEST_DATABASE_URL, max: 1 });
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await node?.dispose();
    await db?.drop();
  }, 60_000);

  test(`a node with DATABASE_POOL_SIZE=${POOL} holds at most ${POOL} connections while ${CONCURRENT} sends and reads are under way, and answers them all`, async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const name = db.url.split("/").pop()!;
    const counts: number[] = [];
    let busy = true;
    const sampling = (async () => {
      while (busy) {
        const [row] = await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${name}`;
        counts.push(row.n as number);
        await Bun.sleep(2);
      }
    })();
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        i % 2 === 0
          ? node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { content: `pool ${i}`, clientId: `pool${i}` } }, a.jar).then((r) => r.status)
          : node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar).then((r) => r.status),
      ),
    );
    busy = false;
    await sampling;
    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const most = Math.max(...counts);
    console.log(`postgresPool: ${counts.length} samples, at most ${most} connections (pool ${POOL})`);
    // More than one: the pool is used, not a single connection; never more than configured.
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(POOL);
  }, 60_000);
});
