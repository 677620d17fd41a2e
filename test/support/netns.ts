/**
 * A network namespace joined to this host by a veth pair (host 10.222.x.2, namespace
 * 10.222.x.1): what runs inside reaches this host's processes only through the pair, so a
 * qdisc on the host end shapes everything sent to it. Janus lives in one (it gathers no
 * candidates on loopback), and so does the Chromium of a subscriber on a weak link. Needs root
 * and iproute2.
 */
import { existsSync } from "node:fs";

export const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find(existsSync);
const TC = ["/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc"].find(existsSync);
const PREFIX = "parley-ns-";

/** Why namespaces cannot be made here, or null when they can. */
export function netnsMissing(): string | null {
  return !IP || !TC ? "ip and tc (apt-get install iproute2)" : process.getuid?.() !== 0 ? "root (to create a network namespace)" : null;
}

export interface Netns {
  name: string;
  /** This host's end of the pair, and the namespace's. */
  hostIp: string;
  nsIp: string;
  /** The host end's interface: its egress is what the namespace receives. */
  hostIf: string;
  /** argv that runs `argv` inside the namespace. */
  exec(argv: string[]): string[];
  /** Caps what the namespace receives at `kbit` kbit/s (a token bucket that drops past a short queue), or lifts the cap (null). */
  shape(kbit: number | null): Promise<void>;
  /** Removes the namespace and the pair; idempotent. */
  close(): Promise<void>;
}

async function run(...argv: string[]): Promise<void> {
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`${argv.join(" ")}: ${(await new Response(p.stderr).text()).trim()}`);
}

async function quiet(...argv: string[]): Promise<void> {
  await Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" }).exited;
}

/** Namespaces left by test processes that died before closing theirs. */
async function removeStale(): Promise<void> {
  const out = await new Response(Bun.spawn([IP!, "netns", "list"], { stdout: "pipe" }).stdout).text();
  for (const name of out.split("\n").map((l) => l.split(" ")[0]!)) {
    const pid = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length).split("-")[0]) : NaN;
    if (Number.isInteger(pid) && !existsSync(`/proc/${pid}`)) await quiet(IP!, "netns", "del", name);
  }
}

/**
 * Subnets this process has taken but may not have given an address yet: two createNetns at once
 * both read the host's addresses before either added its own, and so picked the same one.
 */
const claimed = new Set<number>();

/** A /30 of 10.222.0.0/16 no interface on this host uses yet, nor a createNetns here under way; the caller releases it. */
async function claimSubnet(): Promise<number> {
  const used = await new Response(Bun.spawn([IP!, "-o", "-4", "addr"], { stdout: "pipe" }).stdout).text();
  // No await from here to the claim: the check and the claim are one step.
  for (let n = process.pid % 16_384, tries = 0; tries < 16_384; n = (n + 1) % 16_384, tries++) {
    if (claimed.has(n) || used.includes(`10.222.${n >> 6}.${(n & 63) * 4 + 2}/`)) continue;
    claimed.add(n);
    return n;
  }
  throw new Error("no free 10.222.x.y/30 subnet for a network namespace");
}

export async function createNetns(): Promise<Netns> {
  const missing = netnsMissing();
  if (missing) throw new Error(`a network namespace needs ${missing}`);
  await removeStale();
  const name = `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const n = await claimSubnet();
  const [hostIp, nsIp] = [`10.222.${n >> 6}.${(n & 63) * 4 + 2}`, `10.222.${n >> 6}.${(n & 63) * 4 + 1}`];
  // Interface names are at most 15 characters.
  const [hostIf, nsIf] = [`pnh${n}`, `pnn${n}`];
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      await quiet(IP!, "netns", "del", name);
      await quiet(IP!, "link", "del", hostIf);
      claimed.delete(n);
    })());
  const inNs = (...args: string[]) => run(IP!, "netns", "exec", name, IP!, ...args);
  try {
    await run(IP!, "netns", "add", name);
    await run(IP!, "link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    await run(IP!, "link", "set", nsIf, "netns", name);
    await run(IP!, "addr", "add", `${hostIp}/30`, "dev", hostIf);
    await run(IP!, "link", "set", hostIf, "up");
    await inNs("addr", "add", `${nsIp}/30`, "dev", nsIf);
    await inNs("link", "set", nsIf, "up");
    await inNs("link", "set", "lo", "up");
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name,
    hostIp,
    nsIp,
    hostIf,
    exec: (argv) => [IP!, "netns", "exec", name, ...argv],
    shape: (kbit) => shapeEgress([], hostIf, kbit),
    close,
  };
}

/** Caps what leaves interface `dev` (in the namespace `inNs` enters) at `kbit` kbit/s, or lifts the cap (null). */
async function shapeEgress(inNs: string[], dev: string, kbit: number | null): Promise<void> {
  await quiet(...inNs, TC!, "qdisc", "del", "dev", dev, "root");
  // A queue of 50 ms past the bucket: a sender over the rate loses packets, as on a congested
  // access link, rather than queueing them for seconds.
  if (kbit !== null) await run(...inNs, TC!, "qdisc", "add", "dev", dev, "root", "tbf", "rate", `${kbit}kbit`, "burst", "6kb", "latency", "50ms");
}

export interface NetnsLink {
  /** Caps what `to` receives from `from` over the link, or lifts the cap (null). */
  shape(kbit: number | null): Promise<void>;
}

/**
 * A veth pair straight between two namespaces (`to` 10.223.0.1, `from` 10.223.0.2; nothing else
 * in either uses 10.223/16): each reaches the other without this host forwarding anything, so
 * a Chromium in one can reach a Janus in the other over a link whose rate alone is capped. The
 * pair goes with either namespace.
 */
export async function linkNetns(to: Netns, from: Netns): Promise<NetnsLink> {
  const tag = Math.random().toString(36).slice(2, 8);
  const [toIf, fromIf] = [`plt${tag}`, `plf${tag}`];
  await run(IP!, "link", "add", toIf, "type", "veth", "peer", "name", fromIf);
  for (const [ns, dev, ip] of [[to, toIf, "10.223.0.1"], [from, fromIf, "10.223.0.2"]] as const) {
    await run(IP!, "link", "set", dev, "netns", ns.name);
    await run(...ns.exec([IP!, "addr", "add", `${ip}/30`, "dev", dev]));
    await run(...ns.exec([IP!, "link", "set", dev, "up"]));
  }
  return { shape: (kbit) => shapeEgress(from.exec([]), fromIf, kbit) };
}
