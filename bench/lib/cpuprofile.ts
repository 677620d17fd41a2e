/**
 * Summarises a V8/JSC `.cpuprofile` (as written by `bun --cpu-prof`) by *busy* time:
 * `bun bench/lib/cpuprofile.ts <file.cpuprofile> [--top 40] [--focus substring] [--after substring]`.
 *
 * Each sample is weighted by its time delta capped at a few sampling intervals, so the idle gaps
 * between bench phases (one sample followed by seconds of nothing) do not land on whatever
 * function happened to be on the stack — the Markdown profile Bun writes does attribute them.
 * Prints self time by function, inclusive time by function (each frame counted once per stack),
 * and inclusive time by layer (what the stack passes through), as % of busy time.
 * With --focus, only samples whose stack contains a frame matching the substring are counted;
 * with --after, only samples after the last one whose stack does (e.g. `--after hono` skips a
 * bench's setup over REST and keeps its WebSocket loop).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { relative } from "node:path";
import { ROOT } from "./harness";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers, matched against `function file:line` of every frame on the stack, first match wins per frame. */
const LAYERS: Array<[string, RegExp]> = [
  ["SQLite step (bun:sqlite run/all/get, native)", /^(run|all|get|values) \[native|bun:sqlite/],
  ["Kysely: build + compile queries", /kysely\/dist\/esm\/(query-builder|query-compiler|parser|operation-node|expression|dynamic|util)/],
  ["Kysely: driver, connection mutex, executor", /kysely\/dist\/esm\/(driver|dialect|query-executor|kysely\.js)/],
  ["zod (frame/body validation)", /node_modules\/zod\//],
  ["hono (HTTP routing, middleware)", /node_modules\/hono\//],
  ["store/chat.ts insertMessage", /src\/server\/store\/chat\.ts:(1[6-9]\d|20\d|21\d)/],
  ["requireMember (conversation + isMember)", /requireMember/],
  ["readOnly (blockedBetween)", /readOnly|blockedBetween/],
  ["bus publish (structuredClone)", /bus\/local\.ts|structuredClone/],
  ["gateway #onFrame", /#onFrame/],
  ["gateway #onBus (server.publish)", /#onBus/],
  ["JSON.parse / JSON.stringify", /^(parse|stringify) \[native/],
  ["GC", /\(garbage collector\)|^gc /i],
];

export function summarise(file: string, opts: { top?: number; focus?: string; after?: string } = {}): string {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map<number, Node>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: Node) => {
    const f = n.callFrame;
    const path = f.url.replace(/^file:\/\//, "");
    const url = path ? (path.startsWith("/") ? relative(ROOT, path) : path) : "native";
    return `${f.functionName || "(anonymous)"} ${url === "native" ? "[native]" : `${url}:${f.lineNumber + 1}`}`;
  };

  // Sampling interval: the median delta; weights capped at 4 intervals.
  const sortedDeltas = [...p.timeDeltas].filter((d) => d > 0).sort((a, b) => a - b);
  const interval = sortedDeltas[Math.floor(sortedDeltas.length / 2)] ?? 1000;
  const cap = interval * 4;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const layer = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const stackOf = (id: number | undefined) => {
    const stack: string[] = [];
    for (; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (n.callFrame.functionName !== "(root)") stack.push(label(n));
    }
    return stack;
  };
  let start = 0;
  if (opts.after) for (let i = 0; i < p.samples.length; i++) if (stackOf(p.samples[i]).some((s) => s.includes(opts.after!))) start = i + 1;
  for (let i = start; i < p.samples.length; i++) {
    const w = Math.min(p.timeDeltas[i + 1] ?? interval, cap);
    const name = byId.get(p.samples[i]!)!.callFrame.functionName;
    if (name === "(idle)" || name === "(program)" || name === "(root)") {
      idle += w;
      continue;
    }
    const stack = stackOf(p.samples[i]);
    if (opts.focus && !stack.some((s) => s.includes(opts.focus!))) continue;
    busy += w;
    self.set(stack[0]!, (self.get(stack[0]!) ?? 0) + w);
    for (const s of new Set(stack)) incl.set(s, (incl.get(s) ?? 0) + w);
    const hit = new Set<string>();
    for (const s of stack) for (const [name, re] of LAYERS) if (re.test(s)) hit.add(name);
    for (const h of hit) layer.set(h, (layer.get(h) ?? 0) + w);
  }
  const top = opts.top ?? 40;
  const pc = (x: number) => ((x / busy) * 100).toFixed(1).padStart(5) + " %";
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${pc(v)}  ${k}`)
      .join("\n");
  return [
    `${file}: busy ${(busy / 1e6).toFixed(2)} s (sampling interval ${(interval / 1000).toFixed(2)} ms; idle samples ${(idle / 1e6).toFixed(2)} s)${opts.focus ? `, only stacks through "${opts.focus}"` : ""}${opts.after ? `, after the last stack through "${opts.after}"` : ""}`,
    "",
    "By layer (inclusive; a sample can be in several):",
    rows(layer, LAYERS.length),
    "",
    `Self, top ${top}:`,
    rows(self, top),
    "",
    `Inclusive, top ${top}:`,
    rows(incl, top),
  ].join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Bun.argv.slice(2),
    options: { top: { type: "string", default: "40" }, focus: { type: "string" }, after: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    console.error("usage: bun bench/lib/cpuprofile.ts <file.cpuprofile> [--top 40] [--focus substring] [--after substring]");
    process.exit(2);
  }
  for (const f of positionals) console.log(summarise(f, { top: Number(values.top), focus: values.focus, after: values.after }) + "\n");
}
