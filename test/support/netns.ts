/**
 * A network namespace joined to this host by a veth pair (host 10.224.x.2, namespace
 * 10.224.x.1): what runs inside reaches this host's processes only through the pair, so a
 * qdisc on the host end shapes everything sent to it. Janus lives in one (it gathers no
 * candidates on loopback), and so does the Chromium of a subscriber on a weak link. Needs root
 * and iproute2.
 *
 * Namespaces, interfaces and addresses belong to the whole host, and several test processes may
 * make them at once (a CI run beside a developer's, a bench beside a suite, containers sharing
 * the host's network). Each namespace is therefore numbered by a slot n, which a process owns
 * while it holds an exclusive flock on LOCKS/n.lock: its name, interfaces and /30 all derive from
 * n, so owning the lock is owning them, and the kernel lets the lock go when the owner dies,
 * however it dies, which is what tells a leftover from a namespace in use.
 */
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dlopen, FFIType } from "bun:ffi";

export const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find(existsSync);
const TC = ["/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc"].find(existsSync);
/** Not the temp dir: TMPDIR differs between processes, the namespaces do not; /run is emptied at boot with them. */
const LOCKS = "/run/lock/parley-netns";
const SLOTS = 16_384;
// Disjoint from the names and range of the scheme before slot locks (parley-ns-<pid>-…, pnh<n>,
// 10.222/16), so a process still on it neither clashes with these nor sweeps them.
const slotNames = (n: number) => ({
  name: `parley-netns-${n}`,
  hostIf: `pvh${n}`, // interface names are at most 15 characters
  nsIf: `pvn${n}`,
  hostIp: `10.224.${n >> 6}.${(n & 63) * 4 + 2}`,
  nsIp: `10.224.${n >> 6}.${(n & 63) * 4 + 1}`,
});

const LOCK_EX = 2;
const LOCK_NB = 4;
const libc = (() => {
  try {
    return dlopen("libc.so.6", { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
  } catch {
    return null;
  }
})();

/** Why namespaces cannot be made here, or null when they can. */
export function netnsMissing(): string | null {
  if (!IP || !TC) return "ip and tc (apt-get install iproute2)";
  if (!libc) return "Linux with glibc (flock through bun:ffi)";
  return process.getuid?.() !== 0 ? "root (to create a network namespace)" : null;
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

async function output(...argv: string[]): Promise<string> {
  return new Response(Bun.spawn(argv, { stdout: "pipe", stderr: "ignore" }).stdout).text();
}

/**
 * The lock of slot n, or null while another holder has it. Synchronous, so concurrent
 * createNetns in one process cannot take one slot twice (flock refuses a second open of the file in this process too);
 * the descriptor is close-on-exec, so Janus and Chromium never hold it.
 */
function lockSlot(n: number): number | null {
  const fd = openSync(`${LOCKS}/${n}.lock`, "a");
  if (libc!.symbols.flock(fd, LOCK_EX | LOCK_NB) === 0) return fd;
  closeSync(fd);
  return null;
}

/** Removes what slot n may have left behind: its namespace and, if it never moved into one, its pair. Only for a slot whose lock is held. */
async function clearSlot(n: number): Promise<void> {
  const { name, hostIf } = slotNames(n);
  await quiet(IP!, "netns", "del", name);
  await quiet(IP!, "link", "del", hostIf);
}

/**
 * Takes a free slot, first clearing leftovers of test processes that died without closing
 * theirs: any slot with a namespace or interface on this host whose lock nobody holds. A /30
 * another program on this host uses is passed over.
 */
async function claimSlot(): Promise<{ n: number; lock: number }> {
  mkdirSync(LOCKS, { recursive: true });
  const [netns, links, addrs] = await Promise.all([output(IP!, "netns", "list"), output(IP!, "-o", "link"), output(IP!, "-o", "-4", "addr")]);
  const present = new Set([...netns.matchAll(/^parley-netns-(\d+)\b/gm), ...links.matchAll(/\bpv[hn](\d+)[@:]/g)].map((m) => Number(m[1])));
  for (const n of present) {
    const lock = lockSlot(n);
    if (lock === null) continue;
    await clearSlot(n);
    closeSync(lock);
  }
  for (let n = 0; n < SLOTS; n++) {
    if (addrs.includes(` ${slotNames(n).hostIp}/`)) continue;
    const lock = lockSlot(n);
    if (lock === null) continue;
    await clearSlot(n); // in case an owner left it and died since the listing above
    return { n, lock };
  }
  throw new Error("no free slot (10.224.x.y/30) for a network namespace");
}

export async function createNetns(): Promise<Netns> {
  const missing = netnsMissing();
  if (missing) throw new Error(`a network namespace needs ${missing}`);
  const { n, lock } = await claimSlot();
  const { name, hostIf, nsIf, hostIp, nsIp } = slotNames(n);
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      await clearSlot(n);
      closeSync(lock);
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
