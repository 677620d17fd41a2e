/**
 * Messages at scale: `bun bench/messages.ts [--messages 1000000] [--n 300] [--no-pg] [--no-docs]`
 *
 * Per store (SQLite in a temp DATA_DIR, then a fresh PostgreSQL database next to --pg-url's,
 * dropped afterwards): a node in this process, a reader registered through it, and 1M messages
 * bulk-loaded into 1,000 five-author group conversations over a year (bench/messages/data.ts);
 * the reader is in 100 of them. COMMON is in ~10 % of all messages, RARE in 100. Then, on that
 * data in the same run, each read at three levels (bench/messages/measure.ts): raw SQL, Parley's
 * Store, and the HTTP endpoint in-process — search's first page for the common and the rare word,
 * and a 50-message history page back from random points of the reader's conversations. Targets:
 * search p99 ≤ 2× raw, history page p99 ≤ 2× raw (judged at the Store). Writes its section
 * (`<!-- bench:messages -->`) of docs/BENCHMARKS.md unless --no-docs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/server/config";
import { createParley } from "../src/server/server";
import { createPgDatabase, fmt, gitRevision, installExitGuards, LIMITS_OFF, loadavg, machineInfo, num, onCleanup, pgReachable, register, runBench, writeDocsSection } from "./lib/harness";
import { COMMON, RARE, loadPostgres, loadSqlite, type Loaded, type Shape } from "./messages/data";
import { cases, LEVELS, measure, rawPostgres, rawSqlite, type CaseResult } from "./messages/measure";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    n: { type: "string", default: "300" },
    "n-common": { type: "string" },
    warm: { type: "string", default: "20" },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
    "no-pg": { type: "boolean", default: false },
    "no-sqlite": { type: "boolean", default: false },
    "no-docs": { type: "boolean", default: false },
  },
});
const total = num("messages", values.messages, 1000, 10_000_000);
const n = num("n", values.n, 10, 100_000);
const warm = num("warm", values.warm, 0, 10_000);
/** Rounds for the common word alone (each reads all its matches on PostgreSQL; default --n). */
const nCommon = values["n-common"] === undefined ? n : num("n-common", values["n-common"], 10, 100_000);
const shape: Shape = { messages: total, conversations: 1000, readerIn: 100, authors: 50, commonShare: 0.1, rareCount: 100 };
const log = (s: string) => console.error(s);
const guards = installExitGuards(3 * 3600);

interface StoreRun {
  store: "SQLite" | "PostgreSQL";
  loaded: Loaded;
  results: CaseResult[];
  plans: { search: string; history: string };
}

async function oneStore(store: StoreRun["store"]): Promise<StoreRun> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-messages-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const pg = store === "PostgreSQL" ? await createPgDatabase(values["pg-url"]) : null;
  // The reader's access token must outlive a 1M-row load (15 min by default).
  const env = { ...LIMITS_OFF, ACCESS_TTL_SECONDS: "86400", DATA_DIR: dir, LOG_LEVEL: "silent", PORT: "0", HOST: "127.0.0.1", ...(pg ? { DATABASE_URL: pg.url } : {}) };
  const node = await createParley(loadConfig(env));
  try {
    const reader = await register(`http://127.0.0.1:${node.listen().port}`, "bench_reader", "correct horse battery staple");
    log(`${store}: loading ${total} messages …`);
    const path = join(dir, "parley.db");
    const loaded = pg ? await loadPostgres(pg.url, shape, reader.id, log) : await loadSqlite(path, shape, reader.id, log);
    log(`${store}: loaded in ${loaded.loadSeconds.toFixed(0)} s; ${JSON.stringify(loaded.counts)}`);
    const raw = pg ? rawPostgres(pg.url) : rawSqlite(path);
    try {
      const results: CaseResult[] = [];
      for (const c of cases(node, raw, reader, loaded.cursors, { common: COMMON, rare: RARE })) {
        results.push(await measure(c, c.name.includes(COMMON) ? nCommon : n, Math.min(warm, c.name.includes(COMMON) ? 3 : warm)));
        log(`  ${c.name}: ${LEVELS.map((l) => `${l} p50 ${fmt(results.at(-1)!.levels[l].p50)} p99 ${fmt(results.at(-1)!.levels[l].p99)}`).join(" · ")}`);
      }
      const at = loaded.cursors[Math.floor(loaded.cursors.length / 2)]!;
      return { store, loaded, results, plans: await raw.plans(reader.id, COMMON, at.conversationId, at.before) };
    } finally {
      await raw.close();
    }
  } finally {
    await node.close();
    await pg?.drop();
  }
}

