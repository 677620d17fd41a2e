/**
 * A real Janus (Debian package `janus`) for the Janus SFU's suites and bench: only the HTTP
 * transport and the VideoRoom plugin, in a network namespace this process creates. Janus does
 * not gather ICE candidates on loopback, so it lives behind a veth pair (support/netns.ts):
 * traffic stays on this machine. Needs root and iproute2; without janus or ip the suites skip
 * and say so — except under CI=true, where that is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { JanusSession } from "../../src/server/sfu/janus-api";
import { createNetns, netnsMissing, type Netns } from "./netns";

const JANUS = ["/usr/bin/janus", "/usr/local/bin/janus"].find(existsSync);
const LIB = ["/usr/lib/x86_64-linux-gnu/janus", "/usr/lib/aarch64-linux-gnu/janus", "/usr/lib/janus", "/usr/local/lib/janus"].find(existsSync);
const PORT = 8088;

export function janusAvailable(suite: string): boolean {
  const missing = !JANUS || !LIB ? "janus (apt-get install janus)" : netnsMissing();
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
  /** The namespace it runs in. */
  netns: Netns;
  /** Ends janus and removes the namespace; idempotent. */
  close(): Promise<void>;
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
  const ns = await createNetns();
  const dir = mkdtempSync(join(tmpdir(), "parley-janus-"));
  let janus: Subprocess | null = null;
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      janus?.kill();
      await janus?.exited;
      await ns.close();
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    writeConfig(dir);
    let log = "";
    janus = Bun.spawn(ns.exec([JANUS!, "-C", join(dir, "janus.jcfg"), "-F", dir, "-o"]), { stdout: "pipe", stderr: "ignore" });
    void (async () => {
      const reader = (janus.stdout as ReadableStream<Uint8Array>).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) log = (log + new TextDecoder().decode(r.value)).slice(-4000);
    })();
    const url = `http://${ns.nsIp}:${PORT}/janus`;
    const end = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/info`).then((r) => r.ok, () => false);
      if (ok) break;
      if (janus.exitCode !== null || Date.now() > end) throw new Error(`janus did not start (exit ${janus.exitCode}):\n${log}`);
      await Bun.sleep(100);
    }
    return { url, pid: janus.pid, netns: ns, close };
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
