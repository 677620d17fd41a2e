/**
 * Call-setup benchmark: `bun bench/call-setup.ts [--calls 20] [--runs 2] …` (`--help` lists every option).
 *
 * Copies the source (this working tree, or --source DIR) to a temp dir, builds the web client there
 * (scripts/build.ts → dist/), starts that copy's server (src/server/main.ts, which serves its dist/)
 * as a separate process on 127.0.0.1 (fresh temp DATA_DIR, SQLite), registers two users over its
 * REST API and befriends them, then opens their DM in two Chromium contexts (fake camera and
 * microphone) signed in with their session cookies — the same setup as test/e2e/calls.test.ts.
 * For each call (after warm-up calls that are not counted) it clicks "Start video call" in the
 * caller's page, "Accept" in the callee's, and hangs up once video decodes on both sides:
 *
 *   invite → ring        the caller's click on "Start video call" → the callee's incoming-call
 *                        dialog ([role=alertdialog]) inserted into the DOM (MutationObserver).
 *   accept → first frame the callee's click on "Accept" → the first getStats() sample in which the
 *                        CALLER's inbound-rtp video has framesDecoded > 0 (and the same for the
 *                        callee's inbound video). getStats is polled every --poll-ms (10 ms) in
 *                        each page; the sample's own RTCStats.timestamp is used, so the error is at
 *                        most one poll interval late, never early.
 *
 * All times are taken in the pages (performance.timeOrigin + performance.now(); both pages are
 * renderers of one Chromium on this machine; their offsets against Date.now() are compared and
 * reported). A small init script in each page also timestamps — without changing behaviour —
 * getUserMedia, the /api/rtc/ice-servers fetch, call/rtc frames on the WebSocket, the peer
 * connection's descriptions, ICE and DTLS states, and the first RTP packet / encoded frame, to
 * say where the time goes.
 *
 * Modes: "direct" (no STUN/TURN: host candidates, both browsers on this machine) and "turn"
 * (a real coturn on 127.0.0.1 from test/support/turn.ts; the server gets TURN_URLS, TURN_SECRET
 * and RTC_FORCE_RELAY=true so only relay candidates are used — checked on the selected pair).
 * Each run uses a fresh server, store and browser per mode; --runs 2 repeats both modes (the
 * machine is shared and noisy: the report shows every run, and CPU used by everything else).
 *
 * Prints a markdown report and replaces its section (`<!-- bench:call-setup -->`) of
 * docs/BENCHMARKS.md unless --no-docs. Bounded: a fixed number of calls, a timeout on every step,
 * at most a few failed calls per mode, and a hard deadline; everything it starts is stopped.
 *
 * This file runs it; bench/call-setup/ holds options.ts, tree.ts (the built copy), probe.ts (the
 * init script), pages.ts, accounts.ts, cpu.ts, run.ts (one mode of one run), analysis.ts and report.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, cleanup, loadavg, machineInfo, onCleanup, sh, writeDocsSection } from "./lib/harness";
import { chromePath } from "../test/support/browser";
import { startTurn, type TurnServer } from "../test/support/turn";
import { CALLS, MODES, RUNS, SOURCE, TURN_SECRET, WARMUP, opt } from "./call-setup/options";
import { report } from "./call-setup/report";
import { runMode, type ModeResult } from "./call-setup/run";
import { prepareTree } from "./call-setup/tree";

async function main() {
  const m = machineInfo();
  const chromiumVersion = sh([chromePath!, "--version"]).split("\n").find((l) => /chrom/i.test(l))?.trim() || "?";
  const pwVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules/playwright-core/package.json"), "utf8")) as { version: string }).version;
  const gitRev = sh(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"]);
  const dirty = sh(["git", "-C", SOURCE, "status", "--porcelain", "--", "src", "scripts"])
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
  const loadStart = loadavg();
  console.error(`call-setup bench: ${CALLS} calls (+${WARMUP} warm-up) × ${MODES.join(", ")} × ${RUNS} run(s); ${m.text}, ${chromiumVersion}`);

  const { tree, bundle } = prepareTree();

  let turn: TurnServer | null = null;
  if (MODES.includes("turn")) {
    turn = await startTurn(TURN_SECRET);
    const t = turn;
    onCleanup(() => t.stop());
    console.error(`coturn on ${turn.url}`);
  }

  const results: ModeResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const mode of MODES) results.push(await runMode(mode, run, turn, tree));
  }
  await turn?.stop();
  const loadEnd = loadavg();

  const markdown = report(results, { m, chromiumVersion, pwVersion, gitRev, dirty, loadStart, loadEnd, bundle });
  console.log(`\n## Call setup (bench/call-setup.ts)\n\n${markdown}`);
  if (!opt["no-docs"]) {
    const file = writeDocsSection("bench:call-setup", "## Call setup (bench/call-setup.ts)", markdown, m.nproc);
    console.error(`wrote ${file}`);
  }
}

try {
  await main();
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
process.exit(process.exitCode ?? 0);
