/**
 * A node pointed at a database or Redis it cannot use stops at once with one line that names the
 * setting, the address (password hidden) and the reason — what an operator acts on — and no stack
 * trace. Real processes: what matters is what `bun src/server/main.ts` prints and its exit code.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/parley";
import { TEST_DATABASE_URL } from "./support/postgres";

const MAIN = join(import.meta.dir, "../src/server/main.ts");

async function start(env: Record<string, string>): Promise<{ code: number; stderr: string; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), "parley-startup-"));
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(freePort()), DATA_DIR: dir, LOG_LEVEL: "warn", ...env },
    stdout: "ignore",
    stderr: "pipe",
  });
  const stderr = await new Response(proc.stderr).text();
  const code = await proc.exited;
  rmSync(dir, { recursive: true, force: true });
  return { code, stderr: stderr.trim(), ms: performance.now() - t0 };
}

/** Nothing listens there: freePort hands out a port nobody has bound. */
const closedPort = () => freePort();

describe("start-up against services it cannot use", () => {
  test("a PostgreSQL nobody listens at: exit 1 and one line naming DATABASE_URL, its address without the password, and what to check", async () => {
    const r = await start({ DATABASE_URL: `postgres://parley:hunter2secret@127.0.0.1:${closedPort()}/parley` });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^DATABASE_URL: cannot use postgres:\/\/parley:\*\*\*@127\.0\.0\.1:\d+\/parley: could not connect \(is PostgreSQL running there/);
    expect(r.stderr).not.toContain("hunter2secret");
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);

  test.skipIf(!TEST_DATABASE_URL)("a database that does not exist on a live PostgreSQL: the server's reason and that it must be created first", async () => {
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = "/parley_no_such_database";
    const r = await start({ DATABASE_URL: url.toString() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`DATABASE_URL: cannot use ${url}: database "parley_no_such_database" does not exist (create it first: Parley creates its tables, not the database)`);
  }, 30_000);

  test("a SQLite file in a directory that does not exist: DATABASE_URL and the reason", async () => {
    const r = await start({ DATABASE_URL: "sqlite:/nonexistent-parley-dir/parley.db" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("DATABASE_URL: cannot use sqlite:/nonexistent-parley-dir/parley.db: unable to open database file");
  }, 30_000);

  test("a Redis nobody listens at: exit 1 and one line naming REDIS_URL and what to check", async () => {
    const r = await start({ REDIS_URL: `redis://127.0.0.1:${closedPort()}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^REDIS_URL: cannot use redis:\/\/127\.0\.0\.1:\d+: could not connect \(is Redis running there, and are the host and port right\?\)$/);
  }, 30_000);
});
