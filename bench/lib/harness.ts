/**
 * Shared bench plumbing: the server as a separate process, a throwaway PostgreSQL database,
 * CPU accounting from /proc, machine info, /metrics scraping, registration, and rewriting one
 * section of docs/BENCHMARKS.md, used by every bench; nothing here imports from src/ except
 * for types, so it cannot change what it measures.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join, resolve } from "node:path";
import { SQL, type Subprocess } from "bun";

export const ROOT = resolve(import.meta.dir, "..", "..");
export const HOST = "127.0.0.1";

// ---------------------------------------------------------------- small helpers

/** setTimeout, not Bun.sleep: sub-millisecond Bun.sleep busy-spins a core (see bench/http.ts). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "–");
export const mib = (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(0) : "–");

export function sh(cmd: string[]): string {
  try {
    const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "ignore" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : "";
  } catch {
    return "";
  }
}

/** Percentile (nearest-rank) of an ascending-sorted array. */
export function pct(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Dist {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summarises samples (sorts a copy). */
export function dist(samples: ArrayLike<number>): Dist {
  const s = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.length ? s[s.length - 1]! : NaN, mean: sum / s.length };
}

export function freePort(): number {
  const s = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

// ---------------------------------------------------------------- CPU from /proc

const CLK_TCK = Number(sh(["getconf", "CLK_TCK"])) || 100;

/** CPU seconds (user + system, all threads) used so far by a process. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds a process has run, to the nanosecond: the sum of its live threads' run time
 * (/proc/<pid>/task/<tid>/schedstat). procCpuSeconds counts in clock ticks (10 ms), which over a
 * short window (50 connects of ~0.3 ms) is an error of up to half the reading; this one is exact
 * but loses the time of threads that exit inside the window, so keep it to short windows.
 */
export function procCpuExactSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // exited meanwhile
    }
  }
  return ns / 1e9;
}

/** CPU seconds the whole machine has been busy (all cores; includes steal). */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** CPU seconds used by all live `postgres` processes (shared with anyone else using that server). */
export function postgresCpuSeconds(): number {
  let total = 0;
  const comm = (pid: string) => readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (comm(pid) !== "postgres") continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      // The postmaster also counts the backends it has reaped: a connection closed within the
      // window takes its CPU out of the live processes' sum (which then went negative) into this.
      if (comm(fields[1]!) !== "postgres") total += (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface CpuShare {
  /** % of one core over the window. */
  server: number;
  db: number;
  gen: number;
  other: number;
  wallS: number;
}

/** Starts a CPU window; call the result to close it. Several servers' CPU adds up in `server`. */
export function cpuWindow(serverPids: number | number[], withDb: boolean): () => CpuShare {
  const pids = typeof serverPids === "number" ? [serverPids] : serverPids;
  const serverCpu = () => pids.reduce((sum, pid) => sum + procCpuSeconds(pid), 0);
  const t0 = performance.now();
  const s0 = serverCpu();
  const d0 = withDb ? postgresCpuSeconds() : 0;
  const g0 = selfCpuSeconds();
  const a0 = machineBusySeconds();
  return () => {
    const wallS = (performance.now() - t0) / 1000;
    const s = serverCpu() - s0;
    const d = withDb ? postgresCpuSeconds() - d0 : 0;
    const g = selfCpuSeconds() - g0;
    const a = machineBusySeconds() - a0;
    const p = (x: number) => (x / wallS) * 100;
    return { server: p(s), db: p(d), gen: p(g), other: Math.max(0, p(a - s - d - g)), wallS };
  };
}

/**
 * Waits (bounded by maxS) until the machine has been mostly idle (≤ 15 % busy) for needS s in a
 * row, so a neighbour's test run does not land in the numbers. Returns whether it got quiet.
 */
export async function waitForQuiet(maxS: number, needS = 3): Promise<boolean> {
  if (maxS <= 0) return false;
  const until = performance.now() + maxS * 1000;
  let quiet = 0;
  let said = 0;
  while (performance.now() < until) {
    const b0 = machineBusySeconds();
    await sleep(1000);
    const busy = ((machineBusySeconds() - b0) / navigator.hardwareConcurrency) * 100;
    if (!(busy > 15)) {
      if (++quiet >= needS) return true;
    } else {
      quiet = 0;
      if (performance.now() - said > 10_000) {
        console.error(`machine ${busy.toFixed(0)} % busy with other work; waiting (up to ${maxS} s) …`);
        said = performance.now();
      }
    }
  }
  console.error("machine never got quiet; running anyway (see 'other CPU %')");
  return false;
}

export const loadavg = () => (existsSync("/proc/loadavg") ? readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ") : "?");

export function machineInfo(): { nproc: number; text: string; date: string } {
  const nproc = Number(sh(["nproc"])) || navigator.hardwareConcurrency;
  const cpuModel = /model name\s*:\s*(.+)/.exec(existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "")?.[1];
  const text = `${nproc} cores (nproc)${cpuModel ? `, ${cpuModel.trim()}` : ""}, Linux ${release()}, Bun ${Bun.version}`;
  const date = sh(["date", "-u", "+%F"]) || new Date().toISOString().slice(0, 10);
  return { nproc, text, date };
}

/**
 * The commit a checkout's server code is at ("abc1234", or "abc1234 + uncommitted changes" in
 * src/server or src/shared), or "" when dir is not a git checkout (e.g. an exported copy passed as --server-dir).
 */
export function gitRevision(dir = ROOT): string {
  const rev = sh(["git", "-C", dir, "rev-parse", "--short", "HEAD"]);
  if (!rev) return "";
  return sh(["git", "-C", dir, "status", "--porcelain", "--", "src/server", "src/shared"]) ? `${rev} + uncommitted changes` : rev;
}

// ---------------------------------------------------------------- cleanup registry

const cleanups: Array<() => unknown> = [];
let cleaning: Promise<void> | null = null;

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup (last first), once; later calls wait for the same run. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error("cleanup:", err);
      }
    }
  })();
  const p = cleaning;
  void p.then(() => {
    if (cleaning === p) cleaning = null;
  });
  return p;
}

