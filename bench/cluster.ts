/**
 * Cluster benchmark: `bun bench/cluster.ts [--messages 500] [--pairs 8] [--window 64] [--duration 3] [--rounds 4] [--runs 2] [--no-docs]`.
 *
 * Real node processes (src/server/main.ts) over one fresh PostgreSQL database and the Redis at
 * --redis-url (on a bus channel of their own), driven over WebSockets from this process:
 *
 *  1. one node: pipelined persisted throughput (P DM pairs, W sends in flight each; bench/chat's
 *     phase (b), exactly-once checked through REST) and raw one-row-per-transaction inserts on a
 *     pool of 8 into the same database (bench/lib/pg-raw.ts), in --rounds alternating windows of
 *     --duration s each (raw, Parley, Parley, raw, …): on a shared machine the rate swings between
 *     windows a few seconds apart, so both are measured under the same conditions and compared as
 *     the ratio of their sums;
 *  2. a second node joins: delivery latency, one message in flight — the receiver has a socket on
 *     each node, so every message is timed to the sender's node (same-node) and to the other
 *     (cross-node) at once; then raw Redis pub/sub latency (publish → subscriber, one in flight,
 *     two fresh connections of this process); then the same throughput with each pair's sender and
 *     receiver on different nodes, senders spread over both, alternating with the raw inserts again.
 *
 * Targets (issue 9): cross-node p50 ≤ same-node p50 + raw Redis p50 + 0.5 ms; persisted msg/s on
 * PostgreSQL ≥ the raw pool-8 rate of the same run. Writes `<!-- bench:cluster -->` of
 * docs/BENCHMARKS.md unless --no-docs.
 */
import { parseArgs } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient } from "bun";
import { createPgDatabase, dist, fmt, installExitGuards, LIMITS_OFF, loadavg, machineInfo, mapLimit, num, onCleanup, pgReachable, register, runBench, startServer, waitForQuiet, writeDocsSection, type Dist, type ServerHandle } from "./lib/harness";
import { rawInsertRate, type RawInsertResult } from "./lib/pg-raw";
import { befriend, type Fixture } from "./chat/setup";

type Pairs = Pick<Fixture, "dm" | "pairs">;
import { CONTENT, PASSWORD } from "./chat/options";
import { openAll } from "./chat/sock";
import { phaseThroughput, type ThroughputResult } from "./chat/throughput";

const { values: a } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    messages: { type: "string", default: "500" },
    pairs: { type: "string", default: "8" },
    window: { type: "string", default: "64" },
    duration: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    runs: { type: "string", default: "2" },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    "quiet-wait": { type: "string", default: "10" },
    "no-docs": { type: "boolean", default: false },
  },
  strict: true,
});
const o = {
  messages: num("messages", a.messages!, 10, 100_000),
  pairs: num("pairs", a.pairs!, 2, 64),
  window: num("window", a.window!, 1, 1024),
  durationS: num("duration", a.duration!, 1, 120),
  rounds: num("rounds", a.rounds!, 1, 20),
  tpWarmS: 1,
  runs: num("runs", a.runs!, 1, 10),
  quietS: num("quiet-wait", a["quiet-wait"]!, 0, 600),
};
const guards = installExitGuards(o.runs * (300 + o.messages * 0.05 + 4 * o.rounds * (o.durationS + 30)) + 120);

/** Parley and raw inserts in alternating windows; `ratio` is Parley's summed rate over raw's. */
interface Alternated {
  rounds: Array<{ tp: ThroughputResult; raw: RawInsertResult }>;
  ratio: number;
}

interface RunResult {
  one: Alternated;
  two: { same: Dist; cross: Dist; redis: Dist } & Alternated;
}

