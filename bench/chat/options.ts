/** Command-line options of bench/chat.ts, parsed and bounds-checked once. */
import { parseArgs } from "node:util";

export const PHASE_NAMES = ["a", "b", "c", "d"] as const;
export type Phase = (typeof PHASE_NAMES)[number];

export interface Options {
  pg: boolean;
  noPg: boolean;
  pgOnly: boolean;
  pgUrl: string;
  runs: number;
  phases: Set<Phase>;
  dmN: number;
  dmWarm: number;
  pairs: number;
  window: number;
  durationS: number;
  tpWarmS: number;
  fanN: number;
  fanPipeN: number;
  fanWarm: number;
  fanWindow: number;
  groupSize: number;
  chMembers: number;
  chN: number;
  chPipeN: number;
  chWarm: number;
  chWindow: number;
  chRuns: number;
  quietWaitS: number;
  /** (b) on PostgreSQL: the raw one-row-per-transaction baseline's pool and callers (bench/lib/pg-raw.ts). */
  rawPool: number;
  rawWorkers: number;
  cpuProf: string | undefined;
  serverDir: string | undefined;
  noDocs: boolean;
}

export const TARGET = { p50Ms: 2, p99Ms: 10, sqliteMsgsPerS: 5000 };
export const PASSWORD = "bench-password-0123456789";
/** ~70 bytes, a typical short chat line. */
export const CONTENT = "The quick brown fox jumps over the lazy dog — bench message number ";
export const MSG_TIMEOUT_MS = 10_000;
export const DRAIN_MS = 20_000;
export const HEARTBEAT_MS = 15_000;

const HELP = `bun bench/chat.ts [options]
  --pg                  require PostgreSQL (fail if unreachable); without it PostgreSQL runs only if reachable
  --no-pg               SQLite only
  --pg-only             PostgreSQL only (implies --pg)
  --pg-url URL          admin connection (default postgres://postgres@127.0.0.1:5432/test); a fresh
                        bench_<random> database is created per run and dropped afterwards
  --quick               1 run, 300 DM messages, 3 s throughput, 100 + 300 fan-out messages,
                        a 200-member channel with 30 + 100 messages
  --runs 3              fresh server + store per run; the report shows the best run and the spread (≤ 10)
  --phases a,b,c,d      which phases to run
  --dm-messages 2000    (a) measured messages (≤ 100000), after --dm-warmup 100
  --pairs 8             (b) sender/receiver pairs (≤ 64)
  --window 64           (b) sends in flight per sender (≤ 1024)
  --duration 10         (b) measured seconds (≤ 120), after a 1 s warm-up
  --raw-pool 8          (b) on PostgreSQL, after Parley's run: raw autocommit inserts on a pool of this size …
  --raw-workers 8       … by this many callers, one insert in flight each, for the same duration (the target)
  --fanout-messages 500 (c) messages sent one in flight (≤ 20000)
  --fanout-pipelined 2000 (c) messages sent pipelined (≤ 50000)
  --fanout-window 32    (c) sends in flight in the pipelined mode (≤ 1024)
  --channel-members 1000 (d) members of the space, each on its own socket (≤ 5000)
  --channel-messages 100 (d) messages to #general sent one in flight (≤ 5000)
  --channel-pipelined 500 (d) messages sent pipelined (≤ 20000)
  --channel-window 16   (d) sends in flight in the pipelined mode (≤ 1024)
  --channel-runs 1      (d) runs only in the first N runs: its setup registers every member (argon2id)
  --quiet-wait 60       wait up to this many seconds for the machine to be idle before each run
  --cpu-prof DIR        run the server with --cpu-prof and --cpu-prof-md; one profile per server in DIR
                        (summarise with: bun bench/lib/cpuprofile.ts DIR/*.cpuprofile)
  --server-dir DIR      run src/server/main.ts from another checkout (A/B a server change; default: this repo)
  --no-docs             print only; do not update docs/BENCHMARKS.md`;

