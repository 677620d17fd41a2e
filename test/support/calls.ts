/**
 * Browser-side helpers for the call suites: signed-in pages without going through the login
 * form, and WebRTC stats read from the live peer connections (window.__parleyCall.peers()).
 */
import { expect } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ServerEvent } from "../../src/shared/protocol";
import { sessionCookies, until } from "./browser";
import { registerUser, startNode, type CookieJar, type TestNode } from "./parley";
import { befriend } from "./social";

export interface TestUser {
  jar: CookieJar;
  user: { id: string; username: string };
}

export interface OpenPage {
  ctx: BrowserContext;
  page: Page;
  /** Uncaught page errors, to assert none happened. */
  errors: string[];
}

const T = 20_000;

export const button = (p: Page, name: string) => p.getByRole("button", { name, exact: true });

/** A starts a video call and B's page rings. */
export async function ring(A: Page, B: Page): Promise<void> {
  await button(A, "Start video call").click({ timeout: T });
  await button(B, "Accept").waitFor({ timeout: T });
}

/** A calls, B accepts, and video decodes on both sides. */
export async function connect(A: Page, B: Page): Promise<void> {
  await ring(A, B);
  await button(B, "Accept").click();
  await expectDecoding(B, "callee receives the caller");
  await expectDecoding(A, "caller receives the callee");
}

/** Resolves once `page` has a peer connection for the call (the call is being set up there). */
export function untilPeerConnection(page: Page, what: string): Promise<void> {
  return until(what, () => page.evaluate(() => (window.__parleyCall?.peers() ?? []).length > 0));
}

export interface CallServer {
  node: TestNode;
  base: string;
}

/** A node serving the production bundle, with production limits (signaling must fit the default socket rate limit). */
export async function startCallServer(env: Record<string, string> = {}): Promise<CallServer> {
  const node = await startNode(env, { staticDir: join(import.meta.dir, "../../dist") });
  return { node, base: `http://127.0.0.1:${node.listen().port}` };
}

/** The pages a suite has open: each test's are closed after it, and their uncaught errors collected. */
export class CallPages {
  browser!: Browser;
  readonly #open: OpenPage[] = [];

  /** A signed-in page on `path`, once it shows a conversation. */
  async open(base: string, u: TestUser, path: string, viewport?: { width: number; height: number }): Promise<OpenPage> {
    const p = this.track(await openAs(this.browser, base, u, path, viewport));
    await p.page.getByTestId("conversation").waitFor({ timeout: T });
    return p;
  }

  track(p: OpenPage): OpenPage {
    this.#open.push(p);
    return p;
  }

  /** Friends a and b, each in their own browser context on their DM. */
  async pair(srv: CallServer, opts: { bViewport?: { width: number; height: number } } = {}) {
    const a = await registerUser(srv.node);
    const b = await registerUser(srv.node);
    const conv = await befriend(srv.node, a, b);
    const [A, B] = await Promise.all([this.open(srv.base, a, `/c/${conv}`), this.open(srv.base, b, `/c/${conv}`, opts.bViewport)]);
    return { a, b, conv, A, B };
  }

  /** Closes every page opened so far; returns their uncaught errors. */
  async closeAll(): Promise<string[]> {
    const pages = this.#open.splice(0);
    await Promise.all(pages.map((p) => p.ctx.close().catch(() => {})));
    // Let the node finish handling the closed sockets (a call's grace timer) before it may be disposed.
    if (pages.length) await Bun.sleep(500);
    return pages.flatMap((p) => p.errors);
  }
}

type Signal = Extract<ServerEvent, { type: `rtc:${string}` }>;

/** Every rtc:* signal the node relays, read off its bus: to count offers and see which candidates were sent. */
export function signalLog(node: TestNode): { signals: Signal[]; offers(): number; stop(): void } {
  const signals: Signal[] = [];
  const stop = node.bus.subscribe((e) => {
    if (e.type === "deliver" && e.event.type.startsWith("rtc:")) signals.push(e.event as Signal);
  });
  return { signals, offers: () => signals.filter((s) => s.type === "rtc:offer").length, stop };
}

