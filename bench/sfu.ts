/**
 * SFU benchmark: `bun bench/sfu.ts [--publishers 4] [--subscribers 5,10,15,20] [--seconds 10]
 * [--late 10] [--no-docs]`.
 *
 * 1. Forwarding, per implementation in the same run: the embedded SFU (WeriftSfu, in this process)
 *    and, when janus and ip are installed (root), Janus VideoRoom (JanusSfu; janus started in a
 *    network namespace by test/support/janus.ts, its CPU read from /proc); synthetic werift clients run
 *    in a child (bench/sfu/clients.ts). P publishers each send one VP8-shaped video stream
 *    (~500 kbit/s, 30 fps); S subscribers and the other publishers receive each, so
 *    P×S + P×(P−1) video streams are forwarded. Once every stream flows, this process's CPU (process.cpuUsage, user+system, as %
 *    of one core) and RSS are sampled over --seconds; a stream counts as forwarded only if its
 *    subscriber received packets during that window (links that failed to connect within 30 s
 *    show as streams not forwarded).
 * 2. Late joiner, per implementation: two Chromium pages publish fake camera+microphone (simulcast)
 *    through the SFU; --late pages join one after another and time join → first frame painted
 *    (requestVideoFrameCallback) of each publisher, in the joining page.
 *
 * Prints a markdown report and replaces its section of docs/BENCHMARKS.md unless --no-docs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { readFileSync as readProc } from "node:fs";
import { JanusSfu } from "../src/server/sfu/janus";
import type { Sfu } from "../src/server/sfu/sfu";
import { WeriftSfu } from "../src/server/sfu/werift";
import { janusAvailable, startJanus } from "../test/support/janus";
import { lateJoins } from "./sfu/late";

const { values: args } = parseArgs({
  options: {
    publishers: { type: "string", default: "4" },
    subscribers: { type: "string", default: "5,10,15,20" },
    seconds: { type: "string", default: "10" },
    late: { type: "string", default: "10" },
    "no-docs": { type: "boolean", default: false },
  },
});
const P = Number(args.publishers);
const SECONDS = Number(args.seconds);
/** Clients join this far apart: dozens of simultaneous DTLS handshakes time out on a busy 2-core box. */
const STAGGER_MS = 300;

/** An SFU under test and how to read its process' CPU (seconds, user+system) and RSS (MB). */
interface Implementation {
  name: string;
  create(): Sfu;
  cpuSeconds(): number;
  rssMb(): number;
}

const embedded: Implementation = {
  name: "embedded (werift, in this process)",
  create: () => new WeriftSfu(),
  cpuSeconds: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
  rssMb: () => process.memoryUsage().rss / 2 ** 20,
};

/** Janus' own process: utime+stime from /proc/<pid>/stat (clock ticks of 1/100 s), VmRSS from status. */
function janusImplementation(url: string, pid: number): Implementation {
  return {
    name: "Janus VideoRoom (janus process)",
    create: () => new JanusSfu(url),
    cpuSeconds: () => {
      const fields = readProc(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readProc(`/proc/${pid}/status`, "utf8"))![1]) / 1024,
  };
}

interface Step {
  implementation: string;
  subscribers: number;
  streams: number;
  forwarded: number;
  cpu: number;
  rssMb: number;
  packetsPerSecond: number;
}

