/**
 * Call-setup benchmark: `bun bench/call-setup.ts [--calls 20] [--runs 2] …` (`--help` lists every option).
 *
 * Copies the source (this working tree, or --source DIR) to a temp dir, builds the web client there
 * (scripts/build.ts → dist/), starts that copy's server (src/server/main.ts, which serves its dist/)
 * as a separate process on 127.0.0.1 (fresh temp DATA_DIR, SQLite), registers two users over its
 * REST API and befriends them, then opens their DM in two Chromium contexts (fake camera and
 * microphone) signed in with their session cookies — the same setup as test/e2e/calls.test.ts.
 * For each call (after warm-up calls that are not counted) it clicks "Start video call" in the
 * caller's page, "Accept" in the callee's, and hangs up once video decodes on both sides:
 *
 *   invite → ring        the caller's click on "Start video call" → the callee's incoming-call
 *                        dialog ([role=alertdialog]) inserted into the DOM (MutationObserver).
 *   accept → first frame the callee's click on "Accept" → the first getStats() sample in which the
 *                        CALLER's inbound-rtp video has framesDecoded > 0 (and the same for the
 *                        callee's inbound video). getStats is polled every --poll-ms (10 ms) in
 *                        each page; the sample's own RTCStats.timestamp is used, so the error is at
 *                        most one poll interval late, never early.
 *
 * All times are taken in the pages (performance.timeOrigin + performance.now(); both pages are
 * renderers of one Chromium on this machine; their offsets against Date.now() are compared and
 * reported). A small init script in each page also timestamps — without changing behaviour —
 * getUserMedia, the /api/rtc/ice-servers fetch, call/rtc frames on the WebSocket, the peer
 * connection's descriptions, ICE and DTLS states, and the first RTP packet / encoded frame, to
 * say where the time goes.
 *
 * Modes: "direct" (no STUN/TURN: host candidates, both browsers on this machine) and "turn"
 * (a real coturn on 127.0.0.1 from test/support/turn.ts; the server gets TURN_URLS, TURN_SECRET
 * and RTC_FORCE_RELAY=true so only relay candidates are used — checked on the selected pair).
 * Each run uses a fresh server, store and browser per mode; --runs 2 repeats both modes (the
 * machine is shared and noisy: the report shows every run, and CPU used by everything else).
 *
 * Prints a markdown report and replaces its section (`<!-- bench:call-setup -->`) of
 * docs/BENCHMARKS.md unless --no-docs. Bounded: a fixed number of calls, a timeout on every step,
 * at most a few failed calls per mode, and a hard deadline; everything it starts is stopped.
 */
import { parseArgs } from "node:util";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  HOST,
  ROOT,
  api,
  cleanup,
  dist,
  fmt,
  freePort,
  installExitGuards,
  loadavg,
  machineBusySeconds,
  machineInfo,
  onCleanup,
  procCpuSeconds,
  selfCpuSeconds,
  sh,
  sleep,
  startServer,
  waitForQuiet,
  writeDocsSection,
  type Dist,
  type ServerHandle,
  num,
} from "./lib/harness";
import { BASE_FLAGS, chromePath, sessionCookies } from "../test/support/browser";
import { startTurn, turnPath, type TurnServer } from "../test/support/turn";

// ---------------------------------------------------------------- options

const { values: opt } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    calls: { type: "string", default: "20" },
    warmup: { type: "string", default: "2" },
    runs: { type: "string", default: "2" },
    modes: { type: "string", default: "direct,turn" },
    "poll-ms": { type: "string", default: "10" },
    "ring-ms": { type: "string", default: "1000" },
    "quiet-wait": { type: "string", default: "60" },
    "no-build": { type: "boolean", default: false },
    source: { type: "string" },
    label: { type: "string" },
    "chromium-flag": { type: "string", multiple: true, default: [] },
    "no-docs": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (opt.help) {
  console.log(`bun bench/call-setup.ts [options]
  --calls 20          measured calls per mode and run (≤ 200)
  --warmup 2          warm-up calls per mode and run, not counted (≤ 10)
  --runs 2            repeat everything (fresh server and browser each time; ≤ 5)
  --modes direct,turn which modes: direct (host candidates), turn (coturn, RTC_FORCE_RELAY=true)
  --poll-ms 10        getStats poll interval inside each page (1 – 100)
  --ring-ms 1000      how long the callee lets it ring before "Accept" (a person takes longer; the
                      caller's camera opens meanwhile, as it would in real use) (0 – 10000)
  --quiet-wait 60     before each mode, wait up to this many seconds for the machine to be idle
  --source DIR        measure another checkout (e.g. \`git archive HEAD | tar -x -C DIR\` for a before/after);
                      default: this repository's working tree
  --label TEXT        how the report names the measured code (e.g. "HEAD abc1234, before the change")
  --no-build          copy the source's existing dist/ instead of running scripts/build.ts
  --no-docs           print only; do not update docs/BENCHMARKS.md`);
  process.exit(0);
}

