/**
 * A node's heartbeat, on a thread of its own (redis-membership.ts starts it). On the main thread
 * the renewal of the node's key waited behind whatever the event loop was doing, and an
 * embedded SFU under load (werift's packet and crypto work) held it up past NODE_DEAD_MS: live
 * nodes were declared dead. Here it renews on time however busy the main thread is, while the
 * main thread shows it is alive: past `hungMs` without a word from it, the heartbeat stops and
 * the node is declared dead as a dead process would be. It talks to Redis over a connection of
 * its own and reports each outcome to the main thread, which acts on it (HeartbeatReport).
 */
import { RedisLink } from "../bus/redis-link";

declare const self: Worker;

/** The main thread to the worker. */
export type HeartbeatCommand =
  | { type: "start"; url: string; heartbeatMs: number; deadMs: number; hungMs: number }
  /** Who to beat as: sent at start and again after an eviction (a new id). */
  | { type: "as"; id: string; info: string; keys: [node: string, list: string, tombstone: string] }
  /** The main thread is alive. */
  | { type: "alive" }
  | { type: "stop" };

/** The worker to the main thread: what one heartbeat found. */
export type HeartbeatReport =
  /** Renewed; `fresh` when the key had lapsed (Redis restarted, or a beat came late) and was written anew. */
  | { type: "beat"; fresh: boolean }
  /** A survivor already cleaned up after this id: beating stops until a new one is given. */
  | { type: "evicted" }
  | { type: "error"; error: string }
  | { type: "stopped" };

// KEYS: node, node list, tombstone. ARGV: info json, dead ms, id, now.
const HEARTBEAT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 'evicted' end
local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
if had == 1 then return 'ok' end
return 'new'`;

let link: RedisLink | undefined;
let timings = { heartbeatMs: 1000, deadMs: 5000, hungMs: 30_000 };
let as: Extract<HeartbeatCommand, { type: "as" }> | undefined;
let aliveAt = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
let beating: Promise<void> | undefined;

const report = (r: HeartbeatReport) => self.postMessage(r);

async function beat(): Promise<void> {
  // The main thread hung: let the key lapse, as a dead process's would.
  if (!link || !as || Date.now() - aliveAt > timings.hungMs) return;
  const current = as;
  try {
    const state = await link.send("EVAL", [HEARTBEAT, "3", ...current.keys, current.info, String(timings.deadMs), current.id, String(Date.now())]);
    if (as !== current) return;
    if (state === "evicted") {
      as = undefined;
      return report({ type: "evicted" });
    }
    report({ type: "beat", fresh: state === "new" });
  } catch (err) {
    report({ type: "error", error: String(err) });
  }
}

/** One beat at a time: a slow Redis must not pile them up. */
function tick(): Promise<void> {
  beating ??= beat().finally(() => (beating = undefined));
  return beating;
}

self.onmessage = async (event: MessageEvent<HeartbeatCommand>) => {
  const cmd = event.data;
  aliveAt = Date.now();
  if (cmd.type === "start") {
    timings = cmd;
    // The main thread's link is up, so Redis was a moment ago: keep trying (it may be restarting).
    while (!link) {
      try {
        link = await RedisLink.connect(cmd.url);
      } catch (err) {
        report({ type: "error", error: String(err) });
        await Bun.sleep(cmd.heartbeatMs);
      }
    }
    timer = setInterval(() => void tick(), cmd.heartbeatMs);
    if (as) void tick();
  } else if (cmd.type === "as") {
    as = cmd;
    await beating;
    void tick();
  } else if (cmd.type === "stop") {
    clearInterval(timer);
    as = undefined;
    await beating;
    link?.close();
    report({ type: "stopped" });
  }
};
