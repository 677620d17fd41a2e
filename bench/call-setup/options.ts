/** Command-line options of bench/call-setup.ts, checked; `--help` prints them and exits. */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT, installExitGuards, num } from "../lib/harness";
import { chromePath } from "../../test/support/browser";
import { turnPath } from "../../test/support/turn";

export const { values: opt } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    calls: { type: "string", default: "20" },
    warmup: { type: "string", default: "2" },
    runs: { type: "string", default: "2" },
    modes: { type: "string", default: "direct,turn" },
    "poll-ms": { type: "string", default: "10" },
    "ring-ms": { type: "string", default: "1000" },
    "quiet-wait": { type: "string", default: "60" },
    "no-build": { type: "boolean", default: false },
    source: { type: "string" },
    label: { type: "string" },
    "chromium-flag": { type: "string", multiple: true, default: [] },
    "no-docs": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (opt.help) {
  console.log(`bun bench/call-setup.ts [options]
  --calls 20          measured calls per mode and run (≤ 200)
  --warmup 2          warm-up calls per mode and run, not counted (≤ 10)
  --runs 2            repeat everything (fresh server and browser each time; ≤ 5)
  --modes direct,turn which modes: direct (host candidates), turn (coturn, RTC_FORCE_RELAY=true)
  --poll-ms 10        getStats poll interval inside each page (1 – 100)
  --ring-ms 1000      how long the callee lets it ring before "Accept" (a person takes longer; the
                      caller's camera opens meanwhile, as it would in real use) (0 – 10000)
  --quiet-wait 60     before each mode, wait up to this many seconds for the machine to be idle
  --source DIR        measure another checkout (e.g. \`git archive HEAD | tar -x -C DIR\` for a before/after);
                      default: this repository's working tree
  --label TEXT        how the report names the measured code (e.g. "HEAD abc1234, before the change")
  --no-build          copy the source's existing dist/ instead of running scripts/build.ts
  --no-docs           print only; do not update docs/BENCHMARKS.md`);
  process.exit(0);
}

export const CALLS = Math.floor(num("calls", opt.calls, 1, 200));
export const WARMUP = Math.floor(num("warmup", opt.warmup, 0, 10));
export const RUNS = Math.floor(num("runs", opt.runs, 1, 5));
export const POLL_MS = num("poll-ms", opt["poll-ms"], 1, 100);
export const RING_MS = num("ring-ms", opt["ring-ms"], 0, 10_000);
export const QUIET_WAIT_S = num("quiet-wait", opt["quiet-wait"], 0, 600);
export type Mode = "direct" | "turn";
export const MODES = opt.modes.split(",").map((m) => m.trim()) as Mode[];
if (MODES.length === 0 || MODES.some((m) => m !== "direct" && m !== "turn")) {
  console.error(`--modes takes direct and/or turn, got ${JSON.stringify(opt.modes)}`);
  process.exit(2);
}
if (!chromePath) {
  console.error("no Chromium found (set CHROME_PATH)");
  process.exit(2);
}
if (MODES.includes("turn") && !turnPath) {
  console.error("coturn (turnserver) not found: install it, set TURNSERVER_PATH, or use --modes direct");
  process.exit(2);
}

export const SOURCE = resolve(opt.source ?? ROOT);
if (!existsSync(join(SOURCE, "src", "server", "main.ts"))) {
  console.error(`--source ${SOURCE}: no src/server/main.ts there`);
  process.exit(2);
}

export const EXTRA_FLAGS = (opt["chromium-flag"] as string[]).map((f) => (f.startsWith("--") ? f : `--${f}`));
export const TARGET_P50_MS = 400;
export const STEP_MS = 20_000; // any single step of a call (ring, first frame, hang-up)
export const MAX_FAILURES = 3; // failed calls per mode before that mode is abandoned
export const TURN_SECRET = "call-setup-bench-turn-secret";
export const PASSWORD = "correct horse battery staple";

// Worst case: every call of every mode times out on its slowest step, plus starts and quiet waits.
const hardDeadlineS = RUNS * MODES.length * (QUIET_WAIT_S + 120 + (CALLS + WARMUP) * 12 + MAX_FAILURES * 4 * (STEP_MS / 1000)) + 300;
installExitGuards(hardDeadlineS);
