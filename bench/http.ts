/**
 * HTTP benchmark: `bun bench/http.ts [--pg] [--rates 250,500,1000,2000] [--duration 10] ...`
 *
 * Starts the real server (src/server/main.ts) as a separate process on 127.0.0.1 with a fresh
 * temp DATA_DIR (SQLite) or, with --pg, a fresh PostgreSQL database; then, from this process:
 *
 *  1. GET /api/users/me, open loop at fixed rates (warm-up, then a measured window per rate).
 *     Latency is taken from each request's *scheduled* send time, so a stalled server or a full
 *     connection pool shows up as latency instead of silently lowering the offered load
 *     (no coordinated omission). At most --connections requests are in flight (keep-alive
 *     sockets reused by fetch); requests past that wait in a client-side queue, on the clock.
 *  2. POST /api/auth/login, closed loop with --login-concurrency workers over a few users.
 *  3. argon2id hash/verify cost in-process, single-threaded, with the server's own ARGON2 params.
 *  0. First, a "floor": a bare Bun.serve at 1,000 req/s with the same generator (what the machine,
 *     loopback and generator cost before Parley does any work; --no-floor skips it).
 *
 * The machine is shared: before each step the bench waits (bounded, --quiet-wait) for other
 * processes to go quiet, and reports per step the CPU used by the server, by itself and by
 * everything else ("other CPU %"), so a noisy neighbour is visible in the numbers.
 *
 * Prints a markdown report and replaces its own section of docs/BENCHMARKS.md (between the
 * `<!-- bench:http -->` markers; `bench:http-pg` for --pg). Everything is bounded: a fixed number
 * of requests per step, a drain deadline per step, and a hard deadline for the whole run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cleanup,
  createPgDatabase,
  fmt,
  installExitGuards,
  machineInfo,
  mib,
  onCleanup,
  register,
  sleep,
  startServer,
  type ServerHandle,
  waitForQuiet,
  writeDocsSection,
} from "./lib/harness";
import {
  DURATION_S,
  HASH_CONCURRENCY,
  HASH_N,
  LOGIN_CONC,
  LOGIN_S,
  LOGIN_USERS,
  loadavg,
  opt,
  QUIET_WAIT_S,
  quietest,
  RATES,
  RETRIES,
  TARGET,
  USE_PG,
  WARMUP_S,
} from "./http/config";
import { hashCost, loginStep } from "./http/login";
import { type RateResult, rateStep, scrape } from "./http/rate";
import { errText, report } from "./http/report";

// ---------------------------------------------------------------- cleanup and the hard deadline

const expectedS =
  (1 + RETRIES) * ((RATES.length + 1) * (WARMUP_S + DURATION_S + 21) + LOGIN_S + 20 + HASH_N * 0.5 + 20) +
  QUIET_WAIT_S +
  LOGIN_USERS * 0.5 +
  30;
const hardDeadline = installExitGuards(expectedS + 180);

// ---------------------------------------------------------------- server process

/**
 * The floor: a bare Bun.serve answering every path with a small fixed JSON body (and /metrics with
 * its RSS). Measured with the same generator at the target rate, it shows what this machine, the
 * loopback and the generator cost before Parley does any work.
 */
const FLOOR_SERVER = `
const body = JSON.stringify({ user: { id: "0193c5d2-0000-7000-8000-000000000000", username: "floor", displayName: "floor", avatarUrl: null, email: "floor@bench.invalid", createdAt: new Date().toISOString() } });
Bun.serve({ hostname: process.env.HOST, port: Number(process.env.PORT), fetch(req) {
  if (req.url.endsWith("/metrics")) return new Response("process_resident_memory_bytes " + process.memoryUsage().rss + "\\n");
  return new Response(body, { headers: { "Content-Type": "application/json" } });
} });`;

/** Starts FLOOR_SERVER through the shared startServer, as src/server/main.ts of a throwaway directory. */
async function startFloorServer(): Promise<ServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-floor-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "src", "server"), { recursive: true });
  writeFileSync(join(dir, "src", "server", "main.ts"), FLOOR_SERVER);
  return startServer({}, { serverDir: dir });
}

// ---------------------------------------------------------------- main

let server: ServerHandle | undefined;

