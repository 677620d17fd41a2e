/**
 * Membership in Redis. Per node: a key holding its NodeInfo that lives `deadMs` unless renewed
 * (the heartbeat, every `heartbeatMs`, on a thread of its own: heartbeat-worker.ts), and a set of the sockets it holds; a sorted set lists
 * every node that registered. Each heartbeat also looks for listed nodes whose key lapsed: a
 * survivor claims a dead node (one script: exactly one cleans up), takes its socket set in the
 * same step and drops the node from the list once done. A claimer that fails mid-cleanup tries
 * again on its next heartbeat; one that dies leaves the node listed, and its claim dies with it,
 * so another survivor takes over. Cleanup is idempotent: the same socket closed twice is a no-op.
 * A tombstone outlives the claim, so a node declared dead while merely paused learns it was
 * (evicted) instead of going on with sockets whose presence and calls were already cleaned up.
 * A node also notes, per conversation, when it last began a send there (kept a minute), so the
 * survivor can announce again what it may have committed but not yet announced.
 */
import { newId } from "../../shared/ids";
import { RedisLink } from "../bus/redis-link";
import type { HeartbeatCommand, HeartbeatReport } from "./heartbeat-worker";
import { SEND_RECORDED_EVERY_MS, type Membership, type MembershipEvents, type NodeInfo, type NodeSocket } from "./membership";

export interface MembershipTimings {
  heartbeatMs: number;
  /** A node that has not heartbeaten for this long is dead. */
  deadMs: number;
  /** A node whose main thread has not run for this long stops heartbeating (hungAfter() when left out). */
  hungMs?: number;
}

/**
 * How long the main thread may go without running before the heartbeat stops: far longer than
 * the werift stalls that once got live nodes declared dead, short enough that a hung process
 * does not hold its users' presence and calls for long.
 */
export function hungAfter(deadMs: number): number {
  return Math.max(30_000, 6 * deadMs);
}

/** How long close() waits for the heartbeat thread to stop before ending it. */
const STOP_WAIT_MS = 2000;

// KEYS: sockets. ARGV: every socket. Rewrites the whole set (after a Redis restart lost it, or a write failed).
const REWRITE = `
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 1000 do redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
return 1`;

// KEYS: node, claim, tombstone, sockets, taken sockets, sends, taken sends, node list. ARGV: claimer, tombstone ms, node key prefix, id.
// Claimed unless the node is alive, already cleaned up after (no longer listed), or another live
// node holds the claim (a dead holder's lapses with it).
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 or not redis.call('ZSCORE', KEYS[8], ARGV[4]) then return false end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. holder) == 1 then return false end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('SUNIONSTORE', KEYS[5], KEYS[5], KEYS[4])
redis.call('ZUNIONSTORE', KEYS[7], 2, KEYS[7], KEYS[6], 'AGGREGATE', 'MAX')
redis.call('DEL', KEYS[4], KEYS[6])
return {redis.call('SMEMBERS', KEYS[5]), redis.call('ZRANGE', KEYS[7], 0, -1, 'WITHSCORES')}`;

// KEYS: taken sockets, node list, claim, taken sends. ARGV: dead node id.
const DONE = `
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

/** How long a paused node can still learn it was declared dead. */
const TOMBSTONE_MS = 3600_000;
/** Sends older than this are long announced (or failed): a node's record of them is trimmed. */
const SENDS_KEPT_MS = 60_000;

export class RedisMembership implements Membership {
  readonly self: NodeInfo;
  /** connection id → its member string in the socket set. */
  readonly #sockets = new Map<string, string>();
  /** A socket write failed (Redis down): the whole set is written again on the next heartbeat. */
  #dirty = false;
  /** When each conversation's send was last recorded in Redis (see SEND_RECORDED_EVERY_MS). */
  readonly #recorded = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #worker: Worker | undefined;
  /** Resolved by the heartbeat thread's next report (start) or its stop. */
  #reported: (() => void) | undefined;
  #stopped: (() => void) | undefined;
  #events: MembershipEvents | undefined;
  #ticking = false;
  /** Dead nodes this node is cleaning up after. */
  readonly #cleaning = new Set<string>();
  #closed = false;

