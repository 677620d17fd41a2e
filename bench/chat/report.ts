/** The Markdown report of bench/chat.ts: one table per phase (best run per store), the spread over runs, and the targets. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fmt, mib, ROOT, type CpuShare } from "../lib/harness";
import { TARGET, type Options } from "./options";
import type { RunResult } from "./run";
import { errText } from "./sock";

/** CPU µs per item over a CPU window, of the server or (gen) the load generator. */
const usPer = (c: CpuShare, n: number, who: "server" | "gen" = "server") => ((c[who] / 100) * c.wallS * 1e6) / n;

const range = (xs: number[], d = 2) => {
  const f = xs.filter(Number.isFinite);
  if (f.length <= 1) return "–";
  return `${fmt(Math.min(...f), d)}–${fmt(Math.max(...f), d)}`;
};

function best<T>(xs: T[], key: (x: T) => number, dir: "min" | "max"): T | undefined {
  let b: T | undefined;
  for (const x of xs) if (b === undefined || (dir === "min" ? key(x) < key(b) : key(x) > key(b))) b = x;
  return b;
}

export interface ReportMeta {
  date: string;
  command: string;
  machine: string;
  load: string;
  pgNote: string;
  /** gitRevision() of the server's checkout, "" when unknown. */
  revision: string;
  /** From the section being replaced: "SQLite 221–295 µs, …" (see previousCost). */
  previous?: { date: string; revision?: string; cost: string };
}

/**
 * What the run recorded in docs/BENCHMARKS.md before this one spent per acknowledged message in
 * (b), read from its text before it is overwritten, so the report can show the change.
 */
export function previousCost(): ReportMeta["previous"] {
  const file = join(ROOT, "docs", "BENCHMARKS.md");
  if (!existsSync(file)) return undefined;
  const doc = readFileSync(file, "utf8");
  const section = doc.slice(doc.indexOf("<!-- bench:chat -->"), doc.indexOf("<!-- /bench:chat -->"));
  const run = /^Run (\d{4}-\d{2}-\d{2})(?: · server at ([^·]+?) ·)?/m.exec(section);
  const date = run?.[1];
  const costs = [...section.matchAll(/(SQLite|PostgreSQL): the server spent (\d+–\d+|\d+) µs of CPU per acknowledged message/g)].map((m) => `${m[1]} ${m[2]} µs`);
  return date && costs.length ? { date, revision: run?.[2], cost: costs.join(", ") } : undefined;
}

