/**
 * A real Janus (Debian package `janus`) for the Janus SFU's suites and bench: only the HTTP
 * transport and the VideoRoom plugin, in a network namespace this process creates. Janus does
 * not gather ICE candidates on loopback, so it lives behind a veth pair (host 10.222.x.2,
 * Janus 10.222.x.1): traffic stays on this machine. Needs root and iproute2; without janus or
 * ip the suites skip and say so — except under CI=true, where that is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { JanusSession } from "../../src/server/sfu/janus-api";

const JANUS = ["/usr/bin/janus", "/usr/local/bin/janus"].find(existsSync);
const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find(existsSync);
const LIB = ["/usr/lib/x86_64-linux-gnu/janus", "/usr/lib/aarch64-linux-gnu/janus", "/usr/lib/janus", "/usr/local/lib/janus"].find(existsSync);
const PREFIX = "parley-janus-";
const PORT = 8088;

export function janusAvailable(suite: string): boolean {
  const missing = !JANUS || !LIB ? "janus (apt-get install janus)" : !IP ? "ip (apt-get install iproute2)" : process.getuid?.() !== 0 ? "root (to create a network namespace)" : null;
  if (!missing) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: ${missing} not available and CI=true`);
  console.warn(`${suite}: Janus tests skipped — needs ${missing}`);
  return false;
}

export interface JanusServer {
  /** For JANUS_URL. */
  url: string;
  /** The janus process id (its CPU in /proc/<pid>/stat). */
  pid: number;
  /** Ends janus and removes the namespace; idempotent. */
  close(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  const p = Bun.spawn([IP!, ...args], { stdout: "ignore", stderr: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`ip ${args.join(" ")}: ${(await new Response(p.stderr).text()).trim()}`);
}

async function ipQuiet(...args: string[]): Promise<void> {
  await Bun.spawn([IP!, ...args], { stdout: "ignore", stderr: "ignore" }).exited;
}

/** Namespaces left by test processes that died before closing theirs. */
async function removeStale(): Promise<void> {
  const out = await new Response(Bun.spawn([IP!, "netns", "list"], { stdout: "pipe" }).stdout).text();
  for (const name of out.split("\n").map((l) => l.split(" ")[0]!)) {
    const pid = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length).split("-")[0]) : NaN;
    if (Number.isInteger(pid) && !existsSync(`/proc/${pid}`)) await ipQuiet("netns", "del", name);
  }
}

/** A /30 of 10.222.0.0/16 no interface on this host uses yet. */
async function freeSubnet(): Promise<number> {
  const used = await new Response(Bun.spawn([IP!, "-o", "-4", "addr"], { stdout: "pipe" }).stdout).text();
  for (let n = process.pid % 16_384, tries = 0; tries < 16_384; n = (n + 1) % 16_384, tries++) {
    if (!used.includes(`10.222.${n >> 6}.${(n & 63) * 4 + 2}/`)) return n;
  }
  throw new Error("no free 10.222.x.y/30 subnet for Janus");
}

function writeConfig(dir: string): void {
  for (const [sub, lib] of [["plugins", "plugins/libjanus_videoroom.so"], ["transports", "transports/libjanus_http.so"]] as const) {
    mkdirSync(join(dir, sub));
    symlinkSync(join(LIB!, lib), join(dir, lib));
  }
  mkdirSync(join(dir, "none"));
  writeFileSync(
    join(dir, "janus.jcfg"),
    `general: { configs_folder = "${dir}", plugins_folder = "${dir}/plugins", transports_folder = "${dir}/transports", events_folder = "${dir}/none", loggers_folder = "${dir}/none", debug_level = 3 }
nat: { nice_debug = false, ice_ignore_list = "vmnet" }
media: { rtp_port_range = "20000-40000" }
`,
  );
  writeFileSync(join(dir, "janus.transport.http.jcfg"), `general: { json = "plain", base_path = "/janus", http = true, port = ${PORT}, https = false }\nadmin: { admin_http = false }\n`);
  writeFileSync(join(dir, "janus.plugin.videoroom.jcfg"), "general: { }\n");
}

export async function startJanus(): Promise<JanusServer> {
  await removeStale();
  const id = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const ns = `${PREFIX}${id}`;
  const n = await freeSubnet();
  const [hostIp, janusIp] = [`10.222.${n >> 6}.${(n & 63) * 4 + 2}`, `10.222.${n >> 6}.${(n & 63) * 4 + 1}`];
  // Interface names are at most 15 characters.
  const [hostIf, nsIf] = [`pjh${n}`, `pjn${n}`];
  const dir = mkdtempSync(join(tmpdir(), "parley-janus-"));
  let janus: Subprocess | null = null;
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      janus?.kill();
      await janus?.exited;
      await ipQuiet("netns", "del", ns);
      await ipQuiet("link", "del", hostIf);
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    writeConfig(dir);
    await ip("netns", "add", ns);
    await ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    await ip("link", "set", nsIf, "netns", ns);
    await ip("addr", "add", `${hostIp}/30`, "dev", hostIf);
    await ip("link", "set", hostIf, "up");
    await ip("netns", "exec", ns, IP!, "addr", "add", `${janusIp}/30`, "dev", nsIf);
    await ip("netns", "exec", ns, IP!, "link", "set", nsIf, "up");
    await ip("netns", "exec", ns, IP!, "link", "set", "lo", "up");
    let log = "";
    janus = Bun.spawn([IP!, "netns", "exec", ns, JANUS!, "-C", join(dir, "janus.jcfg"), "-F", dir, "-o"], { stdout: "pipe", stderr: "ignore" });
    void (async () => {
      const reader = (janus.stdout as ReadableStream<Uint8Array>).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) log = (log + new TextDecoder().decode(r.value)).slice(-4000);
    })();
    const url = `http://${janusIp}:${PORT}/janus`;
    const end = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/info`).then((r) => r.ok, () => false);
      if (ok) break;
      if (janus.exitCode !== null || Date.now() > end) throw new Error(`janus did not start (exit ${janus.exitCode}):\n${log}`);
      await Bun.sleep(100);
    }
    return { url, pid: janus.pid, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Janus' own list of its VideoRoom rooms: [description, participants in it], one per room. */
export async function janusRooms(url: string): Promise<[string, number][]> {
  const session = await JanusSession.create(url);
  try {
    const { data } = await session.message(await session.attach("janus.plugin.videoroom", () => {}), { request: "list" });
    return (data.list as { description: string; num_participants: number }[]).map((r) => [r.description, r.num_participants]);
  } finally {
    await session.destroy();
  }
}