/** Order raw, Parley | Parley, raw | …: a drift in machine conditions favours neither side. */
async function alternate(label: string, tp: (tag: string) => Promise<ThroughputResult>, raw: () => Promise<RawInsertResult>): Promise<Alternated> {
  const rounds: Alternated["rounds"] = [];
  for (let r = 0; r < o.rounds; r++) {
    let x: { tp: ThroughputResult; raw: RawInsertResult };
    if (r % 2 === 0) {
      const rw = await raw();
      x = { raw: rw, tp: await tp(`${label}${r}`) };
    } else {
      const t = await tp(`${label}${r}`);
      x = { tp: t, raw: await raw() };
    }
    rounds.push(x);
    console.error(`  round ${r + 1}: ${fmt(x.tp.ackedPerS, 0)} acked/s (exactly once: ${x.tp.verify.ok}); raw pool-8 ${fmt(x.raw.perS, 0)} rows/s; ${fmt(x.tp.ackedPerS / x.raw.perS, 2)}×`);
  }
  const sum = (f: (x: Alternated["rounds"][number]) => number) => rounds.reduce((acc, x) => acc + f(x), 0);
  return { rounds, ratio: sum((x) => x.tp.ackedPerS) / sum((x) => x.raw.perS) };
}

/** Publish → subscriber latency of Redis itself, one message in flight. */
async function redisLatency(url: string, n: number): Promise<Dist> {
  const pub = new RedisClient(url);
  const sub = new RedisClient(url);
  const channel = `parley:bench:raw:${crypto.randomUUID()}`;
  let arrived: (() => void) | null = null;
  await sub.subscribe(channel, () => arrived?.());
  const samples: number[] = [];
  for (let i = 0; i < n + 50; i++) {
    const got = new Promise<void>((r) => (arrived = r));
    const t0 = performance.now();
    await pub.publish(channel, `${CONTENT}${i}`);
    await got;
    if (i >= 50) samples.push(performance.now() - t0);
  }
  pub.close();
  sub.close();
  return dist(samples);
}

/** One message in flight from A's socket on node 0; B has a socket on each node; both arrivals timed. */
async function deliveryLatency(nodes: ServerHandle[], fx: Pairs, n: number): Promise<{ same: Dist; cross: Dist }> {
  const [sender] = await openAll(nodes[0]!.base, [fx.dm.a]);
  const [near] = await openAll(nodes[0]!.base, [fx.dm.b]);
  const [far] = await openAll(nodes[1]!.base, [fx.dm.b]);
  const same: number[] = [];
  const cross: number[] = [];
  for (let i = 0; i < n + 50; i++) {
    const clientId = `lat-${i}`;
    const arrival = (s: typeof near) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`message ${i} not delivered within 10 s`)), 10_000);
        s!.onEvent = (f, t) => {
          if (f.type === "message:new" && f.message?.clientId === clientId) (clearTimeout(timer), resolve(t));
        };
      });
    const [tNear, tFar] = [arrival(near), arrival(far)];
    let t0 = 0;
    const acked = new Promise<void>((resolve) => (t0 = sender!.sendFrame({ type: "message:send", conversationId: fx.dm.conversationId, clientId, content: CONTENT + i }, () => resolve())));
    const [x, y] = await Promise.all([tNear, tFar, acked]);
    if (i >= 50) (same.push(x - t0), cross.push(y - t0));
  }
  for (const s of [sender, near, far]) s!.close();
  return { same: dist(same), cross: dist(cross) };
}

async function fixture(base: string): Promise<Pairs> {
  const names = ["lat_a", "lat_b", ...Array.from({ length: o.pairs }, (_, i) => [`tp_s${i}`, `tp_r${i}`]).flat()];
  const users = await mapLimit(names, 4, (n) => register(base, `bench_${n}`, PASSWORD));
  const pairs = await mapLimit(Array.from({ length: o.pairs }, (_, i) => i), 4, async (i) => ({
    sender: users[2 + 2 * i]!,
    receiver: users[3 + 2 * i]!,
    conversationId: await befriend(base, users[2 + 2 * i]!, users[3 + 2 * i]!),
  }));
  return { dm: { a: users[0]!, b: users[1]!, conversationId: await befriend(base, users[0]!, users[1]!) }, pairs };
}

