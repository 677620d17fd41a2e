/** The SQLite connection settings every store opens with, and what VACUUM must not break. */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { sqliteDialect } from "../src/server/store/dialects";
import type { KyselyStore } from "../src/server/store/store";
import { registerUser, startNode } from "./support/parley";
import { befriend } from "./support/social";
import { json } from "./support/spaces";

test("SQLite runs in WAL mode with foreign keys, a busy timeout and commits that survive a power cut", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-sqlite-"));
  const { raw } = sqliteDialect(join(dir, "t.db"));
  const pragma = (name: string) => Object.values(raw.query(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
  expect(pragma("journal_mode")).toBe("wal");
  expect(pragma("foreign_keys")).toBe(1);
  expect(pragma("busy_timeout")).toBe(5000);
  // 2 = FULL: an acknowledged message is on disk, not only in the OS cache.
  expect(pragma("synchronous")).toBe(2);
  raw.close();
  rmSync(dir, { recursive: true, force: true });
});

test("message search stays in step through VACUUM: FTS5 rows are keyed by the messages' rowids, which VACUUM keeps", async () => {
  const node = await startNode();
  try {
    const [alice, bob] = [await registerUser(node), await registerUser(node)];
    const dm = await befriend(node, alice, bob);
    const post = async (conversationId: string, content: string) =>
      (await json(await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, alice.jar))).message.id as string;
    const space = (await json(await node.req("/api/spaces", { method: "POST", json: { name: "Gone" } }, alice.jar))).space;
    const kept: string[] = [];
    for (let i = 0; i < 30; i++) {
      // Rows of a space deleted below leave gaps among the DM's rowids for VACUUM to close, if it renumbered.
      await post(space.channels[0].id, `doomed number${i}`);
      kept.push(await post(dm, `kept number${i} word${i}`));
    }
    expect((await node.req(`/api/spaces/${space.id}`, { method: "DELETE", json: { confirm: "Gone" } }, alice.jar)).status).toBe(204);
    await sql`vacuum`.execute((node.store as KyselyStore).db);
    const search = async (q: string) => ((await json(await node.req(`/api/search?q=${q}&limit=50`, {}, bob.jar))).hits as Array<{ message: { id: string } }>).map((h) => h.message.id);
    expect((await node.req(`/api/messages/${kept[3]}`, { method: "PATCH", json: { content: "edited after vacuum" } }, alice.jar)).status).toBe(200);
    expect((await node.req(`/api/messages/${kept[7]}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
    expect(await search("word3")).toEqual([]);
    expect(await search("edited")).toEqual([kept[3]!]);
    expect(await search("word7")).toEqual([]);
    expect(await search("word1")).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 1].map((i) => kept[i]!));
    expect(await search("number")).toEqual(kept.filter((_, i) => i !== 3 && i !== 7).toReversed());
    expect(await search("doomed")).toEqual([]);
  } finally {
    await node.dispose();
  }
});
