/** The login step of bench/http.ts (closed loop) and the in-process argon2id timing. */
import { ARGON2 } from "../../src/server/auth/passwords";
import { machineBusySeconds, pct, procCpuSeconds, selfCpuSeconds } from "../lib/harness";
import { LOGIN_CONC, LOGIN_S, LOGIN_TIMEOUT_MS, postgresCpuSeconds } from "./config";
import { scrape } from "./rate";

export interface LoginResult {
  ok: number;
  errors: Map<string, number>;
  perSec: number;
  p50: number;
  p99: number;
  max: number;
  rss: number;
  serverCpu: number;
  dbCpu: number;
  otherCpu: number;
  tries?: number;
}

export async function loginStep(base: string, pid: number, users: string[], password: string): Promise<LoginResult> {
  const lats: number[] = [];
  const errors = new Map<string, number>();
  const cpu0 = procCpuSeconds(pid);
  const db0 = postgresCpuSeconds();
  const all0 = machineBusySeconds();
  const gen0 = selfCpuSeconds();
  const t0 = performance.now();
  const deadline = t0 + LOGIN_S * 1000;
  let next = 0;
  let lastEnd = t0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const login = users[next++ % users.length]!;
      const s = performance.now();
      try {
        const r = await fetch(`${base}/api/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ login, password }),
          signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
        });
        await r.arrayBuffer();
        lastEnd = performance.now();
        if (r.status === 200) lats.push(lastEnd - s);
        else errors.set(`HTTP ${r.status}`, (errors.get(`HTTP ${r.status}`) ?? 0) + 1);
      } catch (e) {
        const k = String((e as Error)?.name ?? "error");
        errors.set(k, (errors.get(k) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONC }, worker));
  const cpu1 = procCpuSeconds(pid);
  const db = postgresCpuSeconds() - db0;
  const other = machineBusySeconds() - all0 - (cpu1 - cpu0) - (selfCpuSeconds() - gen0) - db;
  const wall = (lastEnd - t0) / 1000;
  const sorted = lats.sort((a, b) => a - b);
  const after = await scrape(base);
  return {
    ok: lats.length,
    errors,
    perSec: lats.length / wall,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    rss: after.rss,
    serverCpu: ((cpu1 - cpu0) / wall) * 100,
    dbCpu: (db / wall) * 100,
    otherCpu: Math.max(0, (other / wall) * 100),
  };
}

// ---------------------------------------------------------------- argon2id cost, in-process

export function hashCost(n: number): {
  hashMs: number;
  verifyMs: number;
  hashP50: number;
  verifyP50: number;
  otherCpu: number;
  tries?: number;
} {
  const pw = "correct horse battery staple";
  const all0 = machineBusySeconds();
  const self0 = selfCpuSeconds();
  const t0 = performance.now();
  Bun.password.verifySync(pw, Bun.password.hashSync(pw, ARGON2)); // warm-up, not timed
  const h: number[] = [];
  const v: number[] = [];
  let hash = "";
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    hash = Bun.password.hashSync(pw, ARGON2);
    h.push(performance.now() - s);
  }
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    if (!Bun.password.verifySync(pw, hash)) throw new Error("verify failed");
    v.push(performance.now() - s);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return {
    hashMs: mean(h),
    verifyMs: mean(v),
    hashP50: pct([...h].sort((a, b) => a - b), 50),
    verifyP50: pct([...v].sort((a, b) => a - b), 50),
    otherCpu: Math.max(0, ((machineBusySeconds() - all0 - (selfCpuSeconds() - self0)) / ((performance.now() - t0) / 1000)) * 100),
  };
}
