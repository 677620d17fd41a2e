/** One mode of one run: a fresh server and browser, warm-up calls, then the measured calls. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { HOST, dist, fmt, freePort, loadavg, onCleanup, sleep, startServer, waitForQuiet, type ServerHandle } from "../lib/harness";
import { BASE_FLAGS, chromePath } from "../../test/support/browser";
import type { TurnServer } from "../../test/support/turn";
import { befriend, registerAccount } from "./accounts";
import { cpuWindow } from "./cpu";
import { CALLS, EXTRA_FLAGS, MAX_FAILURES, QUIET_WAIT_S, RING_MS, STEP_MS, TURN_SECRET, WARMUP, type Mode } from "./options";
import { button, idle, marks, openAs, selectedPair } from "./pages";
import type { Marks } from "./probe";

export interface CallSample {
  ring: number; // invite → ring
  caller: number; // accept → caller's first decoded frame
  callee: number; // accept → callee's first decoded frame
  callerRvfc: number; // accept → caller's remote <video> first presented frame
  callerRvfcDecoded: number; // accept → that frame decoded (rVFC receiveTime + processingDuration)
  calleeRvfcDecoded: number;
  callerMarks: Marks;
  calleeMarks: Marks;
  callerGumPendingAtAccept: boolean;
}

export interface ModeResult {
  mode: Mode;
  run: number;
  samples: CallSample[];
  failures: string[];
  pageErrors: string[];
  abandoned: boolean;
  selected: string;
  media: string;
  clockSkewMs: number;
  visibility: string;
  cpu: { server: number; browser: number; other: number };
  pollMs: { polls: number; statsLagP50: number; statsLagMax: number; tsMismatch: number; refreshP50: number; cached: number };
  loadBefore: string;
  loadAfter: string;
  quiet: boolean;
}

export async function runMode(mode: Mode, run: number, turn: TurnServer | null, tree: string): Promise<ModeResult> {
  const tag = `[run ${run} ${mode}]`;
  const loadBefore = loadavg();
  const quiet = QUIET_WAIT_S > 0 ? await waitForQuiet(QUIET_WAIT_S, 3) : false;
  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-call-"));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  onCleanup(removeData);
  const port = freePort();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    PUBLIC_URL: `http://${HOST}:${port}`,
    LOG_LEVEL: "warn",
    AUTH_RATE_LIMIT: "100000",
  };
  if (mode === "turn") Object.assign(env, { TURN_URLS: turn!.url, TURN_SECRET: TURN_SECRET, RTC_FORCE_RELAY: "true" });
  const server: ServerHandle = await startServer(env, { port, serverDir: tree });
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: chromePath, args: [...BASE_FLAGS, ...EXTRA_FLAGS] });
  const closeBrowser = () => browser.close().catch(() => {});
  onCleanup(closeBrowser);
  const result: ModeResult = {
    mode,
    run,
    samples: [],
    failures: [],
    pageErrors: [],
    abandoned: false,
    selected: "?",
    media: "?",
    clockSkewMs: NaN,
    visibility: "?",
    cpu: { server: NaN, browser: NaN, other: NaN },
    pollMs: { polls: 0, statsLagP50: NaN, statsLagMax: NaN, tsMismatch: 0, refreshP50: NaN, cached: 0 },
    loadBefore,
    loadAfter: "?",
    quiet,
  };
  try {
    const stamp = `${process.pid}${run}${mode[0]}`;
    const a = await registerAccount(server.base, `caller_${stamp}`);
    const b = await registerAccount(server.base, `callee_${stamp}`);
    const conv = await befriend(server.base, a, b);
    const A = await openAs(browser, server.base, a, `/c/${conv}`, "caller");
    const B = await openAs(browser, server.base, b, `/c/${conv}`, "callee");

    // Both pages' clocks against Date.now(): they must agree for cross-page intervals.
    const offset = (p: Page) =>
      p.evaluate(() => {
        const o: number[] = [];
        for (let i = 0; i < 50; i++) o.push(performance.timeOrigin + performance.now() - Date.now());
        return o.sort((x, y) => x - y)[25]!;
      });
    result.clockSkewMs = Math.abs((await offset(A.page)) - (await offset(B.page)));
    result.visibility = `${await A.page.evaluate(() => document.visibilityState)}/${await B.page.evaluate(() => document.visibilityState)}`;

    let cpuDone: (() => { server: number; browser: number; other: number }) | null = null;
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const measured = i >= WARMUP;
      if (measured && !cpuDone) cpuDone = cpuWindow(server.proc.pid);
      try {
        await A.page.evaluate(() => (window as any).__bench.arm());
        await B.page.evaluate(() => (window as any).__bench.arm());
        await button(A.page, "Start video call").click({ timeout: STEP_MS });
        await button(B.page, "Accept").waitFor({ timeout: STEP_MS });
        // Let it ring as a person would (the caller's camera opens meanwhile), then answer.
        await B.page.waitForFunction((ms) => performance.timeOrigin + performance.now() - (window as any).__bench.ev.ringDom >= ms, RING_MS, { polling: 20, timeout: STEP_MS });
        await A.page.waitForFunction(() => "gumEnd" in (window as any).__bench.ev, null, { polling: 20, timeout: STEP_MS }).catch(() => {});
        await button(B.page, "Accept").click({ timeout: STEP_MS });
        const decoded = (p: Page) => p.waitForFunction(() => "inFrameDecoded" in (window as any).__bench.ev, null, { polling: 50, timeout: STEP_MS });
        await Promise.all([decoded(A.page), decoded(B.page)]);
        // The sender-side marks (first encoded frame / packet) and the <video> frame come a little later at most.
        await Promise.all(
          [A.page, B.page].map((p) =>
            p.waitForFunction(() => ["outVideoPacket", "rvfcFirstFrame"].every((k) => k in (window as any).__bench.ev), null, { polling: 50, timeout: 2000 }).catch(() => {}),
          ),
        );
        const [ma, mb] = [await marks(A.page), await marks(B.page)];
        if (measured && result.selected === "?") {
          result.selected = await selectedPair(A.page);
          const inInfo = await A.page.evaluate(() => (window as any).__bench.info as { codec?: string; decoder?: string; width?: number; height?: number; pairChanges?: number } | null);
          const outInfo = await B.page.evaluate(() => (window as any).__bench.outInfo as { encoder?: string; targetBitrate?: number } | null);
          result.media = `${inInfo?.codec?.replace("video/", "") ?? "?"} ${inInfo?.width ?? "?"}×${inInfo?.height ?? "?"} (decoder ${inInfo?.decoder ?? "?"}, encoder ${outInfo?.encoder ?? "?"} at ${outInfo?.targetBitrate ? Math.round(outInfo.targetBitrate / 1000) : "?"} kbit/s target; ${inInfo?.pairChanges ?? "?"} selected-pair change(s) by then)`;
        }
        await A.page.evaluate(() => (window as any).__bench.disarm());
        await B.page.evaluate(() => (window as any).__bench.disarm());
        const accept = mb["click:Accept"]!;
        const sample: CallSample = {
          ring: mb.ringDom! - ma["click:Start video call"]!,
          caller: ma.inFrameDecoded! - accept,
          callee: mb.inFrameDecoded! - accept,
          callerRvfc: (ma.rvfcFirstFrame ?? NaN) - accept,
          callerRvfcDecoded: (ma.rvfcDecoded ?? NaN) - accept,
          calleeRvfcDecoded: (mb.rvfcDecoded ?? NaN) - accept,
          callerMarks: ma,
          calleeMarks: mb,
          callerGumPendingAtAccept: !(ma.gumEnd! <= accept),
        };
        if (![sample.ring, sample.caller, sample.callee].every(Number.isFinite)) throw new Error(`incomplete marks: caller ${JSON.stringify(ma)} callee ${JSON.stringify(mb)}`);
        if (measured) result.samples.push(sample);
        const label = measured ? `call ${i - WARMUP + 1}/${CALLS}` : `warm-up ${i + 1}/${WARMUP}`;
        console.error(`${tag} ${label}: ring ${fmt(sample.ring, 0)} ms, accept→first frame caller ${fmt(sample.caller, 0)} ms, callee ${fmt(sample.callee, 0)} ms`);
        // Hang up and wait until both pages are back to no call.
        await button(A.page, "Hang up").click({ timeout: STEP_MS });
        await Promise.all([idle(A.page), idle(B.page)]);
        for (const p of [A.page, B.page]) await button(p, "Dismiss").click({ timeout: 2000 }).catch(() => {});
        await sleep(300);
      } catch (err) {
        const msg = err instanceof Error ? err.message.split("\n")[0]! : String(err);
        result.failures.push(`call ${i + 1}: ${msg}`);
        console.error(`${tag} call ${i + 1} failed: ${msg}`);
        // Recover: end whatever is going on, or reload both pages.
        for (const p of [A.page, B.page]) {
          await p.evaluate(() => (window as any).__bench.disarm()).catch(() => {});
          for (const name of ["Hang up", "Cancel call", "Decline"]) await button(p, name).click({ timeout: 1000 }).catch(() => {});
        }
        const recovered = await Promise.all([idle(A.page), idle(B.page)]).then(
          () => true,
          () => false,
        );
        if (!recovered) {
          for (const p of [A.page, B.page]) {
            await p.reload({ timeout: STEP_MS }).catch(() => {});
            await p.getByTestId("conversation").waitFor({ timeout: STEP_MS }).catch(() => {});
          }
          await sleep(11_000); // past the server's call grace period
        }
        if (result.failures.length >= MAX_FAILURES) {
          result.abandoned = true;
          console.error(`${tag} ${MAX_FAILURES} failed calls: abandoning this mode`);
          break;
        }
      }
    }
    if (cpuDone) result.cpu = cpuDone();
    const stats = await Promise.all(
      [A.page, B.page].map((p) =>
        p.evaluate(() => {
          const b = (window as any).__bench;
          return { polls: b.polls as number, lag: b.statsLagMs as number[], mismatch: b.tsMismatch as number, gaps: b.tsGaps as number[], cached: b.cached as number };
        }),
      ),
    );
    const ld = dist(stats.flatMap((s) => s.lag));
    result.pollMs = {
      polls: stats.reduce((n, s) => n + s.polls, 0),
      statsLagP50: ld.p50,
      statsLagMax: ld.max,
      tsMismatch: stats.reduce((n, s) => n + s.mismatch, 0),
      refreshP50: dist(stats.flatMap((s) => s.gaps)).p50,
      cached: stats.reduce((n, s) => n + s.cached, 0),
    };
    const errors = [...A.errors, ...B.errors];
    result.pageErrors = errors;
    await A.ctx.close().catch(() => {});
    await B.ctx.close().catch(() => {});
  } finally {
    await closeBrowser();
    await sleep(300);
    await server.stop();
    removeData();
    result.loadAfter = loadavg();
  }
  return result;
}