async function main() {
  const { nproc, text: machine, date } = machineInfo();
  const command = ["./node_modules/.bin/bun", "bench/http.ts", ...Bun.argv.slice(2)].join(" ");
  if (QUIET_WAIT_S > 0) await waitForQuiet(QUIET_WAIT_S);
  const loadBefore = loadavg();

  let floor: RateResult | undefined;
  if (!opt["no-floor"]) {
    const f = await startFloorServer();
    floor = await quietest("floor", () => {
      console.error(`floor (bare Bun.serve) at ${TARGET.rate} req/s: ${WARMUP_S} s warm-up + ${DURATION_S} s …`);
      return rateStep(f, "", TARGET.rate);
    });
    console.error(`  p50 ${fmt(floor.p50)} p95 ${fmt(floor.p95)} p99 ${fmt(floor.p99)} ms, other CPU ${fmt(floor.otherCpu, 0)} %`);
    await f.stop();
  }

  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    AUTH_RATE_LIMIT: "1000000",
    HASH_CONCURRENCY: String(HASH_CONCURRENCY),
    HASH_QUEUE: "64",
  };
  let store = "SQLite (WAL) in a temp DATA_DIR";
  if (USE_PG) {
    const adminHost = new URL(opt["pg-url"]).hostname;
    if (!["127.0.0.1", "localhost", "[::1]"].includes(adminHost)) {
      throw new Error(`--pg-url must point at this machine (127.0.0.1), got ${adminHost}`);
    }
    env.DATABASE_URL = (await createPgDatabase(opt["pg-url"])).url;
    store = `PostgreSQL ${new URL(env.DATABASE_URL).pathname.slice(1)} (fresh, dropped afterwards)`;
  }
  console.error(`starting server (${store}) …`);
  server = await startServer(env, { cpuProfDir: opt["cpu-prof"] });
  const base = server.base;

  const password = "bench-password-0123456789";
  const users: string[] = [];
  let cookie = "";
  for (let i = 0; i < LOGIN_USERS; i++) {
    const u = await register(base, `bench_user_${i}`, password);
    users.push(u.username);
    if (i === 0) cookie = u.cookie;
  }
  // Sanity: the cookie authenticates and returns the right user.
  const me = await fetch(`${base}/api/users/me`, { headers: { cookie } });
  const meBody = (await me.json()) as { user?: { username?: string } };
  if (me.status !== 200 || meBody.user?.username !== users[0]) {
    throw new Error(`GET /api/users/me sanity check failed: ${me.status} ${JSON.stringify(meBody)}`);
  }
  const baselineRss = (await scrape(base)).rss;

  const steps: RateResult[] = [];
  for (const rate of RATES) {
    const srv = server;
    const s = await quietest(`${rate} req/s`, async () => {
      console.error(`GET /api/users/me at ${rate} req/s: ${WARMUP_S} s warm-up + ${DURATION_S} s …`);
      const r = await rateStep(srv, cookie, rate);
      console.error(
        `  achieved ${fmt(r.achieved, 0)}/s p50 ${fmt(r.p50)} p95 ${fmt(r.p95)} p99 ${fmt(r.p99)} ms, other CPU ${fmt(r.otherCpu, 0)} %`,
      );
      await sleep(500);
      return r;
    });
    console.error(
      `  kept: achieved ${fmt(s.achieved, 0)}/s p50 ${fmt(s.p50)} p95 ${fmt(s.p95)} p99 ${fmt(s.p99)} max ${fmt(s.max, 1)} ms, ` +
        `errors ${errText(s.errors)}, from-send p95 ${fmt(s.sendP95)}, lag p99 ${fmt(s.lagP99)}, in flight ≤ ${s.maxInFlight}, server CPU ${fmt(s.serverCpu, 0)} %, other CPU ${fmt(s.otherCpu, 0)} %, RSS ${mib(s.rss)} MiB`,
    );
    steps.push(s);
  }

  const login = await quietest("login", () => {
    console.error(`POST /api/auth/login: ${LOGIN_CONC} clients × ${LOGIN_S} s …`);
    return loginStep(base, server!.proc.pid, users, password);
  });
  console.error(`  ${fmt(login.perSec, 1)} logins/s, p50 ${fmt(login.p50, 0)} p99 ${fmt(login.p99, 0)} ms, errors ${errText(login.errors)}`);

  // Stop the server (and drop the database) before timing hashes, so nothing competes for the CPU.
  await cleanup();
  const hash = await quietest("argon2id timing", async () => {
    console.error(`argon2id in-process: ${HASH_N} hashes + ${HASH_N} verifies …`);
    return hashCost(HASH_N);
  });

  const load = `${loadBefore} / ${loadavg()}`;
  const { markdown, met } = report({ date, command, machine, store, steps, floor, baselineRss, login, hash, nproc, load });
  console.log(markdown);
  if (!opt["no-docs"]) {
    const tag = USE_PG ? "bench:http-pg" : "bench:http";
    const title = USE_PG ? "## HTTP on PostgreSQL (bench/http.ts --pg)" : "## HTTP (bench/http.ts)";
    const file = writeDocsSection(tag, title, markdown, nproc);
    console.error(`updated ${file} (${tag})`);
  }
  return met;
}

try {
  await main();
  hardDeadline.clear();
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  if (server) console.error(`--- server output (tail) ---\n${server.log()}`);
  await cleanup();
  process.exit(1);
}