const CALLS = Math.floor(num("calls", opt.calls, 1, 200));
const WARMUP = Math.floor(num("warmup", opt.warmup, 0, 10));
const RUNS = Math.floor(num("runs", opt.runs, 1, 5));
const POLL_MS = num("poll-ms", opt["poll-ms"], 1, 100);
const RING_MS = num("ring-ms", opt["ring-ms"], 0, 10_000);
const QUIET_WAIT_S = num("quiet-wait", opt["quiet-wait"], 0, 600);
type Mode = "direct" | "turn";
const MODES = opt.modes.split(",").map((m) => m.trim()) as Mode[];
if (MODES.length === 0 || MODES.some((m) => m !== "direct" && m !== "turn")) {
  console.error(`--modes takes direct and/or turn, got ${JSON.stringify(opt.modes)}`);
  process.exit(2);
}
if (!chromePath) {
  console.error("no Chromium found (set CHROME_PATH)");
  process.exit(2);
}
if (MODES.includes("turn") && !turnPath) {
  console.error("coturn (turnserver) not found: install it, set TURNSERVER_PATH, or use --modes direct");
  process.exit(2);
}

const SOURCE = resolve(opt.source ?? ROOT);
if (!existsSync(join(SOURCE, "src", "server", "main.ts"))) {
  console.error(`--source ${SOURCE}: no src/server/main.ts there`);
  process.exit(2);
}
/** The private copy of SOURCE the server runs from (set in main). */
let TREE = ROOT;

/** Short content hash of a built dist/ (names and bytes), to say which client was measured. */
function bundleHash(dir: string): string {
  const h = new Bun.CryptoHasher("sha256");
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith(".map")) {
        h.update(p.slice(dir.length));
        h.update(readFileSync(p));
      }
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 12);
}

const EXTRA_FLAGS = (opt["chromium-flag"] as string[]).map((f) => (f.startsWith("--") ? f : `--${f}`));
const TARGET_P50_MS = 400;
const STEP_MS = 20_000; // any single step of a call (ring, first frame, hang-up)
const MAX_FAILURES = 3; // failed calls per mode before that mode is abandoned
const TURN_SECRET = "call-setup-bench-turn-secret";
const PASSWORD = "correct horse battery staple";

// Worst case: every call of every mode times out on its slowest step, plus starts and quiet waits.
const hardDeadlineS = RUNS * MODES.length * (QUIET_WAIT_S + 120 + (CALLS + WARMUP) * 12 + MAX_FAILURES * 4 * (STEP_MS / 1000)) + 300;
installExitGuards(hardDeadlineS);

// ---------------------------------------------------------------- in-page instrumentation

/**
 * Runs in every page before its own scripts (context.addInitScript). It only observes: wrappers
 * call straight through and add listeners with addEventListener (the app's on… handlers are untouched).
 * Marks are kept only while armed, first occurrence only, on the page clock T().
 */
