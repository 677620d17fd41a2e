/**
 * Abuse bench: `bun bench/hello.ts [--iterations 200] [--trips 200] [--no-docs] [--cost-only] [--cpu-prof DIR]`.
 * --cost-only skips part (2) and writes no docs; --server-dir DIR runs part (1) against another
 * checkout's server (before/after on one machine); --cpu-prof profiles part (1)'s server into DIR
 * (summarise with `bun bench/lib/cpuprofile.ts DIR/*.cpuprofile`).
 *
 * (1) Server CPU per connect + `hello` for users in 0, 10 and 100 spaces (each with 200 friends
 *     and a second socket already open, so presence does not flip), against a raw authenticated
 *     upgrade (socket opened and closed, no frame) in the same run, the four taken in turns of 50.
 *     Budgets are lifted here so the loop measures the work, not the refusals.
 * (2) A victim's DM round trip (send → the friend's socket receives message:new), idle and while
 *     another account with 100 spaces floods at its budget with the default limits (WRITE_RATE_PER_SECOND 20 for all): 12 sockets
 *     (the per-session cap) each sending `hello` and `message:send`, extra upgrades (refused), and REST writes.
 *
 * The server is src/server/main.ts in its own process (SQLite), CPU read from /proc. Writes its
 * section (`<!-- bench:hello -->`) of docs/BENCHMARKS.md unless --no-docs.
 */
import { api, cleanup, dist, fmt, installExitGuards, loadavg, machineInfo, mapLimit, num, procCpuExactSeconds, procCpuSeconds, register, sleep, startServer, waitForQuiet, writeDocsSection, type BenchUser } from "./lib/harness";
import { Sock } from "./chat/sock";

const args = Bun.argv.slice(2);
const opt = (name: string, def: number, max: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : num(name, args[i + 1] ?? "", 1, max);
};
const ITER = opt("iterations", 200, 10_000);
const COST_ONLY = args.includes("--cost-only");
const CPU_PROF = args.includes("--cpu-prof") ? args[args.indexOf("--cpu-prof") + 1] : undefined;
const SERVER_DIR = args.includes("--server-dir") ? args[args.indexOf("--server-dir") + 1] : undefined;
const TRIPS = opt("trips", 200, 10_000);
const guards = installExitGuards(900);
const PASSWORD = "bench password 123";
let seq = 0;
const name = (p: string) => `${p}_${process.pid}_${++seq}`;

async function withSpaces(base: string, u: BenchUser, n: number): Promise<void> {
  await mapLimit(Array.from({ length: n }, (_, i) => i), 4, (i) => api(base, u.cookie, "/api/spaces", { json: { name: `space ${i}` } }));
}

const ROUND = 50;

/**
 * Server CPU ms per iteration of each step (sequential), the steps taken in turns of ROUND
 * iterations each, so the shared machine's load swings weigh on every step alike.
 */
async function cpuPer(pid: number, steps: Array<() => Promise<void>>): Promise<number[]> {
  for (const step of steps) for (let i = 0; i < 20; i++) await step();
  const spent = steps.map(() => 0);
  const rounds = Math.ceil(ITER / ROUND);
  for (let r = 0; r < rounds; r++) {
    for (const [k, step] of steps.entries()) {
      const c0 = procCpuExactSeconds(pid);
      for (let i = 0; i < ROUND; i++) await step();
      spent[k]! += procCpuExactSeconds(pid) - c0;
    }
  }
  return spent.map((s) => (s * 1000) / (rounds * ROUND));
}