async function forwarding(impl: Implementation, subscribers: number): Promise<Step> {
  const sfu = impl.create();
  const callId = `bench-${subscribers}`;
  await sfu.open(callId);
  let onCounts: (c: Record<string, number[]>) => void = () => {};
  let ready: () => void = () => {};
  const readyP = new Promise<void>((r) => (ready = r));
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "sfu/clients.ts")], {
    stdio: ["ignore", "inherit", "inherit"],
    ipc(m: { type: string; from: string; signal: never; counts: Record<string, number[]> }) {
      if (m.type === "ready") ready();
      else if (m.type === "signal") void sfu.signal(callId, m.from, m.signal).catch((e) => console.error("signal", e));
      else if (m.type === "counts") onCounts(m.counts);
    },
  });
  sfu.on((e) => {
    if (e.type === "signal") child.send({ type: "signal", to: e.to, signal: e.signal });
    else if (e.type === "connection" && e.state === "failed") console.warn(`${e.participantId} ${e.link} link failed`);
  });
  const counts = () => new Promise<Record<string, number[]>>((r) => ((onCounts = r), child.send({ type: "counts" })));
  try {
    await readyP;
    for (let i = 0; i < subscribers; i++) {
      // The client exists before the SFU's first offer to it (Janus offers while join runs).
      const joined = sfu.join(callId, `s${i}`);
      child.send({ type: "add", id: `s${i}`, role: "subscriber" });
      await joined;
      await Bun.sleep(STAGGER_MS);
    }
    for (let i = 0; i < P; i++) {
      // The client exists before the SFU's first offer to it (Janus offers while join runs).
      const joined = sfu.join(callId, `p${i}`);
      child.send({ type: "add", id: `p${i}`, role: "publisher" });
      await joined;
      await Bun.sleep(STAGGER_MS);
    }
    // Publishers receive each other too, as in a call.
    const streams = P * subscribers + P * (P - 1);
    const flowing = (c: Record<string, number[]>, base?: Record<string, number[]>) =>
      Object.entries(c).reduce((n, [id, tracks]) => n + tracks.filter((v, i) => v > (base?.[id]?.[i] ?? 0)).length, 0);
    // Measure whatever flows after 30 s: a link that failed to connect shows as a stream not forwarded.
    const deadline = Date.now() + 30_000;
    while (flowing(await counts()) < streams && Date.now() < deadline) await Bun.sleep(500);
    await Bun.sleep(2000);
    const before = await counts();
    const cpu0 = impl.cpuSeconds();
    const t0 = performance.now();
    await Bun.sleep(SECONDS * 1000);
    const cpu = impl.cpuSeconds() - cpu0;
    const elapsed = (performance.now() - t0) / 1000;
    const after = await counts();
    const packets = Object.entries(after).reduce((n, [id, t]) => n + t.reduce((a, v, i) => a + v - (before[id]?.[i] ?? 0), 0), 0);
    return {
      implementation: impl.name,
      subscribers,
      streams,
      forwarded: flowing(after, before),
      cpu: (cpu / elapsed) * 100,
      rssMb: impl.rssMb(),
      packetsPerSecond: packets / elapsed,
    };
  } finally {
    child.kill();
    await child.exited;
    await sfu.close();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const loadAtStart = loadavg()[0]!;
const janus = janusAvailable("bench/sfu") ? await startJanus() : null;
const implementations = [embedded, ...(janus ? [janusImplementation(janus.url, janus.pid)] : [])];
const steps: Step[] = [];
for (const impl of implementations) {
  for (const s of args.subscribers.split(",").map(Number)) {
    const step = await forwarding(impl, s);
    console.log(step);
    steps.push(step);
  }
}
const late: { implementation: string; samples: number[] }[] = [];
for (const impl of implementations) {
  late.push({ implementation: impl.name, samples: await lateJoins(Number(args.late), impl.create) });
  console.log(late.at(-1));
}
await janus?.close();

const date = new Date().toISOString().slice(0, 16).replace("T", " ");
const report = `<!-- bench:sfu -->
## SFU (embedded werift and Janus VideoRoom)

\`bun bench/sfu.ts --publishers ${P} --subscribers ${args.subscribers} --seconds ${SECONDS} --late ${args.late}\` — ${date} UTC, on the shared 2-core dev machine (other work running; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end).

Forwarding: ${P} synthetic publishers (werift, separate process; VP8-shaped, ~500 kbit/s, 30 fps) to S subscribers (and to each other: P×S + P×(P−1) streams); CPU and RSS of the SFU's process over ${SECONDS} s (embedded: the Parley process, which also carries the signalling; Janus: the janus process, in a network namespace behind a veth pair, driven over its HTTP API by JanusSfu). Target: ≥ 60 forwarded video streams at ≤ 50 % of one core.

| SFU | subscribers | video streams forwarded | packets/s out | SFU CPU (% of one core) | RSS (MB) | µs CPU per packet |
|---|---:|---:|---:|---:|---:|---:|
${steps.map((s) => `| ${s.implementation} | ${s.subscribers} | ${s.forwarded} of ${s.streams} | ${s.packetsPerSecond.toFixed(0)} | ${s.cpu.toFixed(1)} | ${s.rssMb.toFixed(0)} | ${((s.cpu / 100) * 1e6 / s.packetsPerSecond).toFixed(1)} |`).join("\n")}

Late joiner (Chromium, loopback): join → first frame painted of each of 2 publishers (fake camera, simulcast); the joiners only subscribe (their subscribe link does not wait for their own publish). Target: p50 ≤ 1 s.

| SFU | samples | p50 ms | p95 ms |
|---|---:|---:|---:|
${late.map((l) => `| ${l.implementation} | ${l.samples.length} | ${pct(l.samples, 50).toFixed(0)} | ${pct(l.samples, 95).toFixed(0)} |`).join("\n")}

<!-- /bench:sfu -->`;
console.log(report);
if (!args["no-docs"]) {
  const path = join(import.meta.dir, "../docs/BENCHMARKS.md");
  const doc = readFileSync(path, "utf8");
  const re = /<!-- bench:sfu -->[\s\S]*<!-- \/bench:sfu -->/;
  writeFileSync(path, re.test(doc) ? doc.replace(re, report) : `${doc.trimEnd()}\n\n${report}\n`);
}
process.exit(0);