  private constructor(
    private readonly url: string,
    private readonly redis: RedisLink,
    private readonly prefix: string,
    private readonly timings: MembershipTimings,
    self: Omit<NodeInfo, "address">,
    private readonly onError: (err: unknown) => void,
  ) {
    this.self = { ...self, address: "" };
  }

  static async connect(url: string, prefix: string, timings: MembershipTimings, self: Omit<NodeInfo, "address">, onError: (err: unknown) => void = () => {}): Promise<RedisMembership> {
    return new RedisMembership(url, await RedisLink.connect(url), prefix, timings, self, onError);
  }

  #node = (id: string) => `${this.prefix}:node:${id}`;
  #list = () => `${this.prefix}:nodes`;
  #tomb = (id: string) => `${this.prefix}:dead:${id}`;
  #claim = (id: string) => `${this.prefix}:claim:${id}`;
  #socketsOf = (id: string) => `${this.prefix}:sockets:${id}`;
  #taken = (id: string) => `${this.prefix}:taken:${id}`;
  #sends = (id: string) => `${this.prefix}:sends:${id}`;
  #takenSends = (id: string) => `${this.prefix}:taken-sends:${id}`;

  #eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.redis.send("EVAL", [script, String(keys.length), ...keys, ...args.map(String)]);
  }

  async start(address: string, events: MembershipEvents): Promise<void> {
    this.self.address = address;
    this.#events = events;
    const worker = new Worker(new URL("./heartbeat-worker.ts", import.meta.url).href);
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<HeartbeatReport>) => this.#heard(event.data);
    const registered = new Promise<void>((resolve) => (this.#reported = resolve));
    const { heartbeatMs, deadMs } = this.timings;
    this.#command({ type: "start", url: this.url, heartbeatMs, deadMs, hungMs: this.timings.hungMs ?? hungAfter(deadMs) });
    this.#beatAs();
    await registered;
    await this.#tick();
    this.#timer = setInterval(() => {
      // Before the tick's guard: a slow Redis holding a tick up is no hung thread.
      this.#command({ type: "alive" });
      void this.#tick();
    }, heartbeatMs);
  }

  #command(cmd: HeartbeatCommand): void {
    this.#worker?.postMessage(cmd);
  }

  #beatAs(): void {
    const id = this.self.id;
    this.#command({ type: "as", id, info: JSON.stringify(this.self), keys: [this.#node(id), this.#list(), this.#tomb(id)] });
  }

  #heard(report: HeartbeatReport): void {
    this.#reported?.();
    this.#reported = undefined;
    if (report.type === "stopped") return this.#stopped?.();
    if (report.type === "error") return this.onError(new Error(report.error));
    if (report.type === "evicted") return this.#evicted();
    // Written anew (Redis restarted, or the key lapsed with nobody claiming it yet): so is the socket set.
    if (report.fresh && !this.#closed) {
      this.#dirty = true;
      void this.#tick();
    }
  }

  /** Its sockets were handed to a survivor: start over under a new id, with none. */
  #evicted(): void {
    if (this.#closed) return;
    this.self.id = newId();
    this.#sockets.clear();
    this.#recorded.clear();
    this.#dirty = false;
    this.#events?.evicted();
    this.#beatAs();
  }

  opened(socket: NodeSocket): void {
    const member = JSON.stringify([socket.userId, socket.connectionId, socket.guest]);
    this.#sockets.set(socket.connectionId, member);
    this.redis.send("SADD", [this.#socketsOf(this.self.id), member]).catch(() => (this.#dirty = true));
  }

  closed(connectionId: string): void {
    const member = this.#sockets.get(connectionId);
    if (member === undefined) return;
    this.#sockets.delete(connectionId);
    this.redis.send("SREM", [this.#socketsOf(this.self.id), member]).catch(() => (this.#dirty = true));
  }

  sending(conversationId: string): void {
    const now = Date.now();
    if (now - (this.#recorded.get(conversationId) ?? -Infinity) < SEND_RECORDED_EVERY_MS) return;
    this.#recorded.set(conversationId, now);
    // Not awaited: the command is written before the send's insert is, so it reaches Redis first.
    this.redis.send("ZADD", [this.#sends(this.self.id), String(now), conversationId]).catch(() => this.#recorded.delete(conversationId));
  }

  async nodes(): Promise<NodeInfo[]> {
    const ids = (await this.redis.send("ZRANGE", [this.#list(), "0", "-1"])) as string[];
    if (ids.length === 0) return [];
    const infos = (await this.redis.send("MGET", ids.map(this.#node))) as (string | null)[];
    return infos.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as NodeInfo);
  }

  /** Upkeep of this node's records, then a look for dead nodes; never two at once (a slow Redis must not pile them up). */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      await this.#upkeep();
      await this.#sweep();
    } catch (err) {
      // Redis out of reach: the next tick tries again, and the socket set is rewritten then.
      this.#dirty = true;
      this.onError(err);
    } finally {
      this.#ticking = false;
    }
  }

  async #upkeep(): Promise<void> {
    const id = this.self.id;
    if (this.#dirty) {
      this.#dirty = false;
      await this.#eval(REWRITE, [this.#socketsOf(id)], [...this.#sockets.values()]);
    }
    await this.redis.send("ZREMRANGEBYSCORE", [this.#sends(id), "-inf", String(Date.now() - SENDS_KEPT_MS)]);
    const stale = Date.now() - SEND_RECORDED_EVERY_MS;
    for (const [conversationId, at] of this.#recorded) if (at < stale) this.#recorded.delete(conversationId);
  }

  async #sweep(): Promise<void> {
    const ids = ((await this.redis.send("ZRANGE", [this.#list(), "0", "-1"])) as string[]).filter((id) => id !== this.self.id);
    if (ids.length === 0) return;
    const alive = (await this.redis.send("MGET", ids.map(this.#node))) as (string | null)[];
    for (const [i, id] of ids.entries()) {
      // Cleaning up may take long (many sockets): it must not hold up this node's own heartbeat.
      if (alive[i] !== null || this.#cleaning.has(id)) continue;
      this.#cleaning.add(id);
      void this.#cleanUp(id)
        .catch(this.onError)
        .finally(() => this.#cleaning.delete(id));
    }
  }

  async #cleanUp(id: string): Promise<void> {
    const keys = [this.#node(id), this.#claim(id), this.#tomb(id), this.#socketsOf(id), this.#taken(id), this.#sends(id), this.#takenSends(id), this.#list()];
    const claimed = (await this.#eval(CLAIM, keys, [this.self.id, TOMBSTONE_MS, this.#node(""), id])) as [string[], string[]] | null;
    if (claimed === null) return;
    const [members, scored] = claimed;
    const sockets = members.map((m) => {
      const [userId, connectionId, guest] = JSON.parse(m) as [string, string, boolean];
      return { userId, connectionId, guest };
    });
    const sends = [];
    for (let i = 0; i < scored.length; i += 2) sends.push({ conversationId: scored[i]!, at: Number(scored[i + 1]) });
    await this.#events?.lost({ id, sockets, sends });
    await this.#eval(DONE, [this.#taken(id), this.#list(), this.#claim(id), this.#takenSends(id)], [id]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#worker) {
      // Stopped before the key goes, so no beat in flight writes it again.
      const stopped = new Promise<void>((resolve) => (this.#stopped = resolve));
      this.#command({ type: "stop" });
      await Promise.race([stopped, Bun.sleep(STOP_WAIT_MS)]);
      this.#worker.terminate();
    }
    const id = this.self.id;
    await this.redis.send("DEL", [this.#node(id), this.#socketsOf(id), this.#sends(id)]).catch(() => {});
    await this.redis.send("ZREM", [this.#list(), id]).catch(() => {});
    this.redis.close();
  }
}
