/**
 * The call suites' stage and helpers: `callStage()` (Chromium, a node, coturn when asked, signed-in
 * pages, all cleaned up), signed-in pages without the login form, and (re-exported from
 * callStats.ts) WebRTC stats read from the live peer connections.
 */
import { afterAll, afterEach, beforeAll, expect } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ServerEvent } from "../../src/shared/protocol";
import { browserAvailable, launchBrowser, sessionCookies, until } from "./browser";
import { expectDecoding } from "./callStats";
import { registerUser, startNode, type CookieJar, type TestNode } from "./parley";
import { befriend } from "./social";
import { startTurn, turnAvailable, type TurnServer } from "./turn";

export * from "./callStats";
export * from "./joinClock";
export * from "./sfu-trace";

export interface TestUser {
  jar: CookieJar;
  user: { id: string; username: string };
}

export type Viewport = { width: number; height: number };

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
  async open(base: string, u: TestUser, path: string, viewport?: Viewport): Promise<OpenPage> {
    const p = this.track(await openAs(this.browser, base, u, path, viewport));
    await p.page.getByTestId("conversation").waitFor({ timeout: T });
    return p;
  }

  track(p: OpenPage): OpenPage {
    this.#open.push(p);
    return p;
  }

  /** Friends a and b, each in their own browser context on their DM. */
  async pair(srv: CallServer, opts: { bViewport?: Viewport } = {}) {
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
  // Generous: the page loads from a node in this process, on a machine every open page loads too.
  await page.goto(`${base}${path}`, { timeout: 120_000 });
  return { ctx, page, errors };
}

/**
 * Makes the pages of `ctx` count their getUserMedia calls and keep every camera track handed
 * out, so cameras() can tell whether one is still capturing. Before the page loads.
 */
export async function watchCameras(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const md = navigator.mediaDevices;
    const open = md.getUserMedia.bind(md);
    const seen = { opened: 0, tracks: [] as MediaStreamTrack[] };
    (window as unknown as { __cameras: typeof seen }).__cameras = seen;
    md.getUserMedia = async (c) => {
      seen.opened++;
      const stream = await open(c);
      seen.tracks.push(...stream.getVideoTracks());
      return stream;
    };
  });
}

/** How often the page asked for camera or microphone, and how many camera tracks it got are still live. */
export function cameras(page: Page): Promise<{ opened: number; live: number }> {
  return page.evaluate(() => {
    const seen = (window as unknown as { __cameras: { opened: number; tracks: MediaStreamTrack[] } }).__cameras;
    return { opened: seen.opened, live: seen.tracks.filter((t) => t.readyState === "live").length };
  });
}