async function connectCost(): Promise<Array<{ label: string; ms: number }>> {
  const server = await startServer({ AUTH_RATE_LIMIT: "100000", WRITE_BURST: "1000000", READ_BURST: "1000000", WS_MAX_PER_USER: "100000", WS_MAX_PER_SESSION: "100000", MAX_SPACES_PER_USER: "1000" }, { cpuProfDir: CPU_PROF, serverDir: SERVER_DIR });
  try {
    const base = server.base;
    const subjects = await mapLimit([0, 10, 100], 2, async (n) => ({ n, user: await register(base, name("subject"), PASSWORD) }));
    const bare = await register(base, name("bare"), PASSWORD);
    const friends = await mapLimit(Array.from({ length: 200 }, () => name("friend")), 2, (n) => register(base, n, PASSWORD));
    await mapLimit(friends, 8, async (f) => {
      for (const s of subjects) {
        const { request } = await api<{ request: { id: string } }>(base, f.cookie, "/api/friends/requests", { json: { userId: s.user.id } });
        await api(base, s.user.cookie, `/api/friends/requests/${request.id}/accept`, { method: "POST" });
      }
    });
    for (const s of subjects) await withSpaces(base, s.user, s.n);
    const holders = await Promise.all([bare, ...subjects.map((s) => s.user)].map((u) => Sock.open(base, u)));
    await waitForQuiet(60);
    const pid = server.proc.pid;
    const raw = async () => (await Sock.open(base, bare)).close();
    const hello = (u: BenchUser) => async () => {
      const sock = await Sock.open(base, u);
      await sock.request({ type: "hello" });
      sock.close();
    };
    const ms = await cpuPer(pid, [raw, ...subjects.map((s) => hello(s.user))]);
    const out = [
      { label: "raw authenticated upgrade (open + close, no frame)", ms: ms[0]! },
      ...subjects.map((s, i) => ({ label: `connect + hello, ${s.n} spaces, 200 friends`, ms: ms[i + 1]! })),
    ];
    const bytes = await Promise.all(subjects.map(async (s) => {
      const sock = await Sock.open(base, s.user);
      const h = await sock.request({ type: "hello" });
      sock.close();
      return `${s.n} spaces: ${(JSON.stringify(h).length / 1024).toFixed(1)} KiB`;
    }));
    holders.forEach((h) => h.close());
    console.log(`hello sizes: ${bytes.join(", ")}`);
    return [...out, { label: `hello size (${bytes.join("; ")})`, ms: NaN }];
  } finally {
    await server.stop();
  }
}

/** Sequential DM round trips: a sends, time until b's socket receives it. */
async function roundTrips(a: Sock, b: Sock, conversationId: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = `rt${++seq}`;
    const got = new Promise<number>((resolve, reject) => {
      b.onEvent = (f, t) => {
        if (f.type === "message:new" && f.message?.clientId === clientId) resolve(t);
      };
      setTimeout(() => reject(new Error(`round trip ${i} not delivered within 30 s`)), 30_000);
    });
    const t0 = a.sendFrame({ type: "message:send", conversationId, clientId, content: "ping" }, (f) => {
      if (!f.ok) console.error(`victim's send refused: ${JSON.stringify(f.error)}`);
    });
    out.push((await got) - t0);
    // Paced under the victim's own write budget (a person, not a script).
    await sleep(1000 / VICTIM_RATE);
  }
  return out;
}

/** Writes per second allowed to everyone in part (2): the victim's pace stays under it; the attacker floods at it. */
const WRITE_RATE = 20;
const VICTIM_RATE = 15;

