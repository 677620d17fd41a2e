/** The open-loop fixed-rate step of bench/http.ts (GET /api/users/me) and the /metrics scraping it uses. */
import { machineBusySeconds, metricsText, pct, procCpuSeconds, selfCpuSeconds, sleep, type ServerHandle } from "../lib/harness";
import { CONNECTIONS, DRAIN_MS, DURATION_S, postgresCpuSeconds, WARMUP_S } from "./config";

export interface Scrape {
  rss: number;
  /** Cumulative in-app latency histogram of GET /api/users/me: le (s) → count, plus sum and count. */
  meBuckets: Map<number, number>;
  meSum: number;
  meCount: number;
}

export async function scrape(base: string): Promise<Scrape> {
  const text = await metricsText(base);
  const s: Scrape = { rss: NaN, meBuckets: new Map(), meSum: 0, meCount: 0 };
  for (const line of text.split("\n")) {
    if (line.startsWith("process_resident_memory_bytes ")) s.rss = Number(line.split(" ")[1]);
    if (!line.includes('method="GET",route="/api/users/me"')) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (line.startsWith("parley_http_request_duration_seconds_bucket") && le && le !== "+Inf") {
      s.meBuckets.set(Number(le), value);
    } else if (line.startsWith("parley_http_request_duration_seconds_sum")) s.meSum = value;
    else if (line.startsWith("parley_http_request_duration_seconds_count")) s.meCount = value;
  }
  return s;
}

/** In-app (middleware-timed) mean and p95 bucket bound between two scrapes. */
export function inApp(a: Scrape, b: Scrape): { meanMs: number; p95Bound: string } {
  const n = b.meCount - a.meCount;
  if (n <= 0) return { meanMs: NaN, p95Bound: "–" };
  const les = [...b.meBuckets.keys()].sort((x, y) => x - y);
  let bound = "> 5 s";
  for (const le of les) {
    if ((b.meBuckets.get(le) ?? 0) - (a.meBuckets.get(le) ?? 0) >= 0.95 * n) {
      bound = `≤ ${+(le * 1000).toFixed(1)}`;
      break;
    }
  }
  return { meanMs: ((b.meSum - a.meSum) / n) * 1000, p95Bound: bound };
}

// ---------------------------------------------------------------- open-loop rate step

export interface RateResult {
  rate: number;
  sent: number;
  ok: number;
  errors: Map<string, number>;
  achieved: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Dispatch delay behind schedule (timer lateness + waiting for a free connection), p99. */
  lagP99: number;
  /** p95 measured from the actual send instead of the schedule. */
  sendP95: number;
  maxInFlight: number;
  rss: number;
  serverCpu: number;
  genCpu: number;
  /** CPU of the PostgreSQL processes (--pg only). */
  dbCpu: number;
  /** Machine CPU used by neither the server, the database nor this process (other tenants, kernel, steal). */
  otherCpu: number;
  /** Attempts made (a noisy attempt is repeated, see --retries). */
  tries?: number;
  inAppMean: number;
  inAppP95: string;
}

