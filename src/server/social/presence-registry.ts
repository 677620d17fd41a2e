/**
 * Where presence state lives: which connections each user has and the status they chose.
 * In memory for one node; in Redis when several nodes serve one deployment, so a user is
 * online while any connection on any node is.
 */
import { RedisLink } from "../bus/redis-link";
import type { PresenceStatus } from "../../shared/protocol";

export type Chosen = Exclude<PresenceStatus, "offline">;

export interface PresenceState {
  online: boolean;
  chosen: Chosen;
}

export interface PresenceRegistry {
  connect(userId: string, connectionId: string): Promise<void>;
  disconnect(userId: string, connectionId: string): Promise<void>;
  /** Marks a connection alive (heartbeat); entries not touched within the stale window lapse. */
  touch(userId: string, connectionId: string): Promise<void>;
  /** Applies only while the user has a connection; their next session starts "online". */
  setChosen(userId: string, status: Chosen): Promise<void>;
  states(userIds: string[]): Promise<Map<string, PresenceState>>;
  /** The states of those of these users who have a connection; the rest are offline (hello asks this of 200 friends per connect). */
  connected(userIds: string[]): Promise<Map<string, PresenceState>>;
  /** Rejects while the backing store (Redis) is out of reach; /readyz reports it. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const OFFLINE: PresenceState = { online: false, chosen: "online" };

export class MemoryPresenceRegistry implements PresenceRegistry {
  readonly #users = new Map<string, { connections: Set<string>; chosen: Chosen }>();

  async connect(userId: string, connectionId: string) {
    let u = this.#users.get(userId);
    if (!u) this.#users.set(userId, (u = { connections: new Set(), chosen: "online" }));
    u.connections.add(connectionId);
  }

  async disconnect(userId: string, connectionId: string) {
    const u = this.#users.get(userId);
    u?.connections.delete(connectionId);
    if (u?.connections.size === 0) this.#users.delete(userId);
  }

  async touch() {
    // Local sockets are reaped by the gateway itself; nothing can go stale here.
  }

  async setChosen(userId: string, status: Chosen) {
    const u = this.#users.get(userId);
    if (u) u.chosen = status;
  }

  async states(userIds: string[]) {
    const out = new Map<string, PresenceState>();
    for (const id of userIds) {
      const u = this.#users.get(id);
      out.set(id, u ? { online: u.connections.size > 0, chosen: u.chosen } : OFFLINE);
    }
    return out;
  }

  async connected(userIds: string[]) {
    const out = new Map<string, PresenceState>();
    for (const id of userIds) {
      const u = this.#users.get(id);
      if (u) out.set(id, { online: true, chosen: u.chosen });
    }
    return out;
  }

  async ping() {}

  async close() {}
}

/**
 * Per user a sorted set of connection ids scored by last heartbeat, and a status key.
 * A node that dies without cleaning up stops touching its entries, which then lapse.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  private constructor(
    private readonly redis: RedisLink,
    private readonly prefix: string,
    private readonly staleMs: number,
    private readonly clock: () => number,
  ) {}

  static async connect(url: string, prefix: string, staleMs: number, clock: () => number = Date.now) {
    const redis = await RedisLink.connect(url);
    return new RedisPresenceRegistry(redis, prefix, staleMs, clock);
  }

  #conns = (u: string) => `${this.prefix}:conn:${u}`;
  #status = (u: string) => `${this.prefix}:status:${u}`;

  async connect(userId: string, connectionId: string) {
    await this.redis.send("ZADD", [this.#conns(userId), String(this.clock()), connectionId]);
    await this.redis.send("PEXPIRE", [this.#conns(userId), String(this.staleMs * 4)]);
  }

  async disconnect(userId: string, connectionId: string) {
    await this.redis.send("ZREM", [this.#conns(userId), connectionId]);
    if (Number(await this.redis.send("ZCARD", [this.#conns(userId)])) === 0) await this.redis.send("DEL", [this.#status(userId)]);
  }

  async touch(userId: string, connectionId: string) {
    await this.connect(userId, connectionId);
    await this.redis.send("PEXPIRE", [this.#status(userId), String(this.staleMs * 4)]);
  }

  async setChosen(userId: string, status: Chosen) {
    await this.redis.send("SET", [this.#status(userId), status, "PX", String(this.staleMs * 4)]);
  }

  async states(userIds: string[]) {
    const cutoff = String(this.clock() - this.staleMs);
    const out = new Map<string, PresenceState>();
    await Promise.all(
      userIds.map(async (id) => {
        const [count, chosen] = await Promise.all([
          this.redis.send("ZCOUNT", [this.#conns(id), cutoff, "+inf"]),
          this.redis.send("GET", [this.#status(id)]),
        ]);
        out.set(id, { online: Number(count) > 0, chosen: (chosen as Chosen | null) ?? "online" });
      }),
    );
    return out;
  }

  async connected(userIds: string[]) {
    const out = await this.states(userIds);
    for (const [id, s] of out) if (!s.online) out.delete(id);
    return out;
  }

  async ping() {
    await this.redis.ping();
  }

  async close() {
    this.redis.close();
  }
}