async function victim() {
  const server = await startServer({ WRITE_RATE_PER_SECOND: String(WRITE_RATE) });
  try {
    const base = server.base;
    const [v1, v2, attacker] = await Promise.all([register(base, name("v1"), PASSWORD), register(base, name("v2"), PASSWORD), register(base, name("attacker"), PASSWORD)]);
    const { request } = await api<{ request: { id: string } }>(base, v1.cookie, "/api/friends/requests", { json: { userId: v2.id } });
    const { conversationId } = await api<{ conversationId: string }>(base, v2.cookie, `/api/friends/requests/${request.id}/accept`, { method: "POST" });
    // The attacker's 100 spaces go in at its write budget.
    let spaceChannel = "";
    for (let i = 0; i < 100; ) {
      const r = await fetch(`${base}/api/spaces`, { method: "POST", headers: { cookie: attacker.cookie, "content-type": "application/json" }, body: JSON.stringify({ name: `s${i}` }) });
      if (r.status === 201) {
        spaceChannel ||= ((await r.json()) as { space: { channels: Array<{ id: string }> } }).space.channels[0]!.id;
        i++;
      } else await sleep(Number(r.headers.get("retry-after") || 1) * 1000);
    }
    const [a, b] = [await Sock.open(base, v1), await Sock.open(base, v2)];
    await a.request({ type: "hello" });
    await b.request({ type: "hello" });
    await waitForQuiet(60);
    await roundTrips(a, b, conversationId, 20);
    const idle = dist(await roundTrips(a, b, conversationId, TRIPS));

    const floodSocks = await Promise.all(Array.from({ length: 12 }, () => Sock.open(base, attacker)));
    const counts = { frames: 0, refusedUpgrades: 0, rest: 0 };
    let flooding = true;
    const floods = [
      ...floodSocks.map(async (s) => {
        for (let k = 0; flooding; k++) {
          // 15 frames a second per socket: under the per-socket limit, so the sockets stay open.
          const frame = k % 2 ? { type: "hello" } : { type: "message:send", conversationId: spaceChannel, clientId: `f${++seq}`, content: "flood" };
          s.sendFrame(frame, () => {});
          counts.frames++;
          await sleep(66);
        }
      }),
      (async () => {
        while (flooding) {
          const r = await fetch(`${base}/ws`, { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", cookie: attacker.cookie } });
          if (r.status === 429) counts.refusedUpgrades++;
          await r.arrayBuffer().catch(() => {});
          await sleep(20);
        }
      })(),
      (async () => {
        while (flooding) {
          const r = await fetch(`${base}/api/conversations/${spaceChannel}/messages`, { method: "POST", headers: { cookie: attacker.cookie, "content-type": "application/json" }, body: JSON.stringify({ content: "rest flood", clientId: `r${++seq}` }) });
          await r.arrayBuffer();
          counts.rest++;
          await sleep(20);
        }
      })(),
    ];
    await sleep(1000);
    const c0 = procCpuSeconds(server.proc.pid);
    const t0 = performance.now();
    const flooded = dist(await roundTrips(a, b, conversationId, TRIPS));
    const serverCpu = ((procCpuSeconds(server.proc.pid) - c0) / ((performance.now() - t0) / 1000)) * 100;
    flooding = false;
    await Promise.all(floods);
    [a, b, ...floodSocks].forEach((s) => s.close());
    return { idle, flooded, counts, serverCpu };
  } finally {
    await server.stop();
  }
}

async function main() {
  const m = machineInfo();
  const before = loadavg();
  const cost = await connectCost();
  const raw = cost[0]!.ms;
  const at10 = cost.find((c) => c.label.startsWith("connect + hello, 10 spaces"))!.ms;
  const reading = `connect + hello at 10 spaces: ${fmt(at10 - raw, 3)} ms above the raw upgrade, ${fmt(at10 / raw, 1)}× it; load average ${before} before, ${loadavg()} after`;
  if (COST_ONLY) return console.log([...cost.map((c) => `${c.label}: ${fmt(c.ms, 3)} ms`), reading].join("\n"));
  const v = await victim();
  const command = ["./node_modules/.bin/bun", "bench/hello.ts", ...args].join(" ");
  const rows = cost.filter((c) => Number.isFinite(c.ms)).map((c) => `| ${c.label} | ${fmt(c.ms, 3)} |`);
  const sizes = cost.find((c) => !Number.isFinite(c.ms))!.label;
  const ratio = v.flooded.p99 / v.idle.p99;
  const md = [
    `Run ${m.date} — \`${command}\` — ${m.text}; load average before: ${before}. The machine is shared with other engineers' test runs, so CPU and latency figures are noisy.`,
    "",
    `Server CPU per operation (mean of ${ITER}, sequential, SQLite; subjects have 200 friends and another socket open):`,
    "",
    "| operation | server CPU ms |",
    "| --- | --- |",
    ...rows,
    "",
    `${sizes}. ${reading[0]!.toUpperCase()}${reading.slice(1)}. Target: connect + hello ≤ 0.3 ms CPU at 10 spaces.`,
    "",
    `Victim's DM round trip (send → friend's socket), ${TRIPS} sequential at ${VICTIM_RATE}/s, default limits except WRITE_RATE_PER_SECOND=${WRITE_RATE} (so the victim's own pace fits; the attacker gets the same, larger budget):`,
    "",
    "| | p50 ms | p99 ms | max ms |",
    "| --- | --- | --- | --- |",
    `| idle | ${fmt(v.idle.p50)} | ${fmt(v.idle.p99)} | ${fmt(v.idle.max)} |`,
    `| another account flooding at its budget | ${fmt(v.flooded.p50)} | ${fmt(v.flooded.p99)} | ${fmt(v.flooded.max)} |`,
    "",
    `Flood: 12 sockets (the per-session cap) × 15 frames/s alternating \`hello\` and \`message:send\` (${v.counts.frames} frames), ` +
      `upgrades beyond the cap (${v.counts.refusedUpgrades} refused with 429), REST message posts (${v.counts.rest}); the attacker is in 100 spaces. ` +
      `Server CPU during the flood ${fmt(v.serverCpu, 0)} % of a core. p99 ratio flooded/idle: ${fmt(ratio, 1)}× (target ≤ 5×).`,
  ].join("\n");
  console.log(md);
  if (!args.includes("--no-docs")) console.log(`wrote ${writeDocsSection("bench:hello", "## Abuse: connect + hello cost, and a victim under flood (bench/hello.ts)", md, m.nproc)}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    guards.clear();
    await cleanup();
    process.exit();
  });
