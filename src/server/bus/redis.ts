import type { Bus, BusEvent, BusHandler } from "./bus";
import { RedisLink } from "./redis-link";
import { decode, encode } from "./wire";

/**
 * Redis pub/sub: every node publishes to one channel and hears every event, its own included.
 * The subscriber needs its own connection (a subscribed client can run no other commands).
 * Both reconnect by themselves after a Redis restart (redis-link.ts); events published while
 * Redis is down are dropped. Sockets stay open through that, so nothing would tell their clients
 * to catch up: `onResume` runs once the subscription is back, and the node then has its clients
 * reconnect, which makes them `sync` (server.ts). Other nodes' clients may not have lost Redis
 * at all (only this node did), or may have caught up before this node's publisher was back: the
 * messages it could not announce are kept and announced once it is (clients ignore ones they hold),
 * and newer messages wait behind them until they are out.
 */
/**
 * Bounds what an outage keeps in memory (a few MB). Past it the newer are not kept: clients catch
 * up from the newest message they hold, so announcing newer ones past a gap would hide the gap.
 */
const MAX_UNSENT = 10_000;

/**
 * Messages, reactions, threads and read marks: stored state whose announcement may come late
 * (clients merge by id). Not what is only true for a moment (typing, presence, calls, SFU
 * signals), nor subscription changes, which a later one may already have overtaken.
 */
function replayable(e: BusEvent): boolean {
  return e.type === "deliver" && /^(message|reaction|thread|read):/.test(e.event.type);
}

/** Redis answered with an error reply (e.g. NOPERM): the same event would be refused again. */
function refused(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "ERR_REDIS_SERVER_ERROR";
}

export class RedisBus implements Bus {
  readonly #handlers = new Set<BusHandler>();
  #closed = false;
  /** Encoded message events that could not go out, oldest first, for when the publisher is back. */
  readonly #unsent: string[] = [];
  #announcing = false;
  /** The publisher came back while an announcement was still failing: go again once it stops. */
  #announceAgain = false;

  private constructor(
    private readonly pub: RedisLink,
    private readonly sub: RedisLink,
    private readonly channel: string,
    private readonly onDrop: (err: unknown) => void,
  ) {}

  static async connect(url: string, channel = "parley:bus", onDrop: (err: unknown) => void = () => {}, onResume: () => void = () => {}): Promise<RedisBus> {
    const bus: RedisBus = new RedisBus(await RedisLink.connect(url, (up) => up && bus.#announceUnsent()), await RedisLink.connect(url, (up) => up && onResume()), channel, onDrop);
    await bus.sub.subscribe(channel, (message) => bus.#dispatch(message));
    return bus;
  }

  #dispatch(message: string): void {
    const event = decode(message);
    if (!event) return;
    for (const h of this.#handlers) h(event);
  }

  async publish(event: BusEvent): Promise<void> {
    if (this.#closed) return;
    const text = encode(event);
    if (replayable(event) && this.#unsent.length > 0) {
      // Published now it would reach the others ahead of the older ones still waiting.
      if (!this.#keep(text)) this.onDrop(new Error("Redis bus: unsent queue full"));
      if (this.pub.up && !this.#announcing) void this.#announceUnsent();
      return;
    }
    // A write already committed must not fail because its announcement could not go out.
    await this.pub.publish(this.channel, text).catch((err) => {
      if (replayable(event) && !refused(err)) this.#keep(text);
      this.onDrop(err);
    });
  }

  #keep(text: string): boolean {
    if (this.#unsent.length >= MAX_UNSENT) return false;
    this.#unsent.push(text);
    return true;
  }

  /**
   * Each event leaves the queue only once published, so if the publisher fails again midway the
   * rest stay at its front, ahead of what failed since, for the next time it is back. One Redis
   * refuses outright would be refused again each time and hold up the rest behind it: it is dropped.
   */
  async #announceUnsent(): Promise<void> {
    if (this.#announcing) {
      this.#announceAgain = true;
      return;
    }
    this.#announcing = true;
    let done = 0;
    try {
      while (done < this.#unsent.length && !this.#closed) {
        try {
          await this.pub.publish(this.channel, this.#unsent[done]!);
        } catch (err) {
          this.onDrop(err);
          if (!refused(err)) break;
        }
        done++;
      }
    } finally {
      // Only this loop takes from the front; publish() only appends.
      this.#unsent.splice(0, done);
      this.#announcing = false;
    }
    if (this.#announceAgain) {
      this.#announceAgain = false;
      if (this.pub.up) await this.#announceUnsent();
    }
  }

  subscribe(handler: BusHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async ping(): Promise<void> {
    await this.pub.ping();
    if (!this.sub.up) throw new Error("Redis subscriber is reconnecting");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.sub.close();
    this.pub.close();
  }
}
