/**
 * Chat benchmark: `bun bench/chat.ts [--pg] [--quick] [--runs 3] …` (`--help` lists every option).
 *
 * Starts the real server (src/server/main.ts) as a separate process on 127.0.0.1 — SQLite in a
 * temp DATA_DIR, then (if reachable, or required with --pg) a fresh PostgreSQL database — and
 * drives it from this process over real WebSockets:
 *
 *  (a) DM latency, one message in flight: A sends, we time send→ack (A's reply) and
 *      send→delivered (B's socket receives message:new). Warm-up, then a fixed count.
 *  (b) Pipelined persisted throughput: P sender/receiver pairs, each sender keeping W sends in
 *      flight for D seconds (after a 1 s warm-up). Acked/s and delivered/s (receivers count
 *      message:new). Afterwards every pair's history is paged through REST to check that each
 *      acknowledged message is stored exactly once and nothing else is. On PostgreSQL, then the
 *      baseline in the same database: raw one-row-per-transaction inserts on a pool of 8
 *      (bench/lib/pg-raw.ts), which Parley's persisted rate is held to.
 *  (c) Fan-out to a 50-member group: one sender, 49 receivers on their own sockets; N messages one
 *      in flight (next after all 49 got it), then N pipelined (W in flight). Deliveries/s and the
 *      per-delivery latency (send → each receiver's arrival).
 *  (d) Fan-out in a 1,000-member space channel: 1,000 registered users join one space through an
 *      invite and each opens a socket; the owner posts in #general, one in flight then pipelined,
 *      timed to each of the 999 receivers and to the last of them.
 *
 * Per phase: server RSS (/metrics process_resident_memory_bytes) and CPU % of server, PostgreSQL,
 * this load generator and everything else (from /proc). Each run uses a fresh server and store;
 * the report shows the best run per phase and the spread across runs. Everything is bounded
 * (per-message timeouts, drain deadlines, a hard deadline) and stops by itself. Writes its section
 * (`<!-- bench:chat -->`) of docs/BENCHMARKS.md unless --no-docs.
 *
 * Modules: chat/options (flags), chat/sock (socket client), chat/setup (fixtures), one per phase
 * (dm-latency, throughput, fanout, channel-fanout), chat/run (one server + store), chat/report.
 */
import { gitRevision, runBench, installExitGuards, loadavg, machineInfo, pgReachable, waitForQuiet, writeDocsSection } from "./lib/harness";
import { checkFileLimit } from "./chat/channel-fanout";
import { DRAIN_MS, parseOptions } from "./chat/options";
import { previousCost, report } from "./chat/report";
import { oneRun, type RunResult } from "./chat/run";

const o = parseOptions(Bun.argv.slice(2));

const perRunS =
  40 + // server start, registrations, friendships
  (o.phases.has("a") ? (o.dmN + o.dmWarm) * 0.05 + 10 : 0) +
  (o.phases.has("b") ? o.tpWarmS + o.durationS + DRAIN_MS / 1000 + 60 : 0) +
  (o.phases.has("c") ? (o.fanN + o.fanWarm) * 0.2 + o.fanPipeN * 0.05 + 20 : 0) +
  o.quietWaitS;
// (d): argon2id at up to ~0.3 s per user on a busy machine (two at a time), joins, sockets, then the messages.
const channelS = o.phases.has("d") ? o.chMembers * 0.2 + 60 + (o.chN + 2 * o.chWarm) * 0.5 + o.chPipeN * 0.1 + 30 : 0;
const guards = installExitGuards(o.runs * 2 * perRunS + Math.min(o.chRuns, o.runs) * 2 * channelS + 180);

async function main() {
  if (o.phases.has("d")) checkFileLimit(o);
  const m = machineInfo();
  const command = ["./node_modules/.bin/bun", "bench/chat.ts", ...Bun.argv.slice(2)].join(" ");
  const stores: RunResult["store"][] = o.pgOnly ? [] : ["SQLite"];
  let pgNote = "";
  if (o.pgOnly && o.noPg) throw new Error("--pg-only and --no-pg contradict each other");
  if (!o.noPg) {
    const ok = await pgReachable(o.pgUrl);
    if (ok) stores.push("PostgreSQL");
    else if (o.pg || o.pgOnly) throw new Error(`--pg: PostgreSQL at ${o.pgUrl} is not reachable`);
    else pgNote = "; PostgreSQL was not reachable this time, so only SQLite ran";
    if (ok) pgNote = "; the PostgreSQL server is shared, so its CPU column includes anyone else's queries";
  }
  const loadBefore = loadavg();
  const runs: RunResult[] = [];
  for (let run = 1; run <= o.runs; run++) {
    for (const store of stores) {
      await waitForQuiet(o.quietWaitS, 3);
      runs.push(await oneRun(store, run, o));
    }
  }
  const load = `${loadBefore} → ${loadavg()}`;
  const markdown = report(runs, { date: m.date, command, machine: m.text, load, pgNote, revision: gitRevision(o.serverDir), previous: previousCost() }, o);
  console.log(markdown);
  if (!o.noDocs) {
    const file = writeDocsSection("bench:chat", "## Chat over WebSockets (bench/chat.ts)", markdown, m.nproc);
    console.error(`updated ${file} (bench:chat)`);
  }
}

await runBench(main, guards);
