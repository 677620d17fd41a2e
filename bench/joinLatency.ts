/**
 * Late joiner in the app: `bun bench/joinLatency.ts [--present 3] [--joins 8] [--no-docs]`
 * (after `bun scripts/build.ts`: the node serves dist/).
 *
 * Per SFU in one run — the embedded one (werift) and, when janus and ip are installed (root),
 * Janus VideoRoom (test/support/janus.ts starts it in a network namespace) — a node in this
 * process (MESH_MAX=2, so a room's call goes through the SFU), --present users in a meeting
 * room joined from its pre-join screen in Chromium (fake small camera), then --joins times a
 * fresh user opens the link, clicks "Join now", and the page times click → first decoded camera
 * frame of each present participant (getStats every 50 ms, performance.now(); see
 * test/support/joinClock.ts); the joiner hangs up before the next one comes. Beside each join,
 * the page's loopback yardstick (two PeerConnections in the page, to the first decoded frame)
 * says how loaded the machine was.
 *
 * Prints a markdown report and replaces its section of docs/BENCHMARKS.md unless --no-docs.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, until } from "../test/support/browser";
import { smallCameraFlag } from "../test/support/camera";
import { expectFlowFromAll, expectViaSfu, joinToFirstFrames, loopbackFirstFrameMs, openAs, startCallServer, startJoinClock, type CallServer } from "../test/support/calls";
import { janusAvailable, startJanus } from "../test/support/janus";
import { registerUser } from "../test/support/parley";
import { machineInfo, num, writeDocsSection } from "./lib/harness";
import { installJoinTrace, readJoinTrace, resetJoinTrace, startProfile, TRACE_KEYS, type JoinTrace, type ProfileLine } from "./lib/joinTrace";

const { values: args } = parseArgs({
  options: {
    present: { type: "string", default: "3" },
    joins: { type: "string", default: "8" },
    "no-docs": { type: "boolean", default: false },
    /** Profiles each SFU's first timed join (CPU, the joiner's main thread) and prints where it went. */
    profile: { type: "boolean", default: false },
  },
});
const PRESENT = num("present", args.present, 2, 8);
const JOINS = num("joins", args.joins, 1, 50);
const T = 120_000;
const VIEWPORT = { width: 640, height: 400 };

interface Sample {
  /** Click → first decoded frame of the first, and of the last, present participant (ms). */
  first: number;
  all: number;
  yardstick: number;
  trace: JoinTrace;
}

/** Opens the room as `u` and clicks Join; `timed`: the page measures from the click (and `profiled`: is profiled from it). */
async function join(
  browser: Browser,
  srv: CallServer,
  path: string,
  timed: boolean,
  profiled = false,
): Promise<{ page: Page; id: string; yardstick: number; profile: (() => Promise<ProfileLine[]>) | null; close(): Promise<void> }> {
  const u = await registerUser(srv.node);
  const { ctx, page } = await openAs(browser, srv.base, u, path, VIEWPORT);
  if (timed) {
    await installJoinTrace(ctx);
    await page.reload();
  }
  const button = page.getByRole("button", { name: /Join/ });
  await button.waitFor({ timeout: T });
  const yardstick = timed ? await loopbackFirstFrameMs(page) : 0;
  if (timed) await Promise.all([startJoinClock(page), resetJoinTrace(page)]);
  const profile = profiled ? await startProfile(page) : null;
  await button.click({ timeout: T });
  await page.getByRole("dialog", { name: /Call with/ }).waitFor({ timeout: T });
  return { page, id: u.user.id, yardstick, profile, close: () => ctx.close() };
}

/** The joins of one SFU: timed samples, and how many saw no frame of everyone within T. */
interface Run {
  samples: Sample[];
  timedOut: number;
}