function pageProbe(pollMs: number): void {
  const w = window as any;
  const T = () => performance.timeOrigin + performance.now();
  const B: any = { pcs: [] as RTCPeerConnection[], ev: {} as Record<string, number>, armed: false, polling: false, pollMs, polls: 0, statsLagMs: [] as number[], tsMismatch: 0, tsGaps: [] as number[], cached: 0, lastTs: 0, info: null, outInfo: null, rvfc: null };
  Object.defineProperty(w, "__bench", { value: B });
  const mark = (k: string, t = T()) => {
    if (B.armed && !(k in B.ev)) B.ev[k] = t;
  };
  B.mark = mark;

  const md = navigator.mediaDevices;
  if (md?.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      mark(c?.video ? "gumStart" : "gumAudioStart");
      try {
        return await gum(c);
      } finally {
        mark(c?.video ? "gumEnd" : "gumAudioEnd");
      }
    };
  }

  const origFetch = w.fetch;
  w.fetch = function (input: any, init?: any) {
    const url = String(input?.url ?? input);
    const ice = url.includes("/api/rtc/ice-servers");
    if (ice) mark("iceFetchStart");
    const p = origFetch.call(this, input, init);
    if (ice) p.then(() => mark("iceFetchEnd"), () => {});
    return p;
  };

  const OWS = w.WebSocket;
  class BenchWebSocket extends OWS {
    constructor(...a: any[]) {
      super(...a);
      const ids = new Map<string, string>();
      const send = OWS.prototype.send;
      (this as any).send = (d: any) => {
        try {
          const f = JSON.parse(d);
          if (f?.type && (f.type.startsWith("call:") || f.type.startsWith("rtc:"))) {
            mark(`send:${f.type}`);
            if (f.id) ids.set(f.id, f.type);
          }
        } catch {}
        return send.call(this, d);
      };
      (this as any).addEventListener("message", (m: MessageEvent) => {
        try {
          const f = JSON.parse(String(m.data));
          if (typeof f?.type === "string" && (f.type.startsWith("call:") || f.type.startsWith("rtc:"))) mark(`recv:${f.type}`);
          else if (typeof f?.replyTo === "string" && ids.has(f.replyTo)) mark(`reply:${ids.get(f.replyTo)}`);
        } catch {}
      });
    }
  }
  w.WebSocket = BenchWebSocket;

  const OPC = w.RTCPeerConnection;
  class BenchPeerConnection extends OPC {
    constructor(...a: any[]) {
      super(...a);
      B.pcs.push(this);
      mark("pcCreated");
      const pc = this as unknown as RTCPeerConnection;
      pc.addEventListener("icecandidate", (e) => mark(e.candidate ? `cand:${e.candidate.type ?? "?"}` : "cand:end"));
      pc.addEventListener("icegatheringstatechange", () => mark(`gathering:${pc.iceGatheringState}`));
      pc.addEventListener("iceconnectionstatechange", () => mark(`ice:${pc.iceConnectionState}`));
      pc.addEventListener("connectionstatechange", () => mark(`conn:${pc.connectionState}`));
      pc.addEventListener("track", (e) => mark(`track:${e.track.kind}`));
    }
    setLocalDescription(...a: any[]) {
      const p = super.setLocalDescription(...a);
      p.then(() => mark(`sld:${(this as any).localDescription?.type}`), () => {});
      return p;
    }
    setRemoteDescription(...a: any[]) {
      const type = a[0]?.type;
      mark(`srdStart:${type}`);
      const p = super.setRemoteDescription(...a);
      p.then(() => mark(`srd:${type}`), () => {});
      return p;
    }
  }
  w.RTCPeerConnection = BenchPeerConnection;

  // User clicks (capture phase on document: before React's root listener).
  document.addEventListener(
    "click",
    (e) => {
      const label = (e.target as Element | null)?.closest?.("button")?.getAttribute("aria-label");
      if (label) mark(`click:${label}`);
    },
    true,
  );

  // The incoming-call dialog entering the DOM, and the next animation frame after it.
  new MutationObserver(() => {
    if (!B.armed || "ringDom" in B.ev) return;
    if (document.querySelector("[role=alertdialog]")) {
      mark("ringDom");
      requestAnimationFrame(() => mark("ringFrame"));
    }
  }).observe(document, { childList: true, subtree: true });

  const seenVideos = new WeakSet<HTMLVideoElement>();
  const watchRemoteVideo = () => {
    const v = document.querySelector<HTMLVideoElement>('video[data-testid="remote-video"]');
    if (!v || seenVideos.has(v) || !("requestVideoFrameCallback" in v)) return;
    seenVideos.add(v);
    (v as any).requestVideoFrameCallback((now: number, meta: any) => {
      if (!B.armed || "rvfcFirstFrame" in B.ev) return;
      mark("rvfcFirstFrame", performance.timeOrigin + (meta?.presentationTime ?? now));
      // For a WebRTC source: receiveTime = last packet of the frame received; + processingDuration (s) = decoded.
      if (typeof meta?.receiveTime === "number") {
        mark("rvfcReceived", performance.timeOrigin + meta.receiveTime);
        if (typeof meta.processingDuration === "number") mark("rvfcDecoded", performance.timeOrigin + meta.receiveTime + meta.processingDuration * 1000);
      }
      B.rvfc = { width: meta?.width, height: meta?.height, processingMs: typeof meta?.processingDuration === "number" ? meta.processingDuration * 1000 : null };
    });
  };

  B.poll = async () => {
    while (B.polling) {
      const t0 = T();
      watchRemoteVideo();
      for (const pc of B.pcs as RTCPeerConnection[]) {
        if (pc.signalingState === "closed") continue;
        let report: RTCStatsReport;
        const before = T();
        try {
          report = await pc.getStats();
        } catch {
          continue;
        }
        const after = T();
        B.polls++;
        if (B.statsLagMs.length < 2000) B.statsLagMs.push(after - before);
        report.forEach((s: any) => {
          // RTCStats.timestamp: when this sample was collected — on the same clock as T(), and
          // possibly earlier than this call (libwebrtc serves a cached report for a short while).
          let t = after;
          if (typeof s.timestamp === "number" && s.timestamp >= before - 2000 && s.timestamp <= after + 5) t = Math.min(s.timestamp, after);
          else if (s.type === "inbound-rtp") B.tsMismatch++;
          if (s.type === "inbound-rtp" && s.kind === "video") {
            if (B.armed && B.lastTs && s.timestamp > B.lastTs && B.tsGaps.length < 5000) B.tsGaps.push(s.timestamp - B.lastTs);
            if (s.timestamp < before - 1) B.cached++;
            B.lastTs = s.timestamp;
            if (s.packetsReceived > 0) mark("inVideoPacket", t);
            if (s.framesReceived > 0) mark("inFrameReceived", t);
            if (s.framesDecoded > 0 && !("inFrameDecoded" in B.ev)) {
              mark("inFrameDecoded", t);
              const codec = report.get(s.codecId) as any;
              let pairChanges: number | undefined;
              report.forEach((x: any) => {
                if (x.type === "transport" && typeof x.selectedCandidatePairChanges === "number") pairChanges = x.selectedCandidatePairChanges;
              });
              B.info = { codec: codec?.mimeType, decoder: s.decoderImplementation, width: s.frameWidth, height: s.frameHeight, keyFrames: s.keyFramesDecoded, pairChanges };
            }
          } else if (s.type === "inbound-rtp" && s.kind === "audio") {
            if (s.packetsReceived > 0) mark("inAudioPacket", t);
          } else if (s.type === "outbound-rtp" && s.kind === "video") {
            if (s.framesEncoded > 0 && !("outFrameEncoded" in B.ev)) {
              mark("outFrameEncoded", t);
              B.outInfo = { encoder: s.encoderImplementation, width: s.frameWidth, height: s.frameHeight, targetBitrate: s.targetBitrate };
            }
            if (s.packetsSent > 0) mark("outVideoPacket", t);
          }
        });
      }
      if ("inFrameDecoded" in B.ev && "outVideoPacket" in B.ev && "rvfcFirstFrame" in B.ev) break;
      await new Promise((r) => setTimeout(r, Math.max(0, B.pollMs - (T() - t0))));
    }
    B.polling = false;
  };
  B.arm = () => {
    B.ev = {};
    B.lastTs = 0;
    B.info = B.outInfo = B.rvfc = null;
    B.pcs = (B.pcs as RTCPeerConnection[]).filter((pc) => pc.signalingState !== "closed");
    B.armed = true;
    if (!B.polling) {
      B.polling = true;
      void B.poll();
    }
  };
  B.disarm = () => {
    B.armed = false;
    B.polling = false;
    return B.ev;
  };
}

