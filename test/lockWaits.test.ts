/**
 * PostgreSQL: a statement outside a transaction that waits on a row lock (here an account's
 * profile update while another transaction holds that account's row) must not hold up anyone
 * else's queries on the node. Bun.SQL pipelines concurrent queries on its connections, so a read
 * placed behind the waiting statement on its connection waited as long as the lock was held.
 * Nor may the breaker take a long lock wait for a hung connection where pg_stat_activity cannot
 * tell it (track_activities off).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { newId } from "../src/shared/ids";
import { openStore } from "../src/server/store/open";
import type { KyselyStore } from "../src/server/store/store";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";

setDefaultTimeout(30_000);
if (!TEST_DATABASE_URL) console.warn("lockWaits: skipped — needs TEST_DATABASE_URL");

/** The lock is held for HOLD_MS; every other query must answer well within it. */
const HOLD_MS = 2000;
const BOUND_MS = 500;
const READS = 30;

const iso = () => new Date().toISOString();

describe.skipIf(!TEST_DATABASE_URL)("statements waiting on row locks on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let raw: SQL;
  beforeAll(async () => {
    db = await createTestDatabase();
    raw = new SQL({ url: db.url, max: 1 });
  });
  afterAll(async () => {
    await raw.close();
    await db.drop();
  });

  let n = 0;
  const user = async (store: KyselyStore) => {
    const i = ++n;
    return (await store.accounts.createUser({ id: newId(), email: `l${i}@example.com`, username: `lock_${i}`, displayName: `L ${i}`, passwordHash: "hash", now: iso() })).id;
  };

  for (const poolSize of [10, 3]) {
    test(`on a pool of ${poolSize}, an update waiting on a locked account answers after the lock, while ${READS} reads and two updates of other accounts answer at once`, async () => {
      const store = await openStore({ kind: "postgres", url: db.url, poolSize });
      const [locked, reader, writer] = [await user(store), await user(store), await user(store)];
      // Fill the pool, so the waiting update has neighbours on every connection.
      await Promise.all(Array.from({ length: poolSize * 3 }, () => store.accounts.userById(reader)));
      const holding = await raw.reserve();
      await holding.unsafe("begin");
      await holding.unsafe("update users set updated_at = $2 where id = $1", [locked, iso()]);
      const released = Bun.sleep(HOLD_MS).then(async () => {
        await holding.unsafe("commit");
        holding.release();
      });
      const t0 = performance.now();
      let waitedMs = -1;
      const waiting = store.accounts.updateUser(locked, { displayName: "Waited" }, iso()).then((row) => {
        waitedMs = performance.now() - t0;
        return row;
      });
      await Bun.sleep(50);
      const timed = async (p: () => Promise<unknown>) => {
        const t = performance.now();
        await p();
        return Math.round(performance.now() - t);
      };
      const others = await Promise.all([
        ...Array.from({ length: READS }, () => timed(() => store.accounts.userById(reader))),
        ...[1, 2].map((k) => timed(() => store.accounts.updateUser(writer, { displayName: `Other ${k}` }, iso()))),
      ]);
      expect(others.filter((ms) => ms >= BOUND_MS)).toEqual([]);
      // The update was still waiting all along: the lock was what held it.
      expect(waitedMs).toBe(-1);
      await released;
      expect((await waiting)?.display_name).toBe("Waited");
      expect(waitedMs).toBeGreaterThanOrEqual(HOLD_MS - 100);
      await store.close();
    });
  }

  test("where the database does not track what its connections run (track_activities off), an update waiting on a row lock for three times DATABASE_TIMEOUT_MS answers once the lock is released instead of being given up as hung", async () => {
    const blind = await createTestDatabase();
    const admin = new SQL({ url: blind.url, max: 1 });
    const timeoutMs = 300;
    let store: KyselyStore | undefined;
    try {
      // Sessions opened from now on show only state 'disabled' in pg_stat_activity.
      await admin.unsafe(`alter database ${new URL(blind.url).pathname.slice(1)} set track_activities = off`);
      const hung: string[] = [];
      store = await openStore({ kind: "postgres", url: blind.url, poolSize: 3, timeoutMs }, [], { onHung: (text) => hung.push(text) });
      const locked = await user(store);
      const holding = await admin.reserve();
      await holding.unsafe("begin");
      await holding.unsafe("update users set updated_at = $2 where id = $1", [locked, iso()]);
      const waiting = store.accounts.updateUser(locked, { displayName: "Waited" }, iso()).then(
        (row) => row?.display_name,
        (err: unknown) => `failed: ${(err as { code?: string }).code}`,
      );
      await Bun.sleep(3 * timeoutMs);
      await holding.unsafe("commit");
      holding.release();
      expect(await waiting).toBe("Waited");
      expect(hung).toEqual([]);
    } finally {
      await store?.close();
      await admin.close();
      await blind.drop();
    }
  });
});
