/** One run = a fresh server process and store, setup, then the chosen phases in order. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgDatabase, fmt, LIMITS_OFF, onCleanup, serverRss, sleep, startServer, waitForQuiet, type ServerHandle } from "../lib/harness";
import { phaseChannelFanout, type ChannelResult } from "./channel-fanout";
import { phaseDmLatency, type LatencyResult } from "./dm-latency";
import { phaseFanout, type FanoutResult } from "./fanout";
import type { Options } from "./options";
import { setup } from "./setup";
import { errText } from "./sock";
import { phaseThroughput, type ThroughputResult } from "./throughput";
import { rawInsertRate, type RawInsertResult } from "../lib/pg-raw";
import { CONTENT } from "./options";

export interface RunResult {
  store: "SQLite" | "PostgreSQL";
  run: number;
  baselineRss: number;
  dm?: LatencyResult;
  tp?: ThroughputResult;
  /** PostgreSQL: raw autocommit inserts into the same database right after (b), the baseline (b) is held to. */
  raw?: RawInsertResult;
  fan?: FanoutResult[];
  channel?: ChannelResult;
}

const fanLine = (c: FanoutResult) =>
  `  ${c.mode}: ${fmt(c.deliveriesPerS, 0)} deliveries/s (${fmt(c.messagesPerS, 0)} msg/s); per delivery p50 ${fmt(c.perDelivery.p50)} p99 ${fmt(c.perDelivery.p99)} ` +
  `max ${fmt(c.perDelivery.max, 1)} ms; spread p50 ${fmt(c.spread.p50)} ms; missing ${c.missingDeliveries}; server CPU ${fmt(c.cpu.server, 0)} %`;

export async function oneRun(store: RunResult["store"], run: number, o: Options): Promise<RunResult> {
  const env: Record<string, string> = {
    ...LIMITS_OFF,
    LOG_LEVEL: "warn",
    // (d) registers up to thousands of users: two argon2id hashes at a time, and access tokens
    // that outlive that setup (sockets close when their token expires).
    HASH_CONCURRENCY: "2",
    ACCESS_TTL_SECONDS: "7200",
  };
  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-chat-"));
  const rmData = () => rmSync(dataDir, { recursive: true, force: true });
  onCleanup(rmData);
  env.DATA_DIR = dataDir;
  let drop: (() => Promise<void>) | undefined;
  if (store === "PostgreSQL") {
    const db = await createPgDatabase(o.pgUrl);
    env.DATABASE_URL = db.url;
    drop = db.drop;
  }
  const withDb = store === "PostgreSQL";
  const tag = `[${store} run ${run}]`;
  let srv: ServerHandle | undefined;
  try {
    console.error(`${tag} starting server …`);
    srv = await startServer(env, { cpuProfDir: o.cpuProf, serverDir: o.serverDir });
    const t = performance.now();
    const fx = await setup(srv.base, o);
    console.error(`${tag} setup: ${2 + 2 * o.pairs + o.groupSize} users, friendships, a ${o.groupSize}-member group in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const r: RunResult = { store, run, baselineRss: await serverRss(srv.base) };
    await waitForQuiet(Math.min(o.quietWaitS, 30), 2);

    if (o.phases.has("a")) {
      console.error(`${tag} (a) DM latency: ${o.dmWarm} warm-up + ${o.dmN} messages, one in flight …`);
      const a = (r.dm = await phaseDmLatency(srv, fx, o, withDb));
      console.error(
        `  send→delivered p50 ${fmt(a.deliver.p50)} p95 ${fmt(a.deliver.p95)} p99 ${fmt(a.deliver.p99)} max ${fmt(a.deliver.max, 1)} ms; ` +
          `send→ack p50 ${fmt(a.ack.p50)} p99 ${fmt(a.ack.p99)} ms; errors ${errText(a.errors)}; server CPU ${fmt(a.cpu.server, 0)} %, other ${fmt(a.cpu.other, 0)} %`,
      );
      await sleep(300);
    }
    if (o.phases.has("b")) {
      console.error(`${tag} (b) throughput: ${o.pairs} pairs × ${o.window} in flight, ${o.tpWarmS} s warm-up + ${o.durationS} s …`);
      const b = (r.tp = await phaseThroughput(srv, fx, o, withDb));
      console.error(
        `  acked ${fmt(b.ackedPerS, 0)}/s delivered ${fmt(b.deliveredPerS, 0)}/s; ack p50 ${fmt(b.ack.p50, 1)} p99 ${fmt(b.ack.p99, 1)} ms; ` +
          `errors ${errText(b.errors)}; server CPU ${fmt(b.cpu.server, 0)} % (${fmt((b.cpu.server * 1e4) / b.ackedPerS, 0)} µs/msg)${withDb ? `, postgres ${fmt(b.cpu.db, 0)} %` : ""}, loadgen ${fmt(b.cpu.gen, 0)} %, other ${fmt(b.cpu.other, 0)} %`,
      );
      const v = b.verify;
      console.error(
        `  verify (REST history): ${b.totalAcked} acked, ${v.stored} stored, ${v.ackedStoredOnce} acked-and-stored-once, ${v.missing} missing, ` +
          `${v.duplicates} duplicated, ${v.unacked} stored-but-unacked, ${b.totalDelivered} delivered → ${v.ok ? "OK" : "FAILED"} (${fmt(v.ms / 1000, 1)} s)`,
      );
      if (withDb) {
        await sleep(300);
        console.error(`${tag} (b) raw baseline: one-row autocommit inserts, pool ${o.rawPool}, ${o.rawWorkers} callers, ${o.tpWarmS} s warm-up + ${o.durationS} s …`);
        const raw = (r.raw = await rawInsertRate(env.DATABASE_URL!, { pool: o.rawPool, workers: o.rawWorkers, warmS: o.tpWarmS, seconds: o.durationS, content: CONTENT }));
        console.error(`  raw ${fmt(raw.perS, 0)} rows/s (Parley ${fmt(b.ackedPerS / raw.perS, 2)}× of it); postgres CPU ${fmt(raw.cpu.db, 0)} %, client ${fmt(raw.cpu.gen, 0)} %, other ${fmt(raw.cpu.other, 0)} %`);
      }
      await sleep(300);
    }
    if (o.phases.has("c")) {
      console.error(`${tag} (c) fan-out to ${o.groupSize - 1} receivers: ${o.fanN} one in flight, then ${o.fanPipeN} with ${o.fanWindow} in flight …`);
      r.fan = await phaseFanout(srv, fx, o, withDb);
      for (const c of r.fan) console.error(fanLine(c));
      await sleep(300);
    }
    if (o.phases.has("d") && run <= o.chRuns) {
      console.error(
        `${tag} (d) channel fan-out: ${o.chMembers} members (registering, joining, connecting …), then ${o.chN} one in flight and ${o.chPipeN} with ${o.chWindow} in flight …`,
      );
      r.channel = await phaseChannelFanout(srv, o, withDb, (s) => console.error(s));
      for (const c of r.channel.modes) console.error(`${fanLine(c)}; to the last receiver p50 ${fmt(c.allDelivered.p50)} p99 ${fmt(c.allDelivered.p99)} ms`);
    }
    return r;
  } catch (err) {
    if (srv) console.error(`--- server output (tail) ---\n${srv.log()}`);
    throw err;
  } finally {
    await srv?.stop();
    await drop?.();
    rmData();
  }
}