/** SIGINT/SIGTERM and a hard deadline both clean up and exit. */
export function installExitGuards(hardDeadlineS: number): { clear(): void } {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping`);
      void cleanup().then(() => process.exit(130));
    });
  }
  const t = setTimeout(() => {
    console.error(`bench exceeded its hard deadline (${Math.round(hardDeadlineS)} s); aborting`);
    void cleanup().then(() => process.exit(3));
  }, hardDeadlineS * 1000);
  t.unref();
  return { clear: () => clearTimeout(t) };
}

/** Runs a bench's main: exits 0 after cleanup, or prints the error, cleans up and exits 1. */
export async function runBench(main: () => Promise<void>, guards: { clear(): void }): Promise<never> {
  try {
    await main();
    await cleanup();
    guards.clear();
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await cleanup();
    process.exit(1);
  }
}

// ---------------------------------------------------------------- server process

/**
 * Server env that lifts the per-user and per-address limits a load generator would run into:
 * auth attempts, gateway frames, and the write and read buckets (src/server/limits), which would
 * hold each sender to a few messages a second.
 */
export const LIMITS_OFF: Record<string, string> = {
  AUTH_RATE_LIMIT: "1000000",
  WS_RATE_PER_SECOND: "100000",
  WS_BURST: "100000",
  WRITE_RATE_PER_SECOND: "1000000",
  WRITE_BURST: "1000000",
  READ_RATE_PER_SECOND: "1000000",
  READ_BURST: "1000000",
};

/** The servers startServer starts serve /metrics on their public port to this bearer. */
const METRICS_TOKEN = "bench-metrics-token-not-secret";

export interface ServerHandle {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts src/server/main.ts as its own process (process.execPath) on 127.0.0.1 and a free port,
 * and waits for /healthz. serverDir runs another checkout's server instead (e.g. a `git worktree`
 * or an exported copy of a branch, to compare before/after a server change on the same machine). DATABASE_URL, REDIS_URL and PUBLIC_URL from the caller's environment are
 * not passed on unless given in `env`.
 */
export async function startServer(env: Record<string, string>, opts: { cpuProfDir?: string; serverDir?: string; port?: number } = {}): Promise<ServerHandle> {
  // opts.port: when the caller must know it first (e.g. for PUBLIC_URL, which browsers' Origin is checked against).
  const port = opts.port ?? freePort();
  // Both formats: .md to read, .cpuprofile for bench/lib/cpuprofile.ts (and Chrome DevTools).
  const prof = opts.cpuProfDir ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${resolve(opts.cpuProfDir)}`] : [];
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  delete base.PUBLIC_URL;
  const proc = Bun.spawn([process.execPath, ...prof, "src/server/main.ts"], {
    cwd: opts.serverDir ? resolve(opts.serverDir) : ROOT,
    env: { ...base, LOG_LEVEL: "warn", METRICS_TOKEN, ...env, PORT: String(port), HOST },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let tail = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      tail = (tail + dec.decode(value, { stream: true })).slice(-8000);
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const exited = await Promise.race([proc.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!exited) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  };
  onCleanup(stop);

  const url = `http://${HOST}:${port}`;
  const until = performance.now() + 30_000;
  while (performance.now() < until) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${tail}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) {
        await r.arrayBuffer();
        return { proc, base: url, log: () => tail, stop };
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`server did not answer /healthz within 30 s:\n${tail}`);
}