export function report(runs: RunResult[], meta: ReportMeta, o: Options) {
  const stores = [...new Set(runs.map((r) => r.store))];
  const anyPg = stores.includes("PostgreSQL");
  const cpuHead = `server CPU % |${anyPg ? " postgres CPU % |" : ""} loadgen CPU % | other CPU %`;
  const cpuAlign = `---:|${anyPg ? "---:|" : ""}---:|---:`;
  const cpuCells = (c: CpuShare, pg: boolean) => `${fmt(c.server, 0)} |${anyPg ? ` ${pg ? fmt(c.db, 0) : "–"} |` : ""} ${fmt(c.gen, 0)} | ${fmt(c.other, 0)}`;
  const L: string[] = [];
  L.push(`Run ${meta.date}${meta.revision ? ` · server at ${meta.revision}` : ""} · \`${meta.command}\``);
  L.push("");
  L.push(
    `Machine: ${meta.machine}. Load average (1/5/15 min) before → after: ${meta.load}. ` +
      `Server (\`src/server/main.ts\`, its own process) and load generator (this process, one thread) share the machine, ` +
      `over WebSockets on 127.0.0.1. ${o.runs} run${o.runs > 1 ? "s" : ""} per store, each on a fresh server and store ` +
      `(SQLite WAL in a temp DATA_DIR; PostgreSQL: a fresh database, dropped afterwards${meta.pgNote}); ` +
      `each table row is the best run of that phase, the spread column the range over all runs. ` +
      `CPU % is of one core (100 × cores = all); other = the rest of the machine (other tenants, kernel, steal). RSS = server RSS after the phase.`,
  );
  const verdicts: string[] = [];
  const ceilings: string[] = [];
  /** Server CPU µs per item over a CPU window. */
  /** µs per item from a CPU % and a rate. */
  const usPerS = (cpuPct: number, perS: number) => (cpuPct / 100) * (1e6 / perS);

  if (o.phases.has("a")) {
    L.push("");
    L.push(`### (a) DM send → delivered, one message in flight`);
    L.push("");
    L.push(`${o.dmWarm} warm-up then ${o.dmN} messages from A to B (two sockets, one DM); the next is sent when B has it and A has the ack. Latency in ms.`);
    L.push("");
    L.push(`| store | delivered p50 | p95 | p99 | max | ack p50 | ack p99 | errors | spread p50 / p99 over runs | ${cpuHead} | server CPU µs/msg | RSS MiB |`);
    L.push(`|---|---:|---:|---:|---:|---:|---:|---|---|${cpuAlign}|---:|---:|`);
    for (const store of stores) {
      const rs = runs.filter((r) => r.store === store && r.dm);
      const b = best(rs, (r) => r.dm!.deliver.p99, "min");
      if (!b) continue;
      const a = b.dm!;
      L.push(
        `| ${store} | ${fmt(a.deliver.p50)} | ${fmt(a.deliver.p95)} | ${fmt(a.deliver.p99)} | ${fmt(a.deliver.max, 1)} | ${fmt(a.ack.p50)} | ${fmt(a.ack.p99)} | ${errText(a.errors)} | ` +
          `${range(rs.map((r) => r.dm!.deliver.p50))} / ${range(rs.map((r) => r.dm!.deliver.p99))} | ${cpuCells(a.cpu, store === "PostgreSQL")} | ` +
          `${fmt(usPer(a.cpu, a.deliver.n), 0)} | ${mib(a.rss)} |`,
      );
      if (store === "SQLite") {
        const met = a.deliver.p50 <= TARGET.p50Ms && a.deliver.p99 <= TARGET.p99Ms && a.errors.size === 0;
        verdicts.push(
          `(a) DM send→delivered p50 ≤ ${TARGET.p50Ms} ms and p99 ≤ ${TARGET.p99Ms} ms (SQLite): ${met ? "**met**" : "**not met**"} — p50 ${fmt(a.deliver.p50)} ms, p99 ${fmt(a.deliver.p99)} ms (best run).`,
        );
      } else {
        const met = a.deliver.p50 <= TARGET.p50Ms && a.deliver.p99 <= TARGET.p99Ms;
        verdicts.push(`(a) on PostgreSQL (for reference): ${met ? "within" : "outside"} the same bounds — p50 ${fmt(a.deliver.p50)} ms, p99 ${fmt(a.deliver.p99)} ms.`);
      }
    }
  }

  if (o.phases.has("b")) {
    L.push("");
    L.push(`### (b) Pipelined persisted throughput`);
    L.push("");
    L.push(
      `${o.pairs} DM pairs (${2 * o.pairs} sockets), each sender keeping ${o.window} sends in flight (${o.pairs * o.window} in all); ${o.tpWarmS} s warm-up, then ${o.durationS} s measured. ` +
        `acked/s = replies \`ok: true\` (written and committed); delivered/s = \`message:new\` counted on the receivers' sockets. ` +
        `Latency (ms) is under that load, so mostly queueing. Exactly-once = afterwards every pair's history is paged through ` +
        `\`GET /api/conversations/:id/messages\`: each acknowledged clientId stored once, nothing missing, duplicated or stored without an ack.`,
    );
    L.push("");
    L.push(
      `| store | acked msg/s | delivered msg/s | ack p50 | ack p99 | delivered p99 | errors | stored exactly once | spread acked/s over runs | ${cpuHead} | ` +
        `server CPU µs/msg${anyPg ? " | postgres CPU µs/msg" : ""} | RSS MiB |`,
    );
    L.push(`|---|---:|---:|---:|---:|---:|---|---|---|${cpuAlign}|---:|${anyPg ? "---:|" : ""}---:|`);
    for (const store of stores) {
      const rs = runs.filter((r) => r.store === store && r.tp);
      const b = best(rs, (r) => r.tp!.ackedPerS, "max");
      if (!b) continue;
      const t = b.tp!;
      const allOk = rs.every((r) => r.tp!.verify.ok);
      const v = t.verify;
      L.push(
        `| ${store} | ${fmt(t.ackedPerS, 0)} | ${fmt(t.deliveredPerS, 0)} | ${fmt(t.ack.p50, 1)} | ${fmt(t.ack.p99, 1)} | ${fmt(t.deliver.p99, 1)} | ${errText(t.errors)} | ` +
          `${v.ok ? "yes" : "**NO**"}: ${v.ackedStoredOnce}/${t.totalAcked}, ${v.missing} missing, ${v.duplicates} dup, ${v.unacked} unacked${rs.length > 1 ? ` (all runs: ${allOk ? "yes" : "**NO**"})` : ""} | ` +
          `${range(rs.map((r) => r.tp!.ackedPerS), 0)} | ${cpuCells(t.cpu, store === "PostgreSQL")} | ` +
          `${fmt(usPerS(t.cpu.server, t.ackedPerS), 0)}${anyPg ? ` | ${store === "PostgreSQL" ? fmt(usPerS(t.cpu.db, t.ackedPerS), 0) : "–"}` : ""} | ${mib(t.rss)} |`,
      );
      const cost = rs.map((r) => usPerS(r.tp!.cpu.server, r.tp!.ackedPerS)).filter(Number.isFinite);
      if (cost.length) {
        const lo = Math.min(...cost);
        ceilings.push(
          `${store}: the server spent ${fmt(lo, 0)}–${fmt(Math.max(...cost), 0)} µs of CPU per acknowledged message over the runs, ` +
            `so one fully available core would carry ≈ ${fmt(1e6 / lo, 0)} msg/s at best${store === "PostgreSQL" ? " (plus what PostgreSQL itself needs)" : ""}.`,
        );
      }
      const raws = rs.filter((r) => r.raw);
      const bestRaw = best(raws, (r) => r.raw!.perS, "max")?.raw;
      if (bestRaw) {
        L.push(
          `| raw inserts, pool ${bestRaw.pool}, ${bestRaw.workers} callers (no Parley) | ${fmt(bestRaw.perS, 0)} | – | – | – | – | – | – | ${range(raws.map((r) => r.raw!.perS), 0)} | ` +
            `– |${anyPg ? ` ${fmt(bestRaw.cpu.db, 0)} |` : ""} ${fmt(bestRaw.cpu.gen, 0)} | ${fmt(bestRaw.cpu.other, 0)} | – |${anyPg ? ` ${fmt(usPerS(bestRaw.cpu.db, bestRaw.perS), 0)} |` : ""} – |`,
        );
        const ratios = raws.map((r) => r.tp!.ackedPerS / r.raw!.perS);
        const met = ratios.every((x) => x >= 1) && allOk;
        verdicts.push(
          `(b) PostgreSQL persisted msg/s ≥ raw one-row-per-transaction inserts on a pool of ${bestRaw.pool} in the same run: ${met ? "**met**" : "**not met**"} — ` +
            `Parley ÷ raw per run ${ratios.map((x) => `${fmt(x, 2)}×`).join(", ")} (best ${fmt(t.ackedPerS, 0)} vs ${fmt(bestRaw.perS, 0)} rows/s)` +
            `${allOk ? ", every acknowledged message stored exactly once" : ", **exactly-once check failed**"}.`,
        );
      }
      if (store === "SQLite") {
        const met = t.ackedPerS >= TARGET.sqliteMsgsPerS && allOk;
        verdicts.push(
          `(b) ≥ ${TARGET.sqliteMsgsPerS.toLocaleString("en")} persisted messages/s on SQLite: ${met ? "**met**" : "**not met**"} — ${fmt(t.ackedPerS, 0)} acked/s (best run)` +
            `${allOk ? ", every acknowledged message stored exactly once in every run" : ", **exactly-once check failed**"}.`,
        );
      }
    }
  }

  if (ceilings.length) {
    L.push("");
    L.push(
      "CPU per message is steadier than the rate on a shared machine (the rate falls when neighbours take the cores; the cost per message mostly does not): " +
        ceilings.join(" ") +
        (meta.previous ? ` The previous run recorded here (${meta.previous.date}${meta.previous.revision ? `, server at ${meta.previous.revision}` : ""}) spent ${meta.previous.cost} per acknowledged message.` : ""),
    );
  }

  if (o.phases.has("c")) {
    L.push("");
    L.push(`### (c) Fan-out to a ${o.groupSize}-member group`);
    L.push("");
    L.push(
      `One sender, ${o.groupSize - 1} receivers each on its own socket; ${o.fanWarm} warm-up then ${o.fanN} messages one in flight (the next when all ${o.groupSize - 1} have it), ` +
        `then ${o.fanPipeN} with ${o.fanWindow} in flight. Per delivery = send → that receiver's arrival; all = send → the last receiver; ` +
        `spread = last − first receiver of a message (the cost of the publish itself). Latency in ms.`,
    );
    L.push("");
    L.push(
      `| store | mode | messages | deliveries/s | msg/s | per-delivery p50 | p99 | max | all p99 | spread p50 | missing | spread deliveries/s over runs | ${cpuHead} | ` +
        `server CPU µs/msg | RSS MiB |`,
    );
    L.push(`|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|${cpuAlign}|---:|---:|`);
    for (const store of stores) {
      for (const mode of ["one in flight", "pipelined"] as const) {
        const rs = runs.filter((r) => r.store === store && r.fan).map((r) => r.fan!.find((f) => f.mode === mode)!);
        const c = best(rs, (x) => x.deliveriesPerS, "max");
        if (!c) continue;
        L.push(
          `| ${store} | ${mode}${mode === "pipelined" ? ` (${o.fanWindow})` : ""} | ${c.messages} | ${fmt(c.deliveriesPerS, 0)} | ${fmt(c.messagesPerS, 0)} | ${fmt(c.perDelivery.p50)} | ${fmt(c.perDelivery.p99)} | ` +
            `${fmt(c.perDelivery.max, 1)} | ${fmt(c.allDelivered.p99)} | ${fmt(c.spread.p50)} | ${c.missingDeliveries} | ${range(rs.map((x) => x.deliveriesPerS), 0)} | ` +
            `${cpuCells(c.cpu, store === "PostgreSQL")} | ${fmt(usPer(c.cpu, c.messages), 0)} | ${mib(c.rss)} |`,
        );
      }
    }
  }
  const base = runs.map((r) => r.baselineRss).filter(Number.isFinite);
  if (base.length) {
    const lo = Math.min(...base);
    const hi = Math.max(...base);
    L.push("", `Server RSS after setup (${2 + 2 * o.pairs + o.groupSize} users, before phase a): ${lo === hi ? mib(lo) : `${mib(lo)}–${mib(hi)}`} MiB.`);
  }
  if (o.phases.has("d")) L.push(...channelSection(runs, stores, o, cpuHead, cpuAlign, cpuCells));
  if (verdicts.length) {
    L.push("");
    L.push("Targets:");
    L.push("");
    for (const v of verdicts) L.push(`- ${v}`);
  }
  L.push("");
  L.push(
    "Digging in: `--phases b --runs 1 --cpu-prof DIR` profiles the server (summarise with `bun bench/lib/cpuprofile.ts DIR/*.cpuprofile`, " +
      "which leaves out the idle gaps between phases); `--server-dir DIR` runs another checkout's server, to A/B a server change on the same machine.",
  );
  return L.join("\n");
}


