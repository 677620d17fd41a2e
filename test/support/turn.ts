/**
 * A real coturn for relay tests: UDP on 127.0.0.1, TURN REST credentials (use-auth-secret),
 * loopback peers allowed (both browsers live on this machine). Without coturn the suites skip
 * and say so — except under CI=true, where a missing coturn is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const CANDIDATES = [process.env.TURNSERVER_PATH, "/usr/bin/turnserver", "/usr/local/bin/turnserver"];

export const turnPath = CANDIDATES.find((p): p is string => !!p && existsSync(p));

export function turnAvailable(suite: string): boolean {
  if (turnPath) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: coturn (turnserver) not found and CI=true`);
  console.warn(`${suite}: TURN tests skipped — coturn not found (install coturn or set TURNSERVER_PATH)`);
  return false;
}

export interface TurnServer {
  port: number;
  /** For the node's TURN_URLS. */
  url: string;
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1. */
async function freeUdpPort(): Promise<number> {
  const s = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
  const { port } = s;
  s.close();
  return port;
}

/** Resolves once the server answers a STUN Binding request on `port`. */
async function waitForStun(port: number, timeoutMs: number): Promise<void> {
  const txId = crypto.getRandomValues(new Uint8Array(12));
  const request = new Uint8Array(20);
  const view = new DataView(request.buffer);
  view.setUint16(0, 0x0001); // Binding request
  view.setUint16(2, 0); // no attributes
  view.setUint32(4, 0x2112a442); // magic cookie
  request.set(txId, 8);
  let answered = false;
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: {
      data(_s, data) {
        if (data.byteLength >= 20 && data[0] === 0x01 && data[1] === 0x01) answered = true;
      },
      // Port unreachable until coturn listens: expected, keep probing.
      error() {},
    },
  });
  try {
    const end = Date.now() + timeoutMs;
    while (!answered) {
      if (Date.now() > end) throw new Error(`coturn did not answer STUN on 127.0.0.1:${port} within ${timeoutMs} ms`);
      socket.send(request, port, "127.0.0.1");
      await Bun.sleep(100);
    }
  } finally {
    socket.close();
  }
}

/** `port` reuses a stopped server's port: a "restarted" coturn that knows none of the old allocations. */
export async function startTurn(secret: string, opts: { port?: number } = {}): Promise<TurnServer> {
  if (!turnPath) throw new Error("coturn not found");
  const dir = mkdtempSync(join(tmpdir(), "parley-turn-"));
  const port = opts.port ?? (await freeUdpPort());
  const relayMin = 40000 + Math.floor(Math.random() * 20000);
  const proc: Subprocess = Bun.spawn(
    [
      turnPath,
      "-n", // no config file: everything is on this line
      `--listening-port=${port}`,
      "--listening-ip=127.0.0.1",
      "--relay-ip=127.0.0.1",
      `--min-port=${relayMin}`,
      `--max-port=${relayMin + 200}`,
      "--use-auth-secret",
      `--static-auth-secret=${secret}`,
      "--realm=parley",
      "--fingerprint",
      "--no-tls",
      "--no-dtls",
      "--no-tcp-relay",
      "--no-cli",
      // Both browsers are on this machine, so relayed peers are loopback addresses.
      "--allow-loopback-peers",
      "--log-file=stdout",
      "--simple-log",
      `--pidfile=${join(dir, "turnserver.pid")}`,
      `--userdb=${join(dir, "turndb")}`,
    ],
    { stdout: process.env.TURN_LOG ? "inherit" : "ignore", stderr: process.env.TURN_LOG ? "inherit" : "ignore" },
  );
  const stop = async () => {
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Generous: on a loaded machine coturn can take several seconds to bind.
    await waitForStun(port, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, url: `turn:127.0.0.1:${port}?transport=udp`, stop };
}