type Marks = Record<string, number>;

// ---------------------------------------------------------------- server side setup

interface Account {
  id: string;
  username: string;
  cookie: string;
  jar: { get(name: string): string | undefined };
}

async function registerAccount(base: string, username: string): Promise<Account> {
  const r = await fetch(`${base}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `${username}@bench.invalid`, username, password: PASSWORD }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await r.text();
  if (r.status !== 201) throw new Error(`register ${username}: HTTP ${r.status} ${body}`);
  const cookies = new Map<string, string>();
  for (const c of r.headers.getSetCookie()) {
    const pair = c.split(";")[0]!;
    const eq = pair.indexOf("=");
    cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  if (!cookies.get("access_token") || !cookies.get("refresh_token")) throw new Error(`register ${username}: session cookies missing`);
  const { user } = JSON.parse(body) as { user: { id: string } };
  return { id: user.id, username, cookie: `access_token=${cookies.get("access_token")}`, jar: { get: (n) => cookies.get(n) } };
}

async function befriend(base: string, a: Account, b: Account): Promise<string> {
  const { request } = await api<{ request: { id: string } }>(base, a.cookie, "/api/friends/requests", { json: { username: b.username }, expect: [201] });
  const { conversationId } = await api<{ conversationId: string }>(base, b.cookie, `/api/friends/requests/${request.id}/accept`, { method: "POST", expect: [200] });
  return conversationId;
}

// ---------------------------------------------------------------- CPU of process trees

/** CPU seconds of a process and all its descendants (the browser: Chromium's many processes). */
function treeCpuSeconds(rootPid: number): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) {
      if (p === rootPid) {
        total += procCpuSeconds(pid) || 0;
        break;
      }
    }
  }
  return total;
}

/** CPU % of one core over the window: server, browser (+ this process), everything else. */
function cpuWindow(serverPid: number): () => { server: number; browser: number; other: number } {
  const t0 = performance.now();
  const s0 = procCpuSeconds(serverPid);
  const b0 = treeCpuSeconds(process.pid) - s0; // Chromium and coturn are our children, as is the server
  const a0 = machineBusySeconds();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const s = procCpuSeconds(serverPid) - s0;
    const b = treeCpuSeconds(process.pid) - procCpuSeconds(serverPid) - b0;
    const a = machineBusySeconds() - a0;
    const p = (x: number) => (x / wall) * 100;
    return { server: p(s), browser: p(b), other: Math.max(0, p(a - s - b)) };
  };
}

// ---------------------------------------------------------------- one mode of one run

interface CallSample {
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

interface ModeResult {
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

const button = (p: Page, name: string) => p.getByRole("button", { name, exact: true });

async function openAs(browser: Browser, base: string, u: Account, path: string, who: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(pageProbe, POLL_MS);
  await ctx.addCookies(sessionCookies(u.jar, HOST));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => {
    const at = (e.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim().replace(/\(?https?:\/\/[^/]+\//, "(")).join(" ");
    errors.push(`${who}: ${String(e)}${at ? ` [${at}]` : ""}`);
  });
  await page.goto(`${base}${path}`, { timeout: STEP_MS });
  await page.getByTestId("conversation").waitFor({ timeout: STEP_MS });
  return { ctx, page, errors };
}

const marks = (p: Page) => p.evaluate(() => ({ ...(window as any).__bench.ev }) as Record<string, number>);

/** No call on this page: no call id, no live peer connection, no incoming dialog. */
const idle = (p: Page) =>
  p.waitForFunction(
    () => (window as any).__parleyCall?.callId == null && ((window as any).__parleyCall?.peers().length ?? 0) === 0 && !document.querySelector("[role=alertdialog]"),
    null,
    { polling: 50, timeout: STEP_MS },
  );

/** The selected candidate pair of the main connection: "relay udp 127.0.0.1 ↔ relay 127.0.0.1". */
function selectedPair(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const main = (window as any).__parleyCall?.peers().find((p: any) => p.channel === "main");
    if (!main) return "?";
    const stats = new Map<string, any>();
    (await main.pc.getStats()).forEach((s: any) => stats.set(s.id, s));
    const transport = [...stats.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
    const pair = transport ? stats.get(transport.selectedCandidatePairId) : [...stats.values()].find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
    const l = pair && stats.get(pair.localCandidateId);
    const r = pair && stats.get(pair.remoteCandidateId);
    if (!l || !r) return "?";
    const relayProto = l.relayProtocol ? ` via ${l.relayProtocol}` : "";
    return `local ${l.candidateType} ${l.protocol} ${l.address ?? l.ip}${relayProto} ↔ remote ${r.candidateType} ${r.address ?? r.ip}`;
  });
}

async function runMode(mode: Mode, run: number, turn: TurnServer | null): Promise<ModeResult> {
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
  const server: ServerHandle = await startServer(env, { port, serverDir: TREE });
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

// ---------------------------------------------------------------- analysis

/** Per-call interval b − a (NaN if either mark is missing), summarised. */
function seg(samples: CallSample[], f: (s: CallSample) => number): Dist {
  return dist(samples.map(f).filter(Number.isFinite));
}

interface Milestone {
  label: string;
  side: "caller" | "callee";
  key: string;
}

/** Milestones after Accept, in roughly the order they happen. */
const MILESTONES: Milestone[] = [
  { label: "callee camera: getUserMedia starts", side: "callee", key: "gumStart" },
  { label: "callee sends call:accept", side: "callee", key: "send:call:accept" },
  { label: "caller receives call:accepted", side: "caller", key: "recv:call:accepted" },
  { label: "caller GET /api/rtc/ice-servers sent", side: "caller", key: "iceFetchStart" },
  { label: "callee GET /api/rtc/ice-servers sent", side: "callee", key: "iceFetchStart" },
  { label: "caller offer created (setLocalDescription done)", side: "caller", key: "sld:offer" },
  { label: "callee offer applied (setRemoteDescription done)", side: "callee", key: "srd:offer" },
  { label: "callee answer created (setLocalDescription done)", side: "callee", key: "sld:answer" },
  { label: "caller video track (ontrack)", side: "caller", key: "track:video" },
  { label: "caller frame decoded per rVFC (receiveTime + processingDuration)", side: "caller", key: "rvfcDecoded" },
  { label: "caller last packet of first frame in, per rVFC", side: "caller", key: "rvfcReceived" },
  { label: "caller GET /api/rtc/ice-servers answered", side: "caller", key: "iceFetchEnd" },
  { label: "caller RTCPeerConnection created", side: "caller", key: "pcCreated" },
  { label: "caller sends the offer", side: "caller", key: "send:rtc:offer" },
  { label: "callee receives the offer", side: "callee", key: "recv:rtc:offer" },
  { label: "callee call:accept answered", side: "callee", key: "reply:call:accept" },
  { label: "callee camera open (getUserMedia resolves)", side: "callee", key: "gumEnd" },
  { label: "callee GET /api/rtc/ice-servers answered", side: "callee", key: "iceFetchEnd" },
  { label: "callee RTCPeerConnection created", side: "callee", key: "pcCreated" },
  { label: "callee sends the answer", side: "callee", key: "send:rtc:answer" },
  { label: "caller answer handed to setRemoteDescription", side: "caller", key: "srdStart:answer" },
  { label: "caller answer applied", side: "caller", key: "srd:answer" },
  { label: "caller first local candidate", side: "caller", key: "cand:host" },
  { label: "caller first relay candidate", side: "caller", key: "cand:relay" },
  { label: "callee ICE connected", side: "callee", key: "ice:connected" },
  { label: "caller ICE connected", side: "caller", key: "ice:connected" },
  { label: "callee DTLS done (connectionState connected)", side: "callee", key: "conn:connected" },
  { label: "caller DTLS done (connectionState connected)", side: "caller", key: "conn:connected" },
  { label: "callee first video frame encoded", side: "callee", key: "outFrameEncoded" },
  { label: "caller first video frame encoded", side: "caller", key: "outFrameEncoded" },
  { label: "caller first video RTP packet in", side: "caller", key: "inVideoPacket" },
  { label: "caller first frame decoded", side: "caller", key: "inFrameDecoded" },
  { label: "caller remote <video> first frame (rVFC)", side: "caller", key: "rvfcFirstFrame" },
  { label: "callee first video RTP packet in", side: "callee", key: "inVideoPacket" },
  { label: "callee first frame decoded", side: "callee", key: "inFrameDecoded" },
];

const at = (s: CallSample, side: "caller" | "callee", key: string) => (side === "caller" ? s.callerMarks : s.calleeMarks)[key]! - s.calleeMarks["click:Accept"]!;

/** Segments of the caller's critical path (accept → caller's first decoded frame); they add up to it. */
const SEGMENTS: { label: string; from: [Milestone["side"], string] | null; to: [Milestone["side"], string] }[] = [
  { label: "Accept → caller hears call:accepted (callee → server → caller)", from: null, to: ["caller", "recv:call:accepted"] },
  { label: "→ caller starts GET /api/rtc/ice-servers (call view renders first)", from: ["caller", "recv:call:accepted"], to: ["caller", "iceFetchStart"] },
  { label: "→ caller has the ICE servers (HTTP round trip)", from: ["caller", "iceFetchStart"], to: ["caller", "iceFetchEnd"] },
  { label: "→ caller sends its offer (new RTCPeerConnection, addTrack, createOffer + setLocalDescription)", from: ["caller", "iceFetchEnd"], to: ["caller", "send:rtc:offer"] },
  { label: "→ callee sends its answer (waits for call:accept reply, its camera, its ICE-servers fetch; then answers)", from: ["caller", "send:rtc:offer"], to: ["callee", "send:rtc:answer"] },
  { label: "→ answer reaches the caller's RTCPeerConnection (server relay)", from: ["callee", "send:rtc:answer"], to: ["caller", "srdStart:answer"] },
  { label: "→ caller ICE connected (setRemoteDescription, connectivity checks)", from: ["caller", "srdStart:answer"], to: ["caller", "ice:connected"] },
  { label: "→ caller DTLS done", from: ["caller", "ice:connected"], to: ["caller", "conn:connected"] },
  { label: "→ last packet of the first frame at the caller (callee's encoder starts, first keyframe paced out; rVFC receiveTime)", from: ["caller", "conn:connected"], to: ["caller", "rvfcReceived"] },
  { label: "→ decoded (rVFC receiveTime + processingDuration)", from: ["caller", "rvfcReceived"], to: ["caller", "rvfcDecoded"] },
  { label: "→ visible to getStats (framesDecoded > 0; libwebrtc's 50 ms stats cache + poll)", from: ["caller", "rvfcDecoded"], to: ["caller", "inFrameDecoded"] },
];

function segmentDist(samples: CallSample[], sg: (typeof SEGMENTS)[number]): Dist {
  return seg(samples, (s) => at(s, sg.to[0], sg.to[1]) - (sg.from ? at(s, sg.from[0], sg.from[1]) : 0));
}

const ms = (n: number) => fmt(n, 0);
const triple = (d: Dist) => `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.max)}`;

// ---------------------------------------------------------------- main

async function main() {
  const m = machineInfo();
  const chromiumVersion = sh([chromePath!, "--version"]).split("\n").find((l) => /chrom/i.test(l))?.trim() || "?";
  const pwVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules/playwright-core/package.json"), "utf8")) as { version: string }).version;
  const gitRev = sh(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"]);
  const dirty = sh(["git", "-C", SOURCE, "status", "--porcelain", "--", "src", "scripts"])
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
  const loadStart = loadavg();
  console.error(`call-setup bench: ${CALLS} calls (+${WARMUP} warm-up) × ${MODES.join(", ")} × ${RUNS} run(s); ${m.text}, ${chromiumVersion}`);

  // A private copy of the source, built there: edits or rebuilds of dist/ by anyone else during the
  // run cannot mix client versions into the numbers, and the shared dist/ is left alone.
  const tree = mkdtempSync(join(tmpdir(), "parley-bench-tree-"));
  onCleanup(() => rmSync(tree, { recursive: true, force: true }));
  for (const entry of ["src", "scripts", "package.json", "tsconfig.json", "bunfig.toml", ...(opt["no-build"] ? ["dist"] : [])]) {
    if (existsSync(join(SOURCE, entry))) cpSync(join(SOURCE, entry), join(tree, entry), { recursive: true });
  }
  symlinkSync(existsSync(join(SOURCE, "node_modules")) ? join(SOURCE, "node_modules") : join(ROOT, "node_modules"), join(tree, "node_modules"));
  if (!opt["no-build"]) {
    const t = performance.now();
    const r = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: tree, stdout: "pipe", stderr: "pipe", timeout: 300_000 });
    if (r.exitCode !== 0) throw new Error(`client build failed (${r.exitCode}):\n${r.stderr.toString()}${r.stdout.toString()}`);
    console.error(`built the client (scripts/build.ts) in a copy of ${SOURCE} in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
  if (!existsSync(join(tree, "dist", "index.html"))) throw new Error("dist/index.html missing: build the client (bun scripts/build.ts)");
  const bundle = bundleHash(join(tree, "dist"));
  TREE = tree;

  let turn: TurnServer | null = null;
  if (MODES.includes("turn")) {
    turn = await startTurn(TURN_SECRET);
    const t = turn;
    onCleanup(() => t.stop());
    console.error(`coturn on ${turn.url}`);
  }

  const results: ModeResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const mode of MODES) results.push(await runMode(mode, run, turn));
  }
  await turn?.stop();
  const loadEnd = loadavg();

  // ------------------------------------------------------------ report
  const command = `./node_modules/.bin/bun bench/call-setup.ts${Bun.argv.slice(2).length ? " " + Bun.argv.slice(2).join(" ") : ""}`;
  const L: string[] = [];
  L.push(`Run ${m.date} · \`${command}\``);
  L.push("");
  L.push(
    `Machine: ${m.text}; ${chromiumVersion} (headless, fake camera/microphone, test/support/browser.ts flags) via playwright-core ${pwVersion}. ` +
      `Load average (1/5/15 min) at start / end: ${loadStart} / ${loadEnd}. ` +
      `Code: ${opt.label ? `${opt.label} (${SOURCE})` : `${SOURCE === ROOT ? "this working tree" : `\`${SOURCE}\``} at ${gitRev || "?"}`}${dirty.length ? ` with uncommitted changes in ${dirty.slice(0, 8).join(", ")}${dirty.length > 8 ? ", …" : ""}` : ""}; client bundle ${bundle} (copied and built at the start, served by the server of that copy).`,
  );
  L.push("");
  L.push(
    `Method: server (src/server/main.ts, SQLite, serving the production client built from the same copy) as its own process on 127.0.0.1; two Chromium contexts on the DM of a befriended pair. ` +
      `Per mode and run: ${WARMUP} warm-up calls, then ${CALLS} measured video calls, one at a time; each is hung up and both pages are back to "no call" before the next. ` +
      `The callee answers ${RING_MS} ms after the dialog appears (a person takes longer; the caller's camera opens while it rings). ` +
      `**invite → ring** = caller's click on "Start video call" → callee's incoming-call dialog in the DOM (MutationObserver). ` +
      `**accept → first frame** = callee's click on "Accept" → first getStats() sample (polled every ${POLL_MS} ms in the page; the sample's RTCStats.timestamp) with inbound-rtp video framesDecoded > 0, on the caller (the target) and on the callee. ` +
      `All times on the pages' clocks (performance.timeOrigin + performance.now()). p95 of 20 samples is the 19th value (nearest rank). ` +
      `Direct = no STUN/TURN configured, host candidates only — Chromium gathers none on loopback (--allow-loopback-in-peer-connection did not change the selected pair), so the pair is this machine's own interface address on both ends and the kernel delivers it locally; TURN = coturn on 127.0.0.1 (test/support/turn.ts), RTC_FORCE_RELAY=true, relay candidates only. ` +
      `A small init script in each page timestamps (without changing behaviour) getUserMedia, the ICE-servers fetch, call/rtc WebSocket frames, descriptions, ICE/DTLS states and first packets, for the breakdown below.`,
  );
  L.push("");
  L.push("| mode | run | calls ok | invite → ring | accept → first frame, caller (target) | accept → first frame, callee | caller, per rVFC | CPU % server / browser / other |");
  L.push("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const r of results) {
    const s = r.samples;
    L.push(
      `| ${r.mode} | ${r.run} | ${s.length}/${CALLS}${r.abandoned ? " (abandoned)" : ""} | ${triple(seg(s, (x) => x.ring))} | **${triple(seg(s, (x) => x.caller))}** | ${triple(seg(s, (x) => x.callee))} | ${triple(seg(s, (x) => x.callerRvfcDecoded))} | ${fmt(r.cpu.server, 0)} / ${fmt(r.cpu.browser, 0)} / ${fmt(r.cpu.other, 0)} |`,
    );
  }
  L.push("");
  L.push(
    "All times in ms, each cell p50 / p95 / max. \"caller, per rVFC\" cross-checks the target column: the moment the caller's first remote frame finished decoding according to requestVideoFrameCallback metadata on the remote <video> (receiveTime + processingDuration) — exact to ~1 ms, whereas getStats() only refreshes every 50 ms (libwebrtc caches the report), so the target column is 0 – 50 ms late. CPU % is of one core over the measured calls (200 = both cores): server process, Chromium (all its processes, plus this script and coturn), everything else on the machine (other tenants, steal) — a noisy neighbour shows there.",
  );
  L.push("");
  for (const r of results) {
    const notes: string[] = [];
    notes.push(`selected pair ${r.selected}`);
    notes.push(`page clock offsets differ by ${fmt(r.clockSkewMs, 2)} ms`);
    notes.push(`visibility ${r.visibility}`);
    notes.push(`getStats() call p50 ${fmt(r.pollMs.statsLagP50, 1)} / max ${fmt(r.pollMs.statsLagMax, 0)} ms over ${r.pollMs.polls} polls, fresh inbound-video numbers every ${fmt(r.pollMs.refreshP50, 0)} ms (p50)`);
    notes.push(`first call's first frame ${r.media}`);
    if (r.pollMs.tsMismatch) notes.push(`${r.pollMs.tsMismatch} samples without a usable RTCStats.timestamp (used the poll's end)`);
    const pending = r.samples.filter((s) => s.callerGumPendingAtAccept).length;
    if (pending) notes.push(`caller's camera still opening at Accept in ${pending} calls`);
    notes.push(`${r.quiet ? "a quiet moment (≤ 15 % busy for 3 s) came" : "no quiet moment came"} before the start (load ${r.loadBefore} → ${r.loadAfter})`);
    if (r.failures.length) notes.push(`failed calls: ${r.failures.join("; ")}`);
    if (r.pageErrors.length) notes.push(`${r.pageErrors.length} uncaught page error(s): ${[...new Set(r.pageErrors)].slice(0, 2).join(" | ")}`);
    L.push(`- ${r.mode}, run ${r.run}: ${notes.join("; ")}.`);
  }
  L.push("");

  // Target: judged on each run's caller-side p50.
  const byMode = (mode: Mode) => results.filter((r) => r.mode === mode && r.samples.length > 0);
  const verdicts = MODES.map((mode) => {
    const p50s = byMode(mode).map((r) => seg(r.samples, (x) => x.caller).p50);
    const met = p50s.length > 0 && p50s.every((p) => p <= TARGET_P50_MS);
    return { mode, met, p50s };
  });
  const allMet = verdicts.every((v) => v.met);
  for (const mode of MODES) {
    const rs = byMode(mode);
    if (rs.length < 2) continue;
    const p = (f: (x: CallSample) => number) => rs.map((r) => seg(r.samples, f).p50).sort((x, y) => x - y);
    const caller = p((x) => x.caller);
    const rvfc = p((x) => x.callerRvfcDecoded);
    L.push(`Spread over ${rs.length} runs (${mode}): caller accept → first frame p50 ${ms(caller[0]!)} – ${ms(caller[caller.length - 1]!)} ms (per rVFC ${ms(rvfc[0]!)} – ${ms(rvfc[rvfc.length - 1]!)} ms); the quietest run is the one with the least "other" CPU.`);
  }
  L.push("");
  L.push(
    `Target "accept → first decoded remote frame p50 ≤ ${TARGET_P50_MS} ms" (caller side, every run): **${allMet ? "met" : "not met"}** — ` +
      verdicts.map((v) => `${v.mode} ${v.p50s.map((p) => `${ms(p)} ms`).join(" / ")} (${v.met ? "met" : "not met"})`).join("; ") +
      ".",
  );
  L.push("");

  // Where the time goes: all measured calls of a mode pooled over runs.
  for (const mode of MODES) {
    const samples = byMode(mode).flatMap((r) => r.samples);
    if (!samples.length) continue;
    L.push(`### Where the time goes — ${mode} (${samples.length} calls, all runs)`);
    L.push("");
    const segs = SEGMENTS.map((sg) => ({ sg, d: segmentDist(samples, sg) }));
    const skipped = segs.filter((x) => x.d.n === 0).length;
    L.push(
      `Caller's critical path, per-call segments (they add up to accept → caller's first frame; p50s of parts need not add up exactly${skipped ? `; ${skipped} step(s) of the original flow happened before Accept in this client and are left out` : ""}):`,
    );
    L.push("");
    L.push("| segment | p50 / p95 / max ms |");
    L.push("|---|---:|");
    for (const { sg, d } of segs) if (d.n > 0) L.push(`| ${sg.label} | ${triple(d)} |`);
    const total = seg(samples, (x) => x.caller);
    L.push(`| **total: accept → caller's first decoded frame** | ${triple(total)} |`);
    L.push("");
    L.push("<details><summary>Milestones (ms after Accept, p50 / p95)</summary>");
    L.push("");
    L.push("| milestone | p50 | p95 | calls |");
    L.push("|---|---:|---:|---:|");
    const rows = MILESTONES.map((mi) => ({ mi, d: seg(samples, (s) => at(s, mi.side, mi.key)) }))
      .filter((x) => x.d.n > 0)
      .sort((x, y) => x.d.p50 - y.d.p50);
    for (const { mi, d } of rows) L.push(`| ${mi.label} | ${ms(d.p50)} | ${ms(d.p95)} | ${d.n} |`);
    const gum = seg(samples, (s) => s.calleeMarks.gumEnd! - s.calleeMarks.gumStart!);
    const iceA = seg(samples, (s) => s.callerMarks.iceFetchEnd! - s.callerMarks.iceFetchStart!);
    const keyGap = seg(samples, (s) => s.calleeMarks.outVideoPacket! - s.calleeMarks["conn:connected"]!);
    const gate = { offer: 0, camera: 0, reply: 0 };
    for (const x of samples) {
      const c = x.calleeMarks;
      if (c["recv:rtc:offer"]! > c.pcCreated!) gate.offer++;
      else if (c.gumEnd! > c["reply:call:accept"]!) gate.camera++;
      else gate.reply++;
    }
    L.push("");
    L.push(
      `What the callee's answer waited for last: the caller's offer in ${gate.offer} calls; its own setup in the others — its camera (getUserMedia) in ${gate.camera}, the call:accept reply in ${gate.reply} (then the ICE-servers fetch and a new RTCPeerConnection).`,
    );
    L.push(
      `Durations: callee getUserMedia p50 ${ms(gum.p50)} ms (p95 ${ms(gum.p95)}); caller ice-servers fetch p50 ${ms(iceA.p50)} ms; callee DTLS done → its first video packet sent p50 ${ms(keyGap.p50)} ms.`,
    );
    L.push("");
    L.push("</details>");
    L.push("");
    const phase = (from: string | null, to: string) => seg(samples, (x) => at(x, "caller", to) - (from ? at(x, "caller", from) : 0));
    const phases = [
      { label: "signaling and setup (Accept → the answer reaches the caller's RTCPeerConnection)", d: phase(null, "srdStart:answer") },
      { label: "connecting (ICE checks + DTLS)", d: phase("srdStart:answer", "conn:connected") },
      { label: "first media (callee's encoder starts, first keyframe sent, received, decoded; rVFC)", d: phase("conn:connected", "rvfcDecoded") },
      { label: "getStats catching up (stats cache + poll)", d: phase("rvfcDecoded", "inFrameDecoded") },
    ];
    L.push(`By phase (${mode}, p50 of per-call durations, share of the p50 total ${ms(total.p50)} ms): ${phases.map((x) => `${x.label} ${ms(x.d.p50)} ms (${fmt((100 * x.d.p50) / total.p50, 0)} %)`).join("; ")}.`);
    L.push("");
    const ranked = [...segs].filter((x) => Number.isFinite(x.d.p50)).sort((x, y) => y.d.p50 - x.d.p50);
    const top = ranked.slice(0, 3).map((x) => `${x.sg.label.replace(/^→ /, "").replace(/ \(.*\)$/, "")} (p50 ${ms(x.d.p50)} ms, ${fmt((100 * x.d.p50) / total.p50, 0)} %)`);
    L.push(`Largest parts (${mode}): ${top.join("; ")}.`);
    L.push("");
  }

  const markdown = L.join("\n").replace(/\n+$/, "") + "\n";
  console.log(`\n## Call setup (bench/call-setup.ts)\n\n${markdown}`);
  if (!opt["no-docs"]) {
    const file = writeDocsSection("bench:call-setup", "## Call setup (bench/call-setup.ts)", markdown, m.nproc);
    console.error(`wrote ${file}`);
  }
}

try {
  await main();
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
process.exit(process.exitCode ?? 0);
