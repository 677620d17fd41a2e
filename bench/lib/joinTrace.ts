/**
 * Where a late joiner's time goes, seen from its page without touching the app: an init script
 * notes, in the page's clock (performance.now(), as test/support/joinClock.ts), when the call
 * view appears, when call:join leaves and is answered, when the SFU's subscribe offer arrives
 * and is answered, when the publish offer leaves and is answered, when each new peer connection
 * connects (and when the ICE servers were fetched and the links made), and every long task (the main thread busy ≥ 50 ms). readJoinTrace turns that into
 * milestones after the click.
 */
import type { BrowserContext, Page } from "playwright-core";

/** ms after the click (null: not seen before the first frames were all in). */
export interface JoinTrace {
  view: number | null;
  joinSent: number | null;
  joinReply: number | null;
  /** The ICE servers fetched (null: they were already known), the SFU links made. */
  iceFetched: number | null;
  links: number | null;
  subOffer: number | null;
  subAnswer: number | null;
  pubOffer: number | null;
  pubAnswer: number | null;
  subConnected: number | null;
  pubConnected: number | null;
  /** Long tasks between the click and the end of the join: how many, their total and the longest (ms). */
  longTasks: number;
  longTotal: number;
  longMax: number;
}

export const TRACE_KEYS = ["view", "joinSent", "joinReply", "iceFetched", "links", "subOffer", "subAnswer", "pubOffer", "pubAnswer", "subConnected", "pubConnected"] as const;

interface PageTrace {
  marks: Record<string, number>;
  long: { start: number; duration: number }[];
}

/** Installs the trace in every page of `ctx` (before the page loads). */
export async function installJoinTrace(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const trace: PageTrace = { marks: {}, long: [] };
    (window as unknown as { __joinTrace: PageTrace }).__joinTrace = trace;
    /** The first time of each mark after `since` (a new join resets it). */
    const mark = (name: string) => (trace.marks[name] ??= performance.now());
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) trace.long.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
    new MutationObserver(() => {
      if (document.querySelector('[role="dialog"][aria-label^="Call with"]')) mark("view");
    }).observe(document, { childList: true, subtree: true });
    const joinIds = new Set<string>();
    const Ws = window.WebSocket;
    const send = Ws.prototype.send;
    Ws.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (typeof data === "string") {
        const f = JSON.parse(data) as { id?: string; type?: string; signal?: { kind?: string } };
        if (f.type === "call:join" && f.id) {
          joinIds.add(f.id);
          mark("joinSent");
        }
        if (f.type === "sfu:signal" && f.signal?.kind === "offer") mark("pubOffer");
        if (f.type === "sfu:signal" && f.signal?.kind === "answer") mark("subAnswer");
      }
      return send.call(this, data);
    };
    window.WebSocket = class extends Ws {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener("message", (m) => {
          const f = JSON.parse(String(m.data)) as { replyTo?: string; type?: string; signal?: { kind?: string } };
          if (f.replyTo && joinIds.has(f.replyTo)) mark("joinReply");
          if (f.type === "sfu:signal" && f.signal?.kind === "offer") mark("subOffer");
          if (f.type === "sfu:signal" && f.signal?.kind === "answer") mark("pubAnswer");
        });
      }
    };
    const get = window.fetch;
    window.fetch = Object.assign(async (...args: Parameters<typeof fetch>) => {
      const res = await get(...args);
      if (String(args[0] instanceof Request ? args[0].url : args[0]).includes("/api/rtc/ice-servers")) mark("iceFetched");
      return res;
    }, get);
    const Pc = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Pc {
      constructor(config?: RTCConfiguration) {
        super(config);
        mark("links");
        this.addEventListener("connectionstatechange", () => {
          if (this.connectionState !== "connected") return;
          const sends = this.getTransceivers().some((t) => t.currentDirection === "sendonly");
          mark(sends ? "pubConnected" : "subConnected");
        });
      }
    };
  });
}

/** Forgets what came before (the yardstick's peer connections, an earlier join): call just before the click. */
export function resetJoinTrace(page: Page): Promise<void> {
  return page.evaluate(() => {
    const trace = (window as unknown as { __joinTrace: PageTrace }).__joinTrace;
    trace.marks = {};
    trace.long = [];
  });
}

/** The milestones relative to the click, long tasks counted up to `endMs` after it. */
export function readJoinTrace(page: Page, endMs: number): Promise<JoinTrace> {
  return page.evaluate(
    ({ endMs, keys }) => {
      const trace = (window as unknown as { __joinTrace: PageTrace }).__joinTrace;
      const clickedAt = (window as unknown as { __joinClock: { clickedAt: number } }).__joinClock.clickedAt;
      const out: Record<string, number | null> = {};
      for (const k of keys) out[k] = trace.marks[k] === undefined ? null : Math.round(trace.marks[k]! - clickedAt);
      const long = trace.long.filter((t) => t.start + t.duration >= clickedAt && t.start <= clickedAt + endMs);
      return {
        ...out,
        longTasks: long.length,
        longTotal: Math.round(long.reduce((s, t) => s + t.duration, 0)),
        longMax: Math.round(Math.max(0, ...long.map((t) => t.duration))),
      } as unknown as JoinTrace;
    },
    { endMs, keys: [...TRACE_KEYS] },
  );
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** One function's time on the main thread while profiled (ms): its own, and with what it called. */
export interface ProfileLine {
  fn: string;
  self: number;
  total: number;
}

/**
 * Samples the page's main thread (CDP Profiler) from now until the returned stop(), which gives
 * per function its own time and its time with callees, heaviest first — with an unminified build
 * (`bun scripts/build.ts` with minify off) the names say what ran.
 */
export async function startProfile(page: Page): Promise<() => Promise<ProfileLine[]>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    await cdp.detach();
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const name = (n: ProfileNode) => {
      const f = n.callFrame;
      const where = f.url ? ` ${f.url.replace(/^.*\//, "")}:${f.lineNumber + 1}` : "";
      return `${f.functionName || "(anonymous)"}${where}`;
    };
    const lines = new Map<string, ProfileLine>();
    const line = (fn: string) => lines.get(fn) ?? lines.set(fn, { fn, self: 0, total: 0 }).get(fn)!;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      line(name(byNode.get(id)!)).self += ms;
      // Each function once per sample, however deep it recursed.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(byNode.get(at)!));
      for (const fn of seen) line(fn).total += ms;
    });
    return [...lines.values()].map((l) => ({ fn: l.fn, self: Math.round(l.self), total: Math.round(l.total) }));
  };
}