async function oneRun(run: number): Promise<RunResult> {
  const db = await createPgDatabase(a["pg-url"]!);
  const dirs: string[] = [];
  const env = (i: number) => {
    const dir = mkdtempSync(join(tmpdir(), `parley-bench-cluster-${i}-`));
    dirs.push(dir);
    return {
      DATA_DIR: dir,
      DATABASE_URL: db.url,
      REDIS_URL: a["redis-url"]!,
      REDIS_CHANNEL: `parley:bench:${db.name}`,
      JWT_SECRET: "bench-cluster-jwt-secret-0123456789abcdef",
      LOG_LEVEL: "warn",
      ...LIMITS_OFF,
      ACCESS_TTL_SECONDS: "7200",
    };
  };
  const rmDirs = () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  onCleanup(rmDirs);
  const nodes: ServerHandle[] = [];
  try {
    const tag = `[run ${run}]`;
    nodes.push(await startServer(env(0)));
    const fx = await fixture(nodes[0]!.base);
    await waitForQuiet(o.quietS, 2);
    const raw = () => rawInsertRate(db.url, { pool: 8, workers: 8, warmS: o.tpWarmS, seconds: o.durationS, content: CONTENT });
    console.error(`${tag} one node: throughput (${o.pairs} pairs × ${o.window} in flight, ${o.durationS} s) …`);
    const one = await alternate("a", (tag) => phaseThroughput(nodes[0]!, fx, o, true, undefined, tag), raw);
    console.error(`  Parley ÷ raw (sums): ${fmt(one.ratio, 2)}×`);

    nodes.push(await startServer(env(1)));
    await waitForQuiet(o.quietS, 2);
    console.error(`${tag} two nodes: latency (${o.messages} messages, one in flight) …`);
    const lat = await deliveryLatency(nodes, fx, o.messages);
    const redis = await redisLatency(a["redis-url"]!, o.messages);
    console.error(`  same-node p50 ${fmt(lat.same.p50)} cross-node p50 ${fmt(lat.cross.p50)} raw Redis p50 ${fmt(redis.p50)} ms`);
    const placement = { sender: (p: number) => nodes[p % 2]!, receiver: (p: number) => nodes[(p + 1) % 2]!, servers: nodes };
    // The other direction: each phase's clientIds carry a tag of their own, and so does this one.
    const fx2 = { ...fx, pairs: fx.pairs.map((p) => ({ ...p, sender: p.receiver, receiver: p.sender })) };
    const two = { ...lat, redis, ...(await alternate("b", (tag) => phaseThroughput(nodes[0]!, fx2, o, true, placement, tag), raw)) };
    console.error(`  Parley ÷ raw (sums): ${fmt(two.ratio, 2)}×`);
    return { one, two };
  } finally {
    for (const n of nodes) await n.stop();
    await db.drop();
    rmDirs();
  }
}