async function measure(browser: Browser, env: Record<string, string>): Promise<Run> {
  const srv = await startCallServer({ MESH_MAX: "2", ...env });
  const closers: (() => Promise<void>)[] = [];
  try {
    const owner = await registerUser(srv.node);
    const res = await srv.node.req("/api/rooms", { method: "POST", json: { name: "Bench" } }, owner.jar);
    const path = `/r/${((await res.json()) as { room: { slug: string } }).room.slug}`;
    const present: { page: Page; id: string }[] = [];
    for (let i = 0; i < PRESENT; i++) {
      const p = await join(browser, srv, path, false);
      closers.push(p.close);
      present.push(p);
    }
    for (const me of present) {
      await until("present through the SFU", () => expectViaSfu(me.page, PRESENT - 1), T);
      await expectFlowFromAll(me.page, "present", present.filter((p) => p !== me).map((p) => p.id), T);
    }
    const run: Run = { samples: [], timedOut: 0 };
    for (let i = 0; i < JOINS; i++) {
      const late = await join(browser, srv, path, true, args.profile && i === 0);
      try {
        const times = Object.values(await joinToFirstFrames(late.page, present.map((p) => p.id), T)).sort((a, b) => a - b);
        const trace = await readJoinTrace(late.page, times.at(-1)!);
        if (late.profile) printProfile(await late.profile());
        run.samples.push({ first: times[0]!, all: times.at(-1)!, yardstick: Math.round(late.yardstick), trace });
        console.error(`join ${i + 1}/${JOINS}:`, JSON.stringify(run.samples.at(-1)));
        await late.page.getByRole("button", { name: "Hang up", exact: true }).click({ timeout: T });
      } catch (err) {
        run.timedOut++;
        console.error(`join ${i + 1}/${JOINS} failed:`, String(err));
      }
      await late.close();
      await Bun.sleep(1000);
    }
    return run;
  } finally {
    for (const close of closers) await close().catch(() => {});
    await srv.node.dispose();
  }
}

function printProfile(lines: ProfileLine[]): void {
  const top = (key: "self" | "total", n: number) =>
    [...lines].sort((a, b) => b[key] - a[key]).slice(0, n).map((l) => `  ${String(l[key]).padStart(6)} ms  ${l.fn}`).join("\n");
  console.error(`main thread, click → all first frames, by time with callees:\n${top("total", 40)}\nby own time:\n${top("self", 25)}`);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const machine = machineInfo();
const loadAtStart = loadavg()[0]!;
const janus = janusAvailable("bench/joinLatency") ? await startJanus() : null;
const browser = await launchBrowser(["--allow-loopback-in-peer-connection", smallCameraFlag()]);
const runs: ({ sfu: string } & Run)[] = [];
try {
  runs.push({ sfu: "embedded (werift)", ...(await measure(browser, {})) });
  if (janus) runs.push({ sfu: "Janus VideoRoom", ...(await measure(browser, { SFU: "janus", JANUS_URL: janus.url })) });
} finally {
  await browser.close();
  await janus?.close();
}

const row = (r: (typeof runs)[number]) => {
  const f = (k: "first" | "all" | "yardstick") => (r.samples.length ? `${pct(r.samples.map((s) => s[k]), 50)} / ${pct(r.samples.map((s) => s[k]), 95)}` : "–");
  return `| ${r.sfu} | ${r.samples.length} of ${r.samples.length + r.timedOut} | ${f("first")} | ${f("all")} | ${f("yardstick")} |`;
};
const traceRow = (r: (typeof runs)[number]) => {
  const p50 = (xs: (number | null)[]) => {
    const seen = xs.filter((x): x is number => x !== null);
    return seen.length ? String(pct(seen, 50)) : "–";
  };
  const cells = [...TRACE_KEYS, "longTotal", "longMax"].map((k) => p50(r.samples.map((s) => s.trace[k as keyof JoinTrace])));
  return `| ${r.sfu} | ${cells.join(" | ")} |`;
};
const markdown = `\`bun bench/joinLatency.ts --present ${PRESENT} --joins ${JOINS}\` — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine.text}; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (a shared machine: other work running).

${PRESENT} people in a meeting room (Chromium pages, fake small camera, simulcast) through the SFU; a late joiner opens the link, clicks "Join now" on the pre-join screen, and its page times click → first decoded camera frame of the first and of the last of the ${PRESENT} (getStats every 50 ms, so up to 50 ms late); then it hangs up and the next one joins. Yardstick: in the same page just before the click, two PeerConnections → first decoded frame of its camera (no server, no round trips) — ~0.1 s on a quiet machine, it grows with the load. All in ms, p50 / p95. Issue target: a late joiner decodes video within 2 s of joining.

| SFU | joins timed (a join not decoding everyone within ${T / 1000} s is left out) | click → first frame, first participant | … all ${PRESENT} | yardstick |
|---|---:|---:|---:|---:|
${runs.map(row).join("\n")}

Where the time goes (p50 over the timed joins, ms after the click; "–": not seen before the last first frame): the call view shown, call:join sent and answered, the SFU's subscribe offer in and our answer out, our publish offer out and its answer in, each link connected (bench/lib/joinTrace.ts), and the page's long tasks (main thread busy ≥ 50 ms) until the last first frame: total and longest.

| SFU | ${TRACE_KEYS.join(" | ")} | long tasks total | longest |
|---|${TRACE_KEYS.map(() => "---:").join("|")}|---:|---:|
${runs.map(traceRow).join("\n")}
`;
console.log(markdown);
if (!args["no-docs"]) writeDocsSection("bench:join-latency", "## Late joiner in the app (click Join → first frame)", markdown, machine.nproc);
process.exit(0);