export async function rateStep(srv: ServerHandle, cookie: string, rate: number): Promise<RateResult> {
  const base = srv.base;
  const url = `${base}/api/users/me`;
  const headers = { cookie };
  const interval = 1000 / rate;
  const warmN = Math.round(rate * WARMUP_S);
  const measN = Math.max(1, Math.round(rate * DURATION_S));
  const total = warmN + measN;

  const lat = new Float64Array(measN); // from scheduled send time
  const svc = new Float64Array(measN); // from actual send (what a closed-loop tool would report)
  const lag = new Float64Array(measN);
  let nLat = 0;
  let nLag = 0;
  const errors = new Map<string, number>();
  const err = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);

  const ctrl = new AbortController();
  let scheduled = 0; // requests whose send time has come
  let dispatched = 0; // requests handed to fetch
  let settled = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let stopped = false;
  let lastEnd = 0;
  let allSettled!: () => void;
  const settledP = new Promise<void>((r) => (allSettled = r));

  const start = performance.now() + 20;
  const measStart = start + warmN * interval;
  const at = (i: number) => start + i * interval;

  const finish = () => {
    inFlight--;
    settled++;
    if (settled === total) allSettled();
    else pump();
  };

  const send = (i: number) => {
    const sched = at(i);
    const measured = i >= warmN;
    const t = performance.now();
    if (measured) lag[nLag++] = t - sched;
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    fetch(url, { headers, signal: ctrl.signal })
      .then(async (res) => {
        await res.arrayBuffer(); // read fully so the socket goes back to the pool
        const end = performance.now();
        if (!measured) return;
        lastEnd = end;
        if (res.status === 200) {
          svc[nLat] = end - t;
          lat[nLat++] = end - sched;
        } else {
          err(`HTTP ${res.status}`);
        }
      })
      .catch((e: unknown) => {
        if (measured) err(ctrl.signal.aborted ? "timeout" : String((e as Error)?.name ?? "error"));
      })
      .finally(finish);
  };

  function pump() {
    while (!stopped && inFlight < CONNECTIONS && dispatched < scheduled) send(dispatched++);
  }

  // Snapshots at the start of the measured window.
  let before: Promise<Scrape> | null = null;
  let cpu0 = { server: 0, gen: 0, all: 0, db: 0, t: 0 };
  const pid = srv.proc.pid;
  const snapshot = () => {
    before = scrape(base);
    cpu0 = { server: procCpuSeconds(pid), gen: selfCpuSeconds(), all: machineBusySeconds(), db: postgresCpuSeconds(), t: performance.now() };
  };
  if (warmN === 0) snapshot();

  while (scheduled < total) {
    const now = performance.now();
    const due = Math.min(total, Math.max(0, Math.floor((now - start) / interval) + 1));
    if (due > scheduled) {
      if (scheduled <= warmN && due > warmN && warmN > 0) snapshot();
      scheduled = due;
      pump();
    }
    if (scheduled < total) await sleep(Math.max(0, at(scheduled) - performance.now()));
  }
  const drained = await Promise.race([settledP.then(() => true), sleep(DRAIN_MS).then(() => false)]);
  const cpu1 = { server: procCpuSeconds(pid), gen: selfCpuSeconds(), all: machineBusySeconds(), db: postgresCpuSeconds(), t: performance.now() };
  if (!drained) {
    stopped = true;
    const neverSent = scheduled - dispatched;
    const measuredNeverSent = scheduled - Math.max(dispatched, warmN);
    if (measuredNeverSent > 0) errors.set("not sent", measuredNeverSent);
    settled += neverSent;
    ctrl.abort();
    await Promise.race([settledP, sleep(2000)]);
  }

  const after = await scrape(base);
  const app = before ? inApp(await before, after) : { meanMs: NaN, p95Bound: "–" };
  const sorted = lat.subarray(0, nLat).sort();
  const lagSorted = lag.subarray(0, nLag).sort();
  const svcSorted = svc.subarray(0, nLat).sort();
  const wall = (cpu1.t - cpu0.t) / 1000;
  return {
    rate,
    sent: measN,
    ok: nLat,
    errors,
    achieved: nLat / (Math.max(lastEnd, measStart + DURATION_S * 1000) - measStart) * 1000,
    p50: pct(sorted, 50),
    p95: pct(sorted, 95),
    p99: pct(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    lagP99: pct(lagSorted, 99),
    sendP95: pct(svcSorted, 95),
    maxInFlight,
    rss: after.rss,
    serverCpu: ((cpu1.server - cpu0.server) / wall) * 100,
    genCpu: ((cpu1.gen - cpu0.gen) / wall) * 100,
    dbCpu: ((cpu1.db - cpu0.db) / wall) * 100,
    otherCpu: Math.max(
      0,
      ((cpu1.all - cpu0.all - (cpu1.server - cpu0.server) - (cpu1.gen - cpu0.gen) - (cpu1.db - cpu0.db)) / wall) * 100,
    ),
    inAppMean: app.meanMs,
    inAppP95: app.p95Bound,
  };
}
