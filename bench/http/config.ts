/** bench/http.ts options (parsed from the command line at import) and the constants its steps share. */
import { parseArgs } from "node:util";
import { loadavg as loadavgs, postgresCpuSeconds as allPostgresCpuSeconds, waitForQuiet, num } from "../lib/harness";

// ---------------------------------------------------------------- options

export const { values: opt } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rates: { type: "string", default: "250,500,1000,2000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    "login-duration": { type: "string", default: "10" },
    "login-concurrency": { type: "string", default: "16" },
    "login-users": { type: "string", default: "4" },
    "hash-n": { type: "string", default: "20" },
    "hash-concurrency": { type: "string", default: "2" },
    "quiet-wait": { type: "string", default: "120" },
    "cpu-prof": { type: "string" },
    "no-floor": { type: "boolean", default: false },
    retries: { type: "string", default: "2" },
    pg: { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
    "no-docs": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (opt.help) {
  console.log(`bun bench/http.ts [options]
  --rates 250,500,1000,2000   fixed request rates for GET /api/users/me (req/s, each ≤ 20000)
  --duration 10               measured seconds per rate (≤ 120)
  --warmup 2                  warm-up seconds per rate, not measured (≤ 30)
  --connections 32            max requests in flight = keep-alive sockets (≤ 512)
  --login-duration 10         seconds of concurrent logins (≤ 120)
  --login-concurrency 16      concurrent login loops (≤ 256)
  --login-users 4             distinct users logging in (≤ 32)
  --hash-n 20                 in-process argon2id hashes and verifies timed (≤ 200)
  --hash-concurrency 2        HASH_CONCURRENCY given to the server
  --quiet-wait 120            wait up to this many seconds for the machine to be idle before starting
  --cpu-prof DIR              run the server with --cpu-prof-md, profile written to DIR on exit
  --retries 2                 repeat a step measured while other processes used > 25 % of a core
                              (keeps the quietest attempt; 0 = never repeat)
  --no-floor                  skip the floor step (a bare Bun.serve at 1,000 req/s, same generator)
  --pg                        run against a fresh PostgreSQL database (dropped afterwards)
  --pg-url URL                admin connection for --pg (default postgres://postgres@127.0.0.1:5432/test)
  --no-docs                   print only; do not update docs/BENCHMARKS.md`);
  process.exit(0);
}

export const RATES = opt.rates.split(",").map((r) => num("rates", r.trim(), 1, 20_000));
if (RATES.length === 0 || RATES.length > 12) {
  console.error("--rates takes 1 to 12 comma-separated rates");
  process.exit(2);
}
export const DURATION_S = num("duration", opt.duration, 0.5, 120);
export const WARMUP_S = num("warmup", opt.warmup, 0, 30);
export const CONNECTIONS = Math.floor(num("connections", opt.connections, 1, 512));
export const LOGIN_S = num("login-duration", opt["login-duration"], 0.5, 120);
export const LOGIN_CONC = Math.floor(num("login-concurrency", opt["login-concurrency"], 1, 256));
export const LOGIN_USERS = Math.floor(num("login-users", opt["login-users"], 1, 32));
export const HASH_N = Math.floor(num("hash-n", opt["hash-n"], 1, 200));
export const HASH_CONCURRENCY = Math.floor(num("hash-concurrency", opt["hash-concurrency"], 1, 64));
export const USE_PG = opt.pg;
export const QUIET_WAIT_S = num("quiet-wait", opt["quiet-wait"], 0, 600);
export const RETRIES = Math.floor(num("retries", opt.retries, 0, 5));
/** A step is "noisy" when everything else on the machine used more than this share of one core. */
export const NOISY_OTHER_CPU = 25;

export const DRAIN_MS = 5_000; // after the last scheduled send of a step, outstanding requests get this long
export const LOGIN_TIMEOUT_MS = 30_000;
export const TARGET = { rate: 1000, p95Ms: 5 };

/**
 * Runs a measurement step up to 1 + RETRIES times (each after a bounded wait for quiet) and keeps
 * the attempt during which the rest of the machine was quietest. The choice is made on the noise
 * indicator only, never on the measured latency.
 */
export async function quietest<T extends { otherCpu: number; tries?: number }>(label: string, run: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  let attempt = 0;
  while (attempt < 1 + RETRIES) {
    attempt++;
    if (QUIET_WAIT_S > 0) await waitForQuiet(Math.min(QUIET_WAIT_S, 20), 2);
    const r = await run();
    if (!best || r.otherCpu < best.otherCpu) best = r;
    if (r.otherCpu <= NOISY_OTHER_CPU) break;
    if (attempt <= RETRIES) console.error(`  ${label}: other processes used ${r.otherCpu.toFixed(0)} % of a core; repeating`);
  }
  best!.tries = attempt;
  return best!;
}

/** CPU seconds of the PostgreSQL processes (the --pg database server); 0 without --pg. */
export const postgresCpuSeconds = () => (USE_PG ? allPostgresCpuSeconds() : 0);

/** 1-minute load average. */
export const loadavg = () => loadavgs().split(" ")[0]!;
