/** The SQLite connection settings every store opens with. */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteDialect } from "../src/server/store/dialects";

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
