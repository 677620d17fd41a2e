/** Test harness: a real Parley node on a fresh SQLite file (or the test PostgreSQL). */
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { loadConfig, type Config } from "../../src/server/config";
import { S3FileStore } from "../../src/server/files/s3-file-store";
import { createParley, type Parley } from "../../src/server/server";
import type { KyselyStore } from "../../src/server/store/store";
import { createTestDatabase } from "./postgres";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export function testConfig(env: Record<string, string> = {}): { config: Readonly<Config>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "parley-test-"));
  const config = loadConfig({
    DATA_DIR: dir,
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_RATE_LIMIT: "100000",
    // Suites replay many users' worth of actions from one account; limits.test.ts sets real budgets.
    WRITE_BURST: "100000",
    READ_BURST: "100000",
    ...env,
  });
  return { config, dir };
}

export interface TestNode extends Parley {
  dir: string;
  /** In-process request with the given cookie jar (cookies are updated from Set-Cookie). */
  req(path: string, init?: RequestInit & { json?: unknown; ip?: string }, jar?: CookieJar): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * With TEST_STORE=postgres (and TEST_DATABASE_URL) every node gets a fresh PostgreSQL database
 * of its own, so the service suites run unchanged against the second dialect.
 */
export async function startNode(env: Record<string, string> = {}, opts: Parameters<typeof createParley>[1] = {}): Promise<TestNode> {
  const pg = process.env.TEST_STORE === "postgres" && !env.DATABASE_URL ? await createTestDatabase() : null;
  const { config, dir } = testConfig(pg ? { ...env, DATABASE_URL: pg.url } : env);
  // As main.ts does: a bucket in the env puts the node's files there.
  const files = opts.files ?? (config.files.kind === "s3" ? new S3FileStore(config.files, config.dataDir) : undefined);
  const parley = await createParley(config, { ...opts, files });
  return {
    ...parley,
    dir,
    async req(path, init = {}, jar) {
      const headers = new Headers(init.headers);
      if (init.json !== undefined) headers.set("content-type", "application/json");
      if (jar && jar.size > 0) headers.set("cookie", jar.header());
      const res = await parley.app.request(
        path,
        { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body },
        { ip: init.ip ?? "10.0.0.1" },
      );
      jar?.update(res);
      return res;
    },
    async dispose() {
      await parley.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A node on a throwaway PostgreSQL database that it reaches through a TCP proxy the test can cut or hang; `directUrl` bypasses the proxy. */
export async function startNodeBehindProxy(env: Record<string, string> = {}, opts: Parameters<typeof createParley>[1] = {}): Promise<{ node: TestNode; base: string; proxy: TcpProxy; directUrl: string; dispose(): Promise<void> }> {
  const db = await createTestDatabase();
  const real = new URL(db.url);
  const proxy = startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  const via = new URL(db.url);
  via.port = String(proxy.port);
  const dispose = async () => {
    proxy.close();
    await db.drop();
  };
  const node = await startNode({ ...env, DATABASE_URL: via.href }, opts).catch(async (err) => {
    await dispose();
    throw err;
  });
  const base = `http://127.0.0.1:${node.listen().port}`;
  return {
    node,
    base,
    proxy,
    directUrl: db.url,
    async dispose() {
      await node.dispose();
      await dispose();
    },
  };
}

export class CookieJar {
  readonly #cookies = new Map<string, string>();
  get size() {
    return this.#cookies.size;
  }
  get(name: string) {
    return this.#cookies.get(name);
  }
  set(name: string, value: string) {
    this.#cookies.set(name, value);
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  update(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a)) || value === "";
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

let counter = 0;
/** Registers a fresh user, signs them in and returns their cookie jar. */
export async function registerUser(node: TestNode, name?: string): Promise<{ jar: CookieJar; user: { id: string; username: string; email: string }; password: string }> {
  const username = name ?? `user_${process.pid}_${++counter}`;
  const password = "correct horse battery";
  const jar = new CookieJar();
  const email = `${username}@example.com`;
  const res = await node.req("/api/auth/register", { method: "POST", json: { email, username, password } }, jar);
  if (res.status === 201) return { jar, user: ((await res.json()) as { user: { id: string; username: string; email: string } }).user, password };
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  // HIDE_REGISTERED_EMAILS: registration starts no session. The web client signs in next; a
  // session started directly spares suites a second argon2id per user.
  const user = await node.store.accounts.userByEmail(email);
  if (!user) throw new Error(`register did not create ${email}`);
  const tokens = await node.auth.startSession(user.id, { ip: "10.0.0.1", userAgent: "test" });
  jar.set("access_token", tokens.accessToken);
  jar.set("refresh_token", tokens.refreshToken);
  return { jar, user: { id: user.id, username: user.username, email: user.email }, password };
}

/** A free TCP port on 127.0.0.1, for when PUBLIC_URL must be known before the node starts. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/**
 * Every row of every table of the node's database, as sorted JSON lines per table: compare two
 * snapshots to prove exactly what an action wrote. Reaches into the store's Kysely (test only).
 */
export async function snapshotTables(node: TestNode): Promise<Map<string, string[]>> {
  const db = (node.store as KyselyStore).db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const out = new Map<string, string[]>();
  // The search index (SQLite FTS5 and its shadow tables) mirrors messages: its changes are theirs.
  for (const t of tables.filter((t) => !t.isView && !t.name.startsWith("messages_fts"))) {
    const rows = await db.selectFrom(t.name).selectAll().execute();
    out.set(t.name, rows.map((r) => JSON.stringify(r)).sort());
  }
  return out;
}

/** Per table, the rows only in `after` (added) and only in `before` (removed); unchanged tables are left out. */
export function tableChanges(before: Map<string, string[]>, after: Map<string, string[]>): Record<string, { added: string[]; removed: string[] }> {
  const changes: Record<string, { added: string[]; removed: string[] }> = {};
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = new Set(before.get(name) ?? []);
    const a = new Set(after.get(name) ?? []);
    const added = [...a].filter((r) => !b.has(r));
    const removed = [...b].filter((r) => !a.has(r));
    if (added.length || removed.length) changes[name] = { added, removed };
  }
  return changes;
}

/** One node for a whole test file, listening on a free port; its fields are filled before the first test. */
export function nodeForSuite(env: Record<string, string> = {}): { node: TestNode; base: string } {
  const suite = {} as { node: TestNode; base: string };
  beforeAll(async () => {
    suite.node = await startNode(env);
    suite.base = `http://127.0.0.1:${suite.node.listen().port}`;
  }, 60_000);
  afterAll(() => suite.node?.dispose(), 60_000);
  return suite;
}

