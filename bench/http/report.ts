/** The markdown report of bench/http.ts. */
import { ARGON2 } from "../../src/server/auth/passwords";
import { fmt, mib } from "../lib/harness";
import { CONNECTIONS, DURATION_S, HASH_CONCURRENCY, HASH_N, LOGIN_CONC, LOGIN_S, LOGIN_USERS, NOISY_OTHER_CPU, RETRIES, TARGET, USE_PG, WARMUP_S } from "./config";
import type { hashCost, LoginResult } from "./login";
import type { RateResult } from "./rate";

export const errText = (m: Map<string, number>) => (m.size === 0 ? "0" : [...m].map(([k, n]) => `${n} ${k}`).join(", "));

export function report(r: {
  date: string;
  command: string;
  machine: string;
  store: string;
  steps: RateResult[];
  floor: RateResult | undefined;
  baselineRss: number;
  login: LoginResult;
  hash: ReturnType<typeof hashCost>;
  nproc: number;
  load: string;
}): { markdown: string; met: boolean | null; at: RateResult | undefined } {
  const at = r.steps.find((s) => s.rate === TARGET.rate);
  const met = at ? at.p95 <= TARGET.p95Ms && at.errors.size === 0 : null;
  const L: string[] = [];
  L.push(`Run ${r.date} · \`${r.command}\``);
  L.push("");
  L.push(
    `Machine: ${r.machine}. Load average before/after: ${r.load}. Store: ${r.store}. ` +
      "Server and load generator share the machine (and its cores with whatever else runs on it).",
  );
  L.push("");
  L.push(`### GET /api/users/me — open loop, fixed rate`);
  L.push("");
  L.push(
    `${WARMUP_S} s warm-up then ${DURATION_S} s measured per rate; latency from each request's scheduled send time ` +
      `(no coordinated omission); ≤ ${CONNECTIONS} keep-alive connections; one user, cookie auth ` +
      `(JWT verify + session lookup + user lookup per request). Server RSS at start: ${mib(r.baselineRss)} MiB.`,
  );
  L.push("");
  L.push("| target req/s | achieved req/s | p50 ms | p95 ms | p99 ms | max ms | errors | server RSS MiB |");
  L.push("|---:|---:|---:|---:|---:|---:|---|---:|");
  for (const s of r.steps) {
    L.push(
      `| ${s.rate} | ${fmt(s.achieved, 0)} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max, 1)} | ` +
        `${errText(s.errors)} | ${mib(s.rss)} |`,
    );
  }
  const f = r.floor;
  if (f) {
    L.push(
      `| ${f.rate} floor¹ | ${fmt(f.achieved, 0)} | ${fmt(f.p50)} | ${fmt(f.p95)} | ${fmt(f.p99)} | ${fmt(f.max, 1)} | ` +
        `${errText(f.errors)} | ${mib(f.rss)} |`,
    );
    L.push("");
    L.push(
      "¹ floor = a bare `Bun.serve` returning a fixed JSON body of the same shape, measured first with the same " +
        "generator: what the machine, loopback and load generator cost before Parley does any work.",
    );
  }
  L.push("");
  L.push("Where the time goes (same steps):");
  L.push("");
  const db = USE_PG ? " postgres CPU % |" : "";
  L.push(
    `| target req/s | p95 from send ms | dispatch lag p99 ms | in-app mean ms | in-app p95 ms | server CPU % |${db} loadgen CPU % | other CPU % | tries |`,
  );
  L.push(`|---:|---:|---:|---:|---:|---:|${USE_PG ? "---:|" : ""}---:|---:|---:|`);
  for (const s of f ? [...r.steps, f] : r.steps) {
    L.push(
      `| ${s === f ? `${s.rate} floor¹` : s.rate} | ${fmt(s.sendP95)} | ${fmt(s.lagP99)} | ${fmt(s.inAppMean, 3)} | ${s.inAppP95} | ${fmt(s.serverCpu, 0)} |` +
        `${USE_PG ? ` ${fmt(s.dbCpu, 0)} |` : ""} ${fmt(s.genCpu, 0)} | ${fmt(s.otherCpu, 0)} | ${s.tries ?? 1} |`,
    );
  }
  L.push("");
  L.push(
    "p50–max are from the scheduled send time (the target is judged on these). " +
      "p95 from send = from the moment fetch was called; dispatch lag = how late the generator sent (timer jitter + waiting " +
      "for a free connection). In-app = the server's own middleware timing from `/metrics` (histogram buckets, so p95 " +
      "is a bucket bound). CPU % is of one core (100 × cores = all of them); other = the rest of the machine " +
      "(other tenants, kernel, steal) during the measured window — a noisy neighbour shows up there. " +
      `A step during which other used > ${NOISY_OTHER_CPU} % is repeated (up to ${1 + RETRIES} tries) and the ` +
      "quietest attempt is kept — chosen by other CPU %, never by latency.",
  );
  L.push("");
  const verdict =
    met === null
      ? `not measured (no ${TARGET.rate} req/s step in this run)`
      : met
        ? `**met** — p95 ${fmt(at!.p95)} ms at ${TARGET.rate} req/s`
        : `**not met** — p95 ${fmt(at!.p95)} ms at ${TARGET.rate} req/s${at!.errors.size ? `, errors: ${errText(at!.errors)}` : ""}`;
  const noisy =
    at && at.otherCpu > 25
      ? ` Caveat: other processes used ${fmt(at.otherCpu, 0)} % of a core during that step, so its tail is partly ` +
        "theirs; rerun on a quiet machine before drawing conclusions."
      : "";
  const overFloor = at && f ? ` (floor p95 ${fmt(f.p95)} ms in this run)` : "";
  L.push(`Target "/api/users/me p95 ≤ ${TARGET.p95Ms} ms at 1,000 req/s": ${verdict}${overFloor}.${noisy}`);
  L.push("");
  L.push(`### POST /api/auth/login — closed loop`);
  L.push("");
  const cores = Math.min(HASH_CONCURRENCY, r.nproc);
  const ceiling = (cores * 1000) / r.hash.verifyMs;
  L.push(
    `argon2id memoryCost ${ARGON2.memoryCost} KiB, timeCost ${ARGON2.timeCost} (src/server/auth/passwords.ts); ` +
      `HASH_CONCURRENCY=${HASH_CONCURRENCY}, HASH_QUEUE 64 (default); ${LOGIN_CONC} concurrent clients over ${LOGIN_USERS} users for ${LOGIN_S} s.`,
  );
  L.push("");
  L.push(`| clients | logins/s | p50 ms | p99 ms | max ms | errors | server CPU % |${db} other CPU % | tries | server RSS MiB |`);
  L.push(`|---:|---:|---:|---:|---:|---|---:|${USE_PG ? "---:|" : ""}---:|---:|---:|`);
  const l = r.login;
  L.push(
    `| ${LOGIN_CONC} | ${fmt(l.perSec, 1)} | ${fmt(l.p50, 0)} | ${fmt(l.p99, 0)} | ${fmt(l.max, 0)} | ${errText(l.errors)} | ${fmt(l.serverCpu, 0)} |` +
      `${USE_PG ? ` ${fmt(l.dbCpu, 0)} |` : ""} ${fmt(l.otherCpu, 0)} | ${l.tries ?? 1} | ${mib(l.rss)} |`,
  );
  L.push("");
  L.push(
    `Per-hash cost in-process (single thread, N=${HASH_N}, same params): hash ${fmt(r.hash.hashMs, 1)} ms ` +
      `(p50 ${fmt(r.hash.hashP50, 1)}), verify ${fmt(r.hash.verifyMs, 1)} ms (p50 ${fmt(r.hash.verifyP50, 1)}) → ` +
      `ceiling ≈ min(HASH_CONCURRENCY, cores) × 1000 / verify = ${fmt(ceiling, 1)} logins/s; measured ${fmt(l.perSec, 1)} ` +
      `(${fmt((l.perSec / ceiling) * 100, 0)} % of it). Login latency ≈ clients (${LOGIN_CONC}) / throughput. ` +
      `Other CPU during the hash timing: ${fmt(r.hash.otherCpu, 0)} % (${r.hash.tries ?? 1} tries).`,
  );
  return { markdown: L.join("\n"), met, at };
}
