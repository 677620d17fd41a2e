/**
 * Upload benchmark: `bun bench/upload.ts [--runs 5] [--mb 25]`
 *
 * A node (SQLite, temp DATA_DIR) in this process on 127.0.0.1; a signed-in user POSTs a file of
 * random bytes (a new one each run, so no run finds its bytes stored) to /api/attachments over
 * loopback. Against it, in the same run and on the same disk: a raw `Bun.write` of the same bytes,
 * and a bare Bun.serve that streams the request body to a file (loopback + HTTP + disk, no
 * Parley). Reports the median and best of each, in MB/s. Prints markdown for docs/BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/server/config";
import { createParley } from "../src/server/server";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, mb: { type: "string", default: "25" } } });
const runs = Number(values.runs);
const bytes = Number(values.mb) * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "parley-bench-upload-"));

/** Random bytes: getRandomValues fills at most 64 KiB per call. */
function payload(): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(bytes, at + 65536)));
  return out;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const node = await createParley(loadConfig({ DATA_DIR: join(dir, "node"), LOG_LEVEL: "silent", PORT: "0", HOST: "127.0.0.1", WRITE_BURST: "1000", ATTACHMENT_QUOTA_BYTES: String(bytes * (runs + 2)) }));
const base = `http://127.0.0.1:${node.listen().port}`;
const reg = await fetch(`${base}/api/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.com", username: "bench_upload", password: "correct horse battery" }) });
const cookie = reg.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

const raw = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  async fetch(req) {
    const sink = Bun.file(join(dir, `raw-${crypto.randomUUID()}`)).writer();
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) sink.write(chunk);
    await sink.end();
    return new Response(null, { status: 201 });
  },
});

const results = { parley: [] as number[], rawServe: [] as number[], rawWrite: [] as number[] };
for (let i = 0; i < runs; i++) {
  const data = payload();
  results.rawWrite.push(await timed(() => Bun.write(join(dir, `write-${i}`), data)));
  results.rawServe.push(await timed(async () => (await fetch(`http://127.0.0.1:${raw.port}/`, { method: "POST", body: data })).arrayBuffer()));
  results.parley.push(
    await timed(async () => {
      const res = await fetch(`${base}/api/attachments?name=bench.bin`, { method: "POST", body: data, headers: { cookie } });
      if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    }),
  );
}
raw.stop(true);
await node.close();
rmSync(dir, { recursive: true, force: true });

const load = (await Bun.file("/proc/loadavg").text()).split(" ")[0];
console.log(`\`bun bench/upload.ts --runs ${runs} --mb ${values.mb}\` — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${load}\n`);
console.log("| path | median ms | median MB/s | best MB/s |\n|---|---:|---:|---:|");
for (const [name, xs] of [["raw Bun.write to disk", results.rawWrite], ["bare Bun.serve, body streamed to a file (loopback)", results.rawServe], ["POST /api/attachments (auth, stream + SHA-256 + sniff, commit, row)", results.parley]] as const) {
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${mbps(median(xs)).toFixed(0)} | ${mbps(Math.min(...xs)).toFixed(0)} |`);
}