/** Stops the recording running on `page` and downloads it the way a user does: a parley-call-….webm of more than 1 kB that starts with WebM's EBML magic. */
export async function expectRecordingFile(page: Page): Promise<void> {
  await button(page, "Stop recording").click();
  const link = page.getByTestId("recording-download");
  await link.waitFor({ timeout: T });
  await until("the recording's file name", async () => expect(await link.getAttribute("download")).toMatch(/\.webm$/));
  // The CSP (connect-src 'self') rightly keeps fetch() off blob: URLs, so download it like a user would.
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: T }), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^parley-call-.*\.webm$/);
  const bytes = new Uint8Array(await Bun.file((await download.path())!).arrayBuffer());
  expect(bytes.length).toBeGreaterThan(1000);
  expect([...bytes.slice(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
}

/** Starts watching the page (or the first element matching `within`) for `text`; the returned function says whether it ever appeared. */
export async function watchForText(page: Page, text: string, within = "body"): Promise<() => Promise<boolean>> {
  await page.evaluate(
    ({ text, within }) => {
      const w = window as { sawText?: boolean };
      w.sawText = false;
      const seen = () => (document.querySelector<HTMLElement>(within)?.innerText ?? "").includes(text);
      new MutationObserver(() => (w.sawText ||= seen())).observe(document.body, { subtree: true, childList: true });
    },
    { text, within },
  );
  return () => page.evaluate(() => (window as { sawText?: boolean }).sawText === true);
}

/**
 * Only `talker` (a key of `ids`) is unmuted: every other page rings their tile and no one
 * else's (a page shows itself as "self", never under its own id).
 */
export async function expectOnlySpeaker(pages: Record<string, Page>, ids: Record<string, string>, talker: string, timeoutMs = T): Promise<void> {
  const talkerId = ids[talker]!;
  for (const [me, P] of Object.entries(pages)) {
    if (me === talker) continue;
    const silent = Object.entries(ids).filter(([k]) => k !== talker && k !== me).map(([, id]) => id);
    await until(`${me} sees ${talker} alone speaking`, async () => {
      const ringing = await P.$$eval('[data-testid="call-tile"][data-speaking]', (els) => els.map((e) => e.getAttribute("data-participant")));
      const names = Object.entries(ids).filter(([, id]) => ringing.includes(id)).map(([k]) => k);
      // Thrown, not false: a timeout then says whose tiles were ringing instead.
      if (!ringing.includes(talkerId) || silent.some((id) => ringing.includes(id))) throw new Error(`ringing: [${names.join(", ")}]`);
    }, timeoutMs);
  }
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

/** `n` of T, as a tuple when `n` is a literal: `const [a, b] = await stage.users(2)`. */
export type Tuple<T, N extends number, R extends T[] = []> = number extends N ? T[] : R["length"] extends N ? R : Tuple<T, N, [T, ...R]>;
type StageUser = TestUser & { password: string };

export interface CallStageOptions {
  /** Extra Chromium flags: SCREEN_CAPTURE_FLAGS, --allow-loopback-in-peer-connection for the SFU. */
  flags?: string[];
  /** Env of the suite's shared node (`stage.node`, `stage.base`); `false`: none, tests start their own with `server()`. */
  env?: Record<string, string> | false;
  /** The suite has relay tests: `canRelay` says whether coturn is here (a skip notice if not). */
  turn?: boolean;
}

/** What a call suite works with; filled before its first test (call `callStage()` at the file's top level). */
export interface CallStage extends CallServer {
  /** Chromium is here: wrap the suite in `describe.skipIf(!stage.enabled)`. */
  readonly enabled: boolean;
  /** Chromium and coturn are here (only asked with `turn: true`). */
  readonly canRelay: boolean;
  readonly pages: CallPages;
  browser: Browser;
  /** Another node for this test alone (disposed after it, its pages closed first). */
  server(env?: Record<string, string>): Promise<CallServer>;
  /** A coturn for this test alone (stopped after it); `port` restarts one on a stopped server's port. */
  startTurn(secret: string, opts?: { port?: number }): Promise<TurnServer>;
  /** A coturn and a relay-only node using it (`nodeSecret`: a wrong one), both for this test alone. */
  relayServer(secret: string, opts?: { nodeSecret?: string; env?: Record<string, string> }): Promise<CallServer & { turn: TurnServer }>;
  /** `n` fresh users on `srv` (the shared node by default). */
  users<N extends number>(n: N, srv?: CallServer): Promise<Tuple<StageUser, N>>;
  /** `u` signed in on `path`, once a conversation shows. */
  open(u: TestUser, path: string, opts?: { viewport?: Viewport; srv?: CallServer }): Promise<OpenPage>;
  /** Friends a and b, each on their DM. */
  pair(opts?: { bViewport?: Viewport; srv?: CallServer }): ReturnType<CallPages["pair"]>;
  /** A group DM of `n` users created by the first (friends with each), everyone on it: `viewports[i]` for user i. */
  group<N extends number>(n: N, opts?: { name?: string; viewports?: Record<number, Viewport>; srv?: CallServer }): Promise<{ users: Tuple<StageUser, N>; conv: string; pages: Tuple<OpenPage, N> }>;
}

/** A group DM of `users` created by the first, who befriends the others first; its id. */
export async function groupConversation(srv: CallServer, users: TestUser[], name = "group"): Promise<string> {
  const [owner, ...rest] = users;
  for (const u of rest) await befriend(srv.node, owner!, u);
  const res = await srv.node.req("/api/conversations", { method: "POST", json: { memberIds: rest.map((u) => u.user.id), name } }, owner!.jar);
  if (res.status !== 201) throw new Error(`group create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { conversation: { id: string } }).conversation.id;
}

/**
 * One browser for the suite, the suite's node, and cleanup: after each test its pages close (and
 * must have had no uncaught errors), then its own nodes and coturns stop; after the suite, the rest.
 */
export function callStage(suite: string, opts: CallStageOptions = {}): CallStage {
  const HOOK = 60_000;
  const enabled = browserAvailable(suite);
  const pages = new CallPages();
  const perTest: (() => Promise<unknown>)[] = [];
  const stage = { enabled, canRelay: !!opts.turn && enabled && turnAvailable(suite), pages } as CallStage;
  stage.server = async (env = {}) => {
    const srv = await startCallServer(env);
    perTest.push(() => srv.node.dispose());
    return srv;
  };
  stage.startTurn = async (secret, o) => {
    const turn = await startTurn(secret, o);
    perTest.push(() => turn.stop());
    return turn;
  };
  stage.relayServer = async (secret, o = {}) => {
    const turn = await stage.startTurn(secret);
    const srv = await stage.server({ TURN_URLS: turn.url, TURN_SECRET: o.nodeSecret ?? secret, RTC_FORCE_RELAY: "true", ...o.env });
    return { ...srv, turn };
  };
  stage.users = <N extends number>(n: N, srv: CallServer = stage) => Promise.all(Array.from({ length: n }, () => registerUser(srv.node))) as Promise<Tuple<StageUser, N>>;
  stage.open = (u, path, o = {}) => pages.open((o.srv ?? stage).base, u, path, o.viewport);
  stage.pair = (o = {}) => pages.pair(o.srv ?? stage, o);
  stage.group = async (n, o = {}) => {
    const srv = o.srv ?? stage;
    const users: StageUser[] = await stage.users(n as number, srv);
    const conv = await groupConversation(srv, users, o.name);
    const opened = await Promise.all(users.map((u, i) => stage.open(u, `/c/${conv}`, { viewport: o.viewports?.[i], srv })));
    return { users, conv, pages: opened } as { users: Tuple<StageUser, typeof n>; conv: string; pages: Tuple<OpenPage, typeof n> };
  };

  beforeAll(async () => {
    if (!enabled) return;
    stage.browser = pages.browser = await launchBrowser(opts.flags);
    if (opts.env !== false) Object.assign(stage, await startCallServer(opts.env));
  }, HOOK);
  afterEach(async () => {
    const errors = await pages.closeAll();
    for (const stop of perTest.splice(0).reverse()) await stop().catch(() => {});
    expect(errors).toEqual([]);
  }, HOOK);
  afterAll(async () => {
    await stage.node?.dispose();
    await stage.browser?.close();
  }, HOOK);
  return stage;
}