// ---------------------------------------------------------------- PostgreSQL

export async function pgReachable(adminUrl: string, timeoutMs = 3000): Promise<boolean> {
  const admin = new SQL({ url: adminUrl, max: 1, connectionTimeout: Math.ceil(timeoutMs / 1000) });
  try {
    await Promise.race([admin`select 1`, sleep(timeoutMs).then(() => Promise.reject(new Error("timeout")))]);
    return true;
  } catch {
    return false;
  } finally {
    void admin.close().catch(() => {});
  }
}

/** A fresh database `bench_<random>` next to adminUrl's; dropped by the returned drop() (also registered as a cleanup). */
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `bench_${crypto.getRandomValues(new Uint32Array(2)).reduce((s, n) => s + n.toString(36), "")}`;
  if (!/^bench_[a-z0-9]+$/.test(name)) throw new Error("bad database name");
  const admin = new SQL({ url: adminUrl, max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    const a = new SQL({ url: adminUrl, max: 1 });
    try {
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await a.close();
    }
  };
  onCleanup(drop);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, drop };
}

// ---------------------------------------------------------------- HTTP helpers

/** The server's /metrics text. */
export async function metricsText(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` }, signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** process_resident_memory_bytes from the server's /metrics. */
export async function serverRss(base: string): Promise<number> {
  try {
    const text = await metricsText(base);
    const line = text.split("\n").find((l) => l.startsWith("process_resident_memory_bytes "));
    return line ? Number(line.split(" ")[1]) : NaN;
  } catch {
    return NaN;
  }
}

export interface BenchUser {
  id: string;
  username: string;
  /** `access_token=…` for Cookie headers. */
  cookie: string;
}

/**
 * A new account, signed in: registration answers 201 with the session started, or — with
 * HIDE_REGISTERED_EMAILS — 202 without one (alike for a taken address), and then this signs in
 * next, as the web client does.
 */
export async function register(base: string, username: string, password: string): Promise<BenchUser> {
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  let r = await post("/api/auth/register", { email: `${username}@bench.invalid`, username, password });
  let body = await r.text();
  if (r.status === 202) {
    r = await post("/api/auth/login", { login: username, password });
    body = await r.text();
    if (r.status !== 200) throw new Error(`sign-in of ${username}: HTTP ${r.status} ${body}`);
  } else if (r.status !== 201) throw new Error(`register ${username}: HTTP ${r.status} ${body}`);
  const access = r.headers.getSetCookie().find((c) => c.startsWith("access_token="));
  if (!access) throw new Error(`register ${username}: no access_token cookie`);
  const { user } = JSON.parse(body) as { user: { id: string } };
  return { id: user.id, username, cookie: access.split(";")[0]! };
}

/** JSON request with a cookie; throws on an unexpected status. */
export async function api<T = unknown>(base: string, cookie: string, path: string, init: { method?: string; json?: unknown; expect?: number[] } = {}): Promise<T> {
  const r = await fetch(`${base}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: { cookie, ...(init.json === undefined ? {} : { "Content-Type": "application/json" }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  if (!(init.expect ?? [200, 201]).includes(r.status)) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs fn over items with at most `limit` at once. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- docs/BENCHMARKS.md

/** Replaces the `<!-- tag -->` … `<!-- /tag -->` section (appends it if missing); other sections are untouched. */
export function writeDocsSection(tag: string, title: string, markdown: string, nproc: number): string {
  const file = join(ROOT, "docs", "BENCHMARKS.md");
  const section = `<!-- ${tag} -->\n${title}\n\n${markdown}\n<!-- /${tag} -->`;
  const header =
    "# Benchmarks\n\n" +
    `Figures are from this ${nproc}-core shared machine; compare ratios within one run rather than ` +
    "absolute numbers across runs or machines. Each bench rewrites only its own section.\n";
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  let doc = existsSync(file) ? readFileSync(file, "utf8") : header;
  if (!doc.startsWith("# Benchmarks")) doc = header + "\n" + doc;
  const open = `<!-- ${tag} -->`;
  const close = `<!-- /${tag} -->`;
  const i = doc.indexOf(open);
  const j = doc.indexOf(close);
  if (i !== -1 && j > i) doc = doc.slice(0, i) + section + doc.slice(j + close.length);
  else doc = doc.replace(/\n*$/, "\n\n") + section + "\n";
  writeFileSync(file, doc);
  return file;
}

/** A numeric command-line option within bounds; anything else exits with code 2. */
export function num(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}