/** A new browser context signed in as `u` (its session cookies), with `path` open. */
export async function openAs(browser: Browser, base: string, u: TestUser, path: string, viewport = { width: 1280, height: 800 }): Promise<OpenPage> {
  const mobile = viewport.width < 640;
  const ctx = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, acceptDownloads: true });
  await ctx.addCookies(sessionCookies(u.jar, new URL(base).hostname));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}${path}`);
  return { ctx, page, errors };
}

/**
 * What a page receives: "main" is camera video, "screen" shared screens. Every link carries both
 * on fixed m-lines; the call's diagnostics map each receiving track to its source.
 */
export type Received = "main" | "screen";

/** Sum of framesDecoded over the inbound video of one source, from every peer (or only `from`). */
export function framesDecoded(page: Page, channel: Received = "main", from?: string): Promise<number> {
  return page.evaluate(
    async ({ channel, from }) => {
      let total = 0;
      for (const p of window.__parleyCall?.peers() ?? []) {
        if (from && p.peer !== from) continue;
        (await p.pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number; trackIdentifier?: string }) => {
          if (s.type !== "inbound-rtp" || s.kind !== "video") return;
          // Through the SFU every peer's entry shares one connection: count only this peer's tracks.
          const source = p.sources[s.trackIdentifier ?? ""];
          if (source && (channel === "screen") === (source === "screen")) total += s.framesDecoded ?? 0;
        });
      }
      return total;
    },
    { channel, from },
  );
}

/** Passes once the page decodes at least `frames` more video frames (polls for up to `timeoutMs`). */
export async function expectDecoding(page: Page, what: string, channel: Received = "main", timeoutMs = T, frames = 10, from?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let base: number | null = null;
  let last = 0;
  while (Date.now() < end) {
    last = await framesDecoded(page, channel, from).catch(() => 0);
    // A fresh peer connection (after a reconnect) counts from zero again.
    if (base === null || last < base) base = last > 0 ? last : null;
    else if (last >= base + frames) return;
    await Bun.sleep(250);
  }
  throw new Error(`${what}: video frames are not being decoded (framesDecoded=${last} on ${channel})`);
}

/** Per remote participant: camera frames decoded and microphone packets received, summed over their tracks. */
export function flowByPeer(page: Page): Promise<Record<string, { video: number; audio: number }>> {
  return page.evaluate(async () => {
    const out: Record<string, { video: number; audio: number }> = {};
    for (const p of window.__parleyCall?.peers() ?? []) {
      const r = (out[p.peer] ??= { video: 0, audio: 0 });
      (await p.pc.getStats()).forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number; trackIdentifier?: string }) => {
        if (s.type !== "inbound-rtp") return;
        const source = p.sources[s.trackIdentifier ?? ""];
        if (source === "camera") r.video += s.framesDecoded ?? 0;
        else if (source === "microphone") r.audio += s.packetsReceived ?? 0;
      });
    }
    return out;
  });
}

/**
 * Passes once `page` decodes more camera frames and receives more microphone packets from every
 * one of `from` than at its first sight of them (polls for up to `timeoutMs`).
 */
export async function expectFlowFromAll(page: Page, what: string, from: string[], timeoutMs = T, frames = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  const base = new Map<string, { video: number; audio: number }>();
  let last: Record<string, { video: number; audio: number }> = {};
  while (Date.now() < end) {
    last = await flowByPeer(page).catch(() => ({}));
    const missing = from.filter((id) => {
      const now = last[id];
      const was = base.get(id);
      if (!now || now.video === 0 || now.audio === 0) return true;
      // A fresh connection counts from zero again.
      if (!was || now.video < was.video || now.audio < was.audio) return base.set(id, now), true;
      return now.video < was.video + frames || now.audio <= was.audio;
    });
    if (!missing.length) return;
    await Bun.sleep(300);
  }
  throw new Error(`${what}: not decoding from everyone: ${JSON.stringify(Object.fromEntries(from.map((id) => [id, last[id] ?? null])))}`);
}

/** True if no new frames were decoded during the whole window. */
export async function staysSilent(page: Page, windowMs: number): Promise<boolean> {
  const end = Date.now() + windowMs;
  while (Date.now() < end) {
    if ((await framesDecoded(page)) > 0) return false;
    await Bun.sleep(500);
  }
  return true;
}

/** Starts watching the page for `text`; the returned function says whether it ever appeared. */
export async function watchForText(page: Page, text: string): Promise<() => Promise<boolean>> {
  await page.evaluate((text) => {
    const w = window as { sawText?: boolean };
    w.sawText = false;
    new MutationObserver(() => (w.sawText ||= document.body.innerText.includes(text))).observe(document.body, { subtree: true, childList: true });
  }, text);
  return () => page.evaluate(() => (window as { sawText?: boolean }).sawText === true);
}

/** The local candidate type ("host", "srflx", "relay") of the call's (first) connection's selected pair. */
export function selectedLocalCandidateType(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const main = window.__parleyCall?.peers()[0];
    if (!main) return null;
    const stats = new Map<string, Record<string, unknown>>();
    (await main.pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
    const transport = [...stats.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
    const pair = transport
      ? stats.get(transport.selectedCandidatePairId as string)
      : [...stats.values()].find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
    const local = pair ? stats.get(pair.localCandidateId as string) : undefined;
    return (local?.candidateType as string | undefined) ?? null;
  });
}

/** The types of every local ICE candidate in the stats of the call's peer connections. */
export function localCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const types: string[] = [];
    for (const p of window.__parleyCall?.peers() ?? []) {
      (await p.pc.getStats()).forEach((s: { type: string; candidateType?: string }) => {
        if (s.type === "local-candidate" && s.candidateType) types.push(s.candidateType);
      });
    }
    return types;
  });
}

/** Sends one raw frame on a fresh socket of this page's user and resolves with the reply. */
export function rawFrame(page: Page, frame: Record<string, unknown>): Promise<{ ok: boolean; error?: { code: string } }> {
  return page.evaluate(
    (frame) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket("/ws");
        const timer = setTimeout(() => reject(new Error("no reply")), 10_000);
        ws.onopen = () => ws.send(JSON.stringify({ ...frame, id: "raw1" }));
        ws.onmessage = (m) => {
          const data = JSON.parse(String(m.data));
          if (data.replyTo !== "raw1") return;
          clearTimeout(timer);
          ws.close();
          resolve(data);
        };
      }),
    frame,
  );
}

/** The system messages (call log lines) shown in the open conversation. */
export function systemLines(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="message"][data-kind="system"]', (els) => els.map((e) => e.textContent ?? ""));
}

export async function expectSystemLine(page: Page, pattern: RegExp, timeoutMs = T): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lines: string[] = [];
  while (Date.now() < end) {
    lines = await systemLines(page);
    if (lines.some((l) => pattern.test(l))) return;
    await Bun.sleep(200);
  }
  expect(lines).toContainEqual(expect.stringMatching(pattern));
}
