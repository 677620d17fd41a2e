/**
 * Parley nodes as real processes (`bun src/server/main.ts`), for what an in-process node cannot
 * show: kill -9. Requests go over real HTTP with a CookieJar.
 */
import { afterAll, beforeAll } from "bun:test";
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./browser";
import { CookieJar, freePort } from "./parley";
import { createTestDatabase } from "./postgres";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export interface NodeProcess {
  port: number;
  base: string;
  proc: Subprocess;
  /** SIGKILL: no drain, no goodbye to Redis, sockets cut mid-stream. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dir, "../../src/server/main.ts");

export async function spawnNode(env: Record<string, string>): Promise<NodeProcess> {
  const port = freePort();
  const dir = mkdtempSync(join(tmpdir(), "parley-node-"));
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dir, LOG_LEVEL: "warn", AUTH_RATE_LIMIT: "100000", WRITE_BURST: "100000", READ_BURST: "100000", ...env },
    stdout: "inherit",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  await until(`node on port ${port} to be ready`, async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 30_000);
  const end = async (signal: NodeJS.Signals) => {
    proc.kill(signal);
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, base, proc, kill9: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}

/** A request over HTTP; cookies are read from and written to `jar`. */
export async function http(base: string, path: string, init: RequestInit & { json?: unknown } = {}, jar?: CookieJar): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (jar && jar.size > 0) headers.set("cookie", jar.header());
  const res = await fetch(base + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  jar?.update(res);
  return res;
}

export interface HttpUser {
  jar: CookieJar;
  user: { id: string; username: string };
}

let counter = 0;
export async function registerOver(base: string): Promise<HttpUser> {
  const username = `p${process.pid}_${++counter}`;
  const jar = new CookieJar();
  const email = `${username}@example.com`;
  const res = await http(base, "/api/auth/register", { method: "POST", json: { email, username, password: "correct horse battery" } }, jar);
  if (res.status === 201) return { jar, user: ((await res.json()) as { user: HttpUser["user"] }).user };
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  // HIDE_REGISTERED_EMAILS: registration starts no session; sign in, as the web client does after it.
  const login = await http(base, "/api/auth/login", { method: "POST", json: { login: email, password: "correct horse battery" } }, jar);
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  return { jar, user: ((await login.json()) as { user: HttpUser["user"] }).user };
}

/** Friends, and their DM's id. */
export async function befriendOver(base: string, a: HttpUser, b: HttpUser): Promise<string> {
  const req = (await (await http(base, "/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar)).json()) as { request: { id: string } };
  const acc = await http(base, `/api/friends/requests/${req.request.id}/accept`, { method: "POST" }, b.jar);
  return ((await acc.json()) as { conversationId: string }).conversationId;
}

/**
 * For a suite (beforeAll/afterAll): two node processes over a fresh database and a Redis channel
 * of their own, behind a failover balancer that sends each connection to the first node that
 * accepts it — `first` while it listens. `env` adds to what they must share.
 */
export function twoNodesBehindBalancer(name: string, env: Record<string, string>): { first: NodeProcess; second: NodeProcess; lb: string } {
  const suite = {} as { first: NodeProcess; second: NodeProcess; lb: string };
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let balancer: TcpProxy | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL!, REDIS_CHANNEL: `parley:test:${name}:${db.url.split("/").pop()}`, JWT_SECRET: `${name}-secret-`.repeat(4), ...env };
    // One at a time: the first applies the migrations.
    suite.first = await spawnNode(shared);
    suite.second = await spawnNode(shared);
    balancer = startTcpProxy([suite.first, suite.second].map((n) => ({ host: "127.0.0.1", port: n.port })));
    suite.lb = `http://127.0.0.1:${balancer.port}`;
  }, 60_000);
  afterAll(async () => {
    balancer?.close();
    if (suite.first?.proc.exitCode === null) await suite.first.kill9();
    if (suite.second?.proc.exitCode === null) await suite.second.stop();
    await db?.drop();
  }, 60_000);
  return suite;
}