function report(runs: StoreRun[], head: { date: string; command: string; machine: string; load: string; revision: string }): string {
  const out: string[] = [];
  out.push(`Run ${head.date} · server at ${head.revision} · \`${head.command}\``, "");
  out.push(`Machine: ${head.machine}. Load average (1/5/15 min) before → after: ${head.load}. One node in the bench's own process; each store fresh (SQLite WAL in a temp DATA_DIR, synchronous FULL; PostgreSQL: a new database on the shared server, \`vacuum analyze\` after loading, dropped afterwards).`, "");
  out.push(
    `Data: ${total.toLocaleString("en")} text messages of 4–16 words (a Zipf-like 4,000-word vocabulary) in ${shape.conversations.toLocaleString("en")} group conversations of five authors over the past year; the reader is a member of ${shape.readerIn} of them. "${COMMON}" is in ${fmtShare(runs[0]?.loaded.counts.common)} of the messages, "${RARE}" in ${runs[0]?.loaded.counts.rare}. Loaded with multi-row INSERTs in large transactions with the full-text index in place (SQLite's FTS5 triggers, PostgreSQL's GIN expression index), as the write path keeps it.`,
    "",
  );
  out.push(
    `Each read ${n} times per level (the common word ${nCommon}) after ${warm} warm-up rounds (the common word 3), the levels in turn (rotating which goes first): **raw SQL** = the statement on a connection of its own, prepared once, no Parley code; **Store** = \`store.search.messages\` / \`store.chat.messages\`, what the services call (Kysely building and compiling, its connection); **HTTP** = \`app.fetch\` in-process: cookie auth, validation, the service (search: snippets; history: membership check, reactions, attachments, thread summaries) and JSON. Search = the first page (20 hits) of one word, as typed (a prefix); history = the 50 messages before a random message of one of the reader's conversations. All three return the same messages (checked). Times in ms.`,
    "",
  );
  out.push("| store | read | visible matches | raw p50 | raw p99 | Store p50 | Store p99 | HTTP p50 | HTTP p99 | Store/raw p99 | HTTP/raw p99 |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of runs) {
    for (const c of r.results) {
      const [raw, st, http] = LEVELS.map((l) => c.levels[l]);
      const visible = c.name.includes(COMMON) ? r.loaded.counts.commonVisible : c.name.includes(RARE) ? r.loaded.counts.rareVisible : "–";
      out.push(`| ${r.store} | ${c.name} | ${visible} | ${fmt(raw!.p50)} | ${fmt(raw!.p99)} | ${fmt(st!.p50)} | ${fmt(st!.p99)} | ${fmt(http!.p50)} | ${fmt(http!.p99)} | ${fmt(st!.p99 / raw!.p99)}× | ${fmt(http!.p99 / raw!.p99)}× |`);
    }
  }
  out.push("", "Bulk load: " + runs.map((r) => `${r.store} ${r.loaded.loadSeconds.toFixed(0)} s`).join(", ") + ".", "");
  out.push("Plans (search for the common word; a history page):", "");
  for (const r of runs) out.push(`- ${r.store} search: \`${r.plans.search}\``, `- ${r.store} history: \`${r.plans.history}\``);
  out.push("");
  for (const [what, match] of [["search", "search"], ["history page", "history"]] as const) {
    const worst = runs.flatMap((r) => r.results.filter((c) => c.name.startsWith(match)).map((c) => ({ r, c, ratio: c.levels.Store.p99 / c.levels["raw SQL"].p99 })));
    const met = worst.every((w) => w.ratio <= 2);
    out.push(`- ${what} p99 ≤ 2× raw (Store): **${met ? "met" : "not met"}** — ${worst.map((w) => `${w.r.store} ${w.c.name} ${fmt(w.ratio)}×`).join(", ")}`);
  }
  return out.join("\n");
}

const fmtShare = (count: number | undefined) => (count === undefined ? "–" : `${((count / total) * 100).toFixed(1)} %`);

async function main() {
  const m = machineInfo();
  const command = ["./node_modules/.bin/bun", "bench/messages.ts", ...Bun.argv.slice(2)].join(" ");
  const loadBefore = loadavg();
  const runs: StoreRun[] = [];
  if (!values["no-sqlite"]) runs.push(await oneStore("SQLite"));
  if (!values["no-pg"]) {
    if (await pgReachable(values["pg-url"])) runs.push(await oneStore("PostgreSQL"));
    else log(`PostgreSQL at ${values["pg-url"]} is not reachable; SQLite only`);
  }
  const markdown = report(runs, { date: m.date, command, machine: m.text, load: `${loadBefore} → ${loadavg()}`, revision: gitRevision() });
  console.log(markdown);
  if (!values["no-docs"]) log(`updated ${writeDocsSection("bench:messages", "## Messages at 1M: search and history (bench/messages.ts)", markdown, m.nproc)}`);
}

await runBench(main, guards);