/** (d): the setup, one table row per store and mode, and a one-line answer per store. */
function channelSection(runs: RunResult[], stores: string[], o: Options, cpuHead: string, cpuAlign: string, cpuCells: (c: CpuShare, pg: boolean) => string): string[] {
  const n = o.chMembers.toLocaleString("en");
  const rx = o.chMembers - 1;
  const ran = runs.filter((r) => r.channel);
  const L: string[] = ["", `### (d) Fan-out in a ${n}-member space channel`, ""];
  L.push(
    `Issue: ${n}-member channel fan-out — deliveries/s and p99 for one message to all members' sockets. ` +
      `A space of ${n} members (its owner created it and one invite without limits; everyone else accepted it), each on its own WebSocket ` +
      `opened by this one load-generator process; the owner posts in #general, the other ${rx.toLocaleString("en")} receive. ` +
      `${o.chWarm} warm-up then ${o.chN} messages one in flight (the next when all ${rx} have it), then ${o.chPipeN} with ${o.chWindow} in flight. ` +
      `Per delivery = send → that receiver's arrival; last receiver = send → the last of the ${rx}, per message; spread = last − first receiver. ` +
      `The load generator reads all ${rx} sockets on one thread, so arrivals after the first also wait for its work on the frames before them ` +
      `(loadgen CPU µs/delivery). Latency in ms. ` +
      `Runs last, on the same server as the other phases${o.chRuns < o.runs ? `, in the first ${o.chRuns > 1 ? `${o.chRuns} runs` : "run"} per store only (its setup hashes ${n} passwords)` : ""}.`,
  );
  L.push("");
  L.push(
    `| store | mode | messages | deliveries/s | msg/s | per-delivery p50 | p99 | max | last receiver p50 | last receiver p99 | spread p50 | missing | ` +
      `spread deliveries/s over runs | ${cpuHead} | server CPU µs/msg | server CPU µs/delivery | loadgen CPU µs/delivery | RSS MiB |`,
  );
  L.push(`|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|${cpuAlign}|---:|---:|---:|---:|`);
  const answers: string[] = [];
  for (const store of stores) {
    const byMode = (["one in flight", "pipelined"] as const).map((mode) => {
      const rs = ran.filter((r) => r.store === store).map((r) => r.channel!.modes.find((f) => f.mode === mode)!);
      return { mode, rs, c: best(rs, (x) => x.deliveriesPerS, "max") };
    });
    for (const { mode, rs, c } of byMode) {
      if (!c) continue;
      const deliveries = c.perDelivery.n;
      L.push(
        `| ${store} | ${mode}${mode === "pipelined" ? ` (${o.chWindow})` : ""} | ${c.messages} | ${fmt(c.deliveriesPerS, 0)} | ${fmt(c.messagesPerS, 1)} | ` +
          `${fmt(c.perDelivery.p50)} | ${fmt(c.perDelivery.p99)} | ${fmt(c.perDelivery.max, 1)} | ${fmt(c.allDelivered.p50)} | ${fmt(c.allDelivered.p99)} | ${fmt(c.spread.p50)} | ` +
          `${c.missingDeliveries} | ${range(rs.map((x) => x.deliveriesPerS), 0)} | ${cpuCells(c.cpu, store === "PostgreSQL")} | ${fmt(usPer(c.cpu, c.messages), 0)} | ` +
          `${fmt(usPer(c.cpu, deliveries), 1)} | ${fmt(usPer(c.cpu, deliveries, "gen"), 1)} | ${mib(c.rss)} |`,
      );
    }
    const [single, piped] = byMode.map((m) => m.c);
    if (single && piped) {
      answers.push(
        `${store}: one message reaches all ${rx} sockets in p50 ${fmt(single.allDelivered.p50, 1)} / p99 ${fmt(single.allDelivered.p99, 1)} ms ` +
          `(per delivery p99 ${fmt(single.perDelivery.p99, 1)} ms); pipelined, ${fmt(piped.deliveriesPerS, 0)} deliveries/s with per-delivery p99 ${fmt(piped.perDelivery.p99, 1)} ms.`,
      );
    }
  }
  const span = (xs: number[], d: number) => (Math.min(...xs) === Math.max(...xs) ? fmt(xs[0]!, d) : `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`);
  if (ran.length) {
    const ch = ran.map((r) => r.channel!);
    L.push(
      "",
      `Setup per run: ${n} users registered in ${span(ch.map((c) => c.registerS), 0)} s (argon2id, HASH_CONCURRENCY=2), ` +
        `the invite accepted by ${rx.toLocaleString("en")} in ${span(ch.map((c) => c.joinS), 1)} s, ${n} sockets opened with \`hello\` in ${span(ch.map((c) => c.openS), 1)} s; ` +
        `server RSS with all of them open: ${span(ch.map((c) => c.setupRss / 1024 / 1024), 0)} MiB.`,
    );
  }
  if (answers.length) L.push("", ...answers);
  return L;
}
