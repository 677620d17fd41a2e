/**
 * PostgreSQL, two message batches in flight: the later one has written its rows (uncommitted,
 * holding their locks) and waits for the earlier one to commit. Nobody may be held up behind
 * that wait: not a transaction needing a row the batch locked (its channel, its author), not
 * the same sends arriving on another node, not the queries of other users.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { newId } from "../src/shared/ids";
import { openStore } from "../src/server/store/open";
import type { KyselyStore } from "../src/server/store/store";
import type { NewMessage } from "../src/server/store/chat";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";

setDefaultTimeout(30_000);
if (!TEST_DATABASE_URL) console.warn("batch locks: skipped — needs TEST_DATABASE_URL");

/** Well under the 5 s turn bound the stall used to last, with room for a loaded machine. */
const BOUND_MS = 1500;

const iso = () => new Date().toISOString();
const turn = () => new Promise((r) => setImmediate(r));
const timed = async <T>(p: Promise<T>) => {
  const t = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t };
};

describe.skipIf(!TEST_DATABASE_URL)("message batches in flight on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: KyselyStore;
  /** Another node: its own pool and batches on the same database. */
  let other: KyselyStore;
  let raw: SQL;
  beforeAll(async () => {
    db = await createTestDatabase();
    const database = { kind: "postgres" as const, url: db.url, poolSize: 10 };
    store = await openStore(database);
    other = await openStore(database);
    raw = new SQL({ url: db.url, max: 2 });
  });
  afterAll(async () => {
    await raw.close();
    await other.close();
    await store.close();
    await db.drop();
  });

  let n = 0;
  const user = async () => {
    const i = ++n;
    return (await store.accounts.createUser({ id: newId(), email: `b${i}@example.com`, username: `batch_${i}`, displayName: `B ${i}`, passwordHash: "hash", now: iso() })).id;
  };
  const channels = async (count: number) => {
    const owner = await user();
    const ids = Array.from({ length: count }, () => newId());
    await store.spaces.createSpace({ id: newId(), name: "S", ownerId: owner, now: iso(), channels: ids.map((id, i) => ({ id, name: `c${i}`, kind: "text" as const })) });
    return ids;
  };
  const msg = (authorId: string, conversationId: string, clientId: string): NewMessage => ({ id: newId(), conversationId, authorId, clientId, kind: "text", content: clientId, replyToId: null, now: iso() });

  test("a transaction holding a row the earlier batch needs and waiting for one the later batch locked is not stalled, and both sends are answered", async () => {
    const [c1, c2] = await channels(2);
    const [a, v] = [await user(), await user()];
    // A space deletion that has removed its first channel and reaches the next (deleteSpace does both in one statement).
    const deleting = await raw.reserve();
    await deleting.unsafe("begin");
    await deleting.unsafe("delete from conversations where id = $1", [c1!]);
    const earlier = store.chat.insertMessage(msg(a, c1!, "into-the-first")).then(() => "stored", (e) => `refused: ${e}`);
    await turn();
    const later = store.chat.insertMessage(msg(v, c2!, "into-the-second")).then(() => "stored", (e) => `refused: ${e}`);
    // Let the later batch write its row (it then waits for the earlier one, which waits for the deletion).
    await Bun.sleep(200);
    const second = await timed(deleting.unsafe("delete from conversations where id = $1", [c2!]).then((r) => r.count));
    await deleting.unsafe("commit");
    deleting.release();
    expect(second.value).toBe(1);
    expect(second.ms).toBeLessThan(BOUND_MS);
    // Both channels are gone: neither send was stored, and each was told so.
    expect([await earlier, await later].map((s) => s.split(":")[0])).toEqual(["refused", "refused"]);
  });

  test("erasing an account whose send waits its turn is not held up by another account's transaction holding the earlier batch", async () => {
    const [c] = await channels(1);
    const [a, v] = [await user(), await user()];
    // Some transaction on account a (its own erasure, say) holds a's row for 2 s.
    const holding = await raw.reserve();
    await holding.unsafe("begin");
    await holding.unsafe("select 1 from users where id = $1 for update", [a]);
    const earlier = store.chat.insertMessage(msg(a, c!, "a-send"));
    await turn();
    const later = store.chat.insertMessage(msg(v, c!, "v-send"));
    await Bun.sleep(200);
    const released = Bun.sleep(2000).then(async () => {
      await holding.unsafe("rollback");
      holding.release();
    });
    const erasing = await timed(store.deletion.erase(v, iso()));
    await released;
    expect(erasing.ms).toBeLessThan(BOUND_MS);
    // Both sends answered once and stored once, v's under its now erased account.
    const [e, l] = await Promise.all([earlier, later]);
    expect([e.created, l.created]).toEqual([true, true]);
    expect((await store.chat.messages(c!, { limit: 10 })).map((m) => m.client_id)).toEqual(["a-send", "v-send"]);
  });

  test("on a pool of 3, deleting the channel of a send that waits its turn neither waits for the earlier batch nor leaves the node without a connection", async () => {
    const [c1, c2] = await channels(2);
    const [a, v, w] = [await user(), await user(), await user()];
    const narrow = await openStore({ kind: "postgres", url: db.url, poolSize: 3 });
    const holding = await raw.reserve();
    await holding.unsafe("begin");
    await holding.unsafe("select 1 from users where id = $1 for update", [a]);
    // The earlier batch waits for a's row on one connection, the later one holds another.
    const earlier = narrow.chat.insertMessage(msg(a, c1!, "a-send"));
    await turn();
    const later = narrow.chat.insertMessage(msg(v, c2!, "v-send")).then(() => "stored", () => "refused");
    await Bun.sleep(200);
    const released = Bun.sleep(2000).then(async () => {
      await holding.unsafe("rollback");
      holding.release();
    });
    // A statement outside a transaction, on the pool: blocked, it held the last connection (everyone's reads waited 2 s).
    const deleting = await timed(narrow.spaces.deleteChannel(c2!));
    await released;
    expect(deleting.ms).toBeLessThan(BOUND_MS);
    expect((await earlier).created).toBe(true);
    expect(await later).toBe("refused");
    expect((await narrow.accounts.userById(w))?.id).toBe(w);
    await narrow.close();
  });

  test("the same sends on two nodes in crossed order are each stored once, answered alike on both, and hold up nobody", async () => {
    const [c] = await channels(1);
    const others = await Promise.all(Array.from({ length: 8 }, () => user()));
    // Created last, so its rows sort last in each statement: its key is the last one a batch reaches.
    const u = await user();
    const crowd = (tag: string) => Array.from({ length: 255 }, (_, i) => msg(others[i % others.length]!, c!, `${tag}-${i}`));
    const started = performance.now();
    // Each node's first batch: 255 others' sends then one of u's; its second: u's other send.
    const firsts = [...[...crowd("one"), msg(u, c!, "k1")].map((m) => store.chat.insertMessage(m)), ...[...crowd("two"), msg(u, c!, "k2")].map((m) => other.chat.insertMessage(m))];
    await turn();
    const seconds = [store.chat.insertMessage(msg(u, c!, "k2")), other.chat.insertMessage(msg(u, c!, "k1"))];
    const results = await Promise.all([...firsts, ...seconds]);
    const took = performance.now() - started;
    expect(took).toBeLessThan(BOUND_MS);
    expect(results.filter((r) => r.created).length).toBe(512);
    const k1 = (await store.chat.messageByClientId(u, "k1"))!.id;
    const k2 = (await store.chat.messageByClientId(u, "k2"))!.id;
    expect([results[255]!.message.id, results[513]!.message.id]).toEqual([k1, k1]);
    expect([results[511]!.message.id, results[512]!.message.id]).toEqual([k2, k2]);
    const stored = await store.chat.messages(c!, { limit: 1000 });
    expect(stored.length).toBe(512);
  });
});