/** Parses argv (without the runtime and script); prints help or a usage error and exits when asked to or on bad input. */
export function parseOptions(argv: string[]): Options {
  const { values: opt } = parseArgs({
    args: argv,
    options: {
      pg: { type: "boolean", default: false },
      "no-pg": { type: "boolean", default: false },
      "pg-only": { type: "boolean", default: false },
      "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      phases: { type: "string", default: PHASE_NAMES.join(",") },
      "dm-messages": { type: "string" },
      "dm-warmup": { type: "string" },
      pairs: { type: "string", default: "8" },
      window: { type: "string", default: "64" },
      duration: { type: "string" },
      "raw-pool": { type: "string", default: "8" },
      "raw-workers": { type: "string", default: "8" },
      "fanout-messages": { type: "string" },
      "fanout-window": { type: "string", default: "32" },
      "fanout-pipelined": { type: "string" },
      "channel-members": { type: "string" },
      "channel-messages": { type: "string" },
      "channel-pipelined": { type: "string" },
      "channel-window": { type: "string", default: "16" },
      "channel-runs": { type: "string", default: "1" },
      "quiet-wait": { type: "string" },
      "cpu-prof": { type: "string" },
      "server-dir": { type: "string" },
      "no-docs": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (opt.help) {
    console.log(HELP);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, def: number, min: number, max: number): number => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      console.error(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
      process.exit(2);
    }
    return n;
  };
  const int = (name: string, raw: string | undefined, def: number, min: number, max: number) => Math.floor(num(name, raw, def, min, max));
  const phases = new Set<Phase>();
  for (const p of opt.phases.split(",").map((s) => s.trim())) {
    if (!(PHASE_NAMES as readonly string[]).includes(p)) (console.error(`--phases: unknown phase ${p}`), process.exit(2));
    phases.add(p as Phase);
  }
  const q = opt.quick;
  const fanN = int("fanout-messages", opt["fanout-messages"], q ? 100 : 500, 1, 20_000);
  const chN = int("channel-messages", opt["channel-messages"], q ? 30 : 100, 1, 5000);
  return {
    pg: opt.pg,
    noPg: opt["no-pg"],
    pgOnly: opt["pg-only"],
    pgUrl: opt["pg-url"],
    runs: int("runs", opt.runs, q ? 1 : 3, 1, 10),
    phases,
    dmN: int("dm-messages", opt["dm-messages"], q ? 300 : 2000, 1, 100_000),
    dmWarm: int("dm-warmup", opt["dm-warmup"], q ? 50 : 100, 0, 10_000),
    pairs: int("pairs", opt.pairs, 8, 1, 64),
    window: int("window", opt.window, 64, 1, 1024),
    durationS: num("duration", opt.duration, q ? 3 : 10, 0.5, 120),
    tpWarmS: 1,
    rawPool: int("raw-pool", opt["raw-pool"], 8, 1, 100),
    rawWorkers: int("raw-workers", opt["raw-workers"], 8, 1, 1024),
    fanN,
    fanPipeN: int("fanout-pipelined", opt["fanout-pipelined"], q ? 300 : 2000, 1, 50_000),
    fanWarm: Math.min(20, fanN),
    fanWindow: int("fanout-window", opt["fanout-window"], 32, 1, 1024),
    groupSize: 50,
    chMembers: int("channel-members", opt["channel-members"], q ? 200 : 1000, 2, 5000),
    chN,
    chPipeN: int("channel-pipelined", opt["channel-pipelined"], q ? 100 : 500, 1, 20_000),
    chWarm: Math.min(10, chN),
    chWindow: int("channel-window", opt["channel-window"], 16, 1, 1024),
    chRuns: int("channel-runs", opt["channel-runs"], 1, 1, 10),
    quietWaitS: num("quiet-wait", opt["quiet-wait"], q ? 10 : 60, 0, 600),
    cpuProf: opt["cpu-prof"],
    serverDir: opt["server-dir"],
    noDocs: opt["no-docs"],
  };
}