function report(runs: RunResult[], meta: { date: string; command: string; machine: string; load: string }): string {
  const L: string[] = [];
  const row = (label: string, d: Dist) => `| ${label} | ${fmt(d.p50)} | ${fmt(d.p95)} | ${fmt(d.p99)} | ${fmt(d.max, 1)} |`;
  L.push(`Run ${meta.date} · \`${meta.command}\``, "");
  L.push(
    `Machine: ${meta.machine}. Load average (1/5/15 min) before → after: ${meta.load}. Nodes (\`src/server/main.ts\`, each its own process), PostgreSQL, Redis and ` +
      `this load generator share the machine. ${runs.length} run(s), each on a fresh database; every row below is per run.`,
    "",
  );
  L.push(`### Delivery latency, one message in flight (ms; ${o.messages} messages per run, two nodes)`, "");
  L.push("| run · path | p50 | p95 | p99 | max |", "|---|---:|---:|---:|---:|");
  runs.forEach((r, i) => L.push(row(`${i + 1} · same node`, r.two.same), row(`${i + 1} · cross node`, r.two.cross), row(`${i + 1} · raw Redis pub/sub`, r.two.redis)));
  L.push(
    "",
    `### Persisted throughput on PostgreSQL (${o.pairs} DM pairs × ${o.window} in flight; ${o.rounds} rounds of a ${o.durationS} s raw window and a ${o.durationS} s Parley window, in the order raw, Parley, Parley, raw, …)`,
    "",
  );
  L.push(
    "| run · nodes · round | acked msg/s | delivered msg/s | ack p50 ms | ack p99 ms | stored exactly once | raw pool-8 inserts/s | Parley ÷ raw | nodes' CPU % | postgres CPU % |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
  );
  runs.forEach((r, i) => {
    for (const [label, alt] of [["1 node", r.one], ["2 nodes (every pair across)", r.two]] as const) {
      alt.rounds.forEach((x, k) => {
        const v = x.tp.verify;
        L.push(
          `| ${i + 1} · ${label} · ${k + 1} | ${fmt(x.tp.ackedPerS, 0)} | ${fmt(x.tp.deliveredPerS, 0)} | ${fmt(x.tp.ack.p50, 1)} | ${fmt(x.tp.ack.p99, 1)} | ` +
            `${v.ok ? "yes" : "**NO**"}: ${v.ackedStoredOnce}/${x.tp.totalAcked}, ${v.missing} missing, ${v.duplicates} dup | ${fmt(x.raw.perS, 0)} | ${fmt(x.tp.ackedPerS / x.raw.perS, 2)}× | ${fmt(x.tp.cpu.server, 0)} | ${fmt(x.tp.cpu.db, 0)} |`,
        );
      });
      L.push(`| **${i + 1} · ${label} · all rounds** | | | | | | | **${fmt(alt.ratio, 2)}×** (sums) | | |`);
    }
  });
  const latMet = runs.map((r) => r.two.cross.p50 <= r.two.same.p50 + r.two.redis.p50 + 0.5);
  const pgMet = runs.flatMap((r) => [r.one.ratio >= 1, r.two.ratio >= 1]);
  const verified = runs.every((r) => [...r.one.rounds, ...r.two.rounds].every((x) => x.tp.verify.ok));
  L.push(
    "",
    `- cross-node p50 ≤ same-node p50 + raw Redis p50 + 0.5 ms: ${latMet.every(Boolean) ? "**met**" : "**not met**"}: met in ${latMet.filter(Boolean).length} of ${latMet.length} runs.`,
    `- PostgreSQL persisted msg/s ≥ raw pool-8 autocommit inserts of the same rounds (ratio of the sums): ${pgMet.every(Boolean) ? "**met**" : "**not met**"}: met in ${pgMet.filter(Boolean).length} of ${pgMet.length} measurements; ` +
      `every acknowledged message stored exactly once: ${verified ? "yes" : "**NO**"}.`,
  );
  return L.join("\n");
}

await runBench(async () => {
  if (!(await pgReachable(a["pg-url"]!))) throw new Error(`PostgreSQL at ${a["pg-url"]} is not reachable`);
  const m = machineInfo();
  const loadBefore = loadavg();
  const runs: RunResult[] = [];
  for (let r = 1; r <= o.runs; r++) runs.push(await oneRun(r));
  const markdown = report(runs, { date: m.date, command: ["./node_modules/.bin/bun", "bench/cluster.ts", ...Bun.argv.slice(2)].join(" "), machine: m.text, load: `${loadBefore} → ${loadavg()}` });
  console.log(markdown);
  if (!a["no-docs"]) console.error(`updated ${writeDocsSection("bench:cluster", "## Cluster: two nodes over PostgreSQL and Redis (bench/cluster.ts)", markdown, m.nproc)}`);
}, guards);
