import type { Bus, BusEvent, BusHandler } from "./bus";
import { MAX_BACKOFF_MS, RedisLink } from "./redis-link";
import { decode, encode } from "./wire";

/**
 * Redis pub/sub: every node publishes to one channel and hears every event, its own included.
 * The subscriber needs its own connection (a subscribed client can run no other commands).
 * Both reconnect by themselves after a Redis restart (redis-link.ts); events published while
 * Redis is down are dropped. Sockets stay open through that, so nothing would tell their clients
 * to catch up: `onResume` runs once the subscription is back, and the node then has its clients
 * reconnect, which makes them `sync` (server.ts). It runs RESUME_SETTLE_MS later: other nodes'
 * publishers come back on their own backoff, up to MAX_BACKOFF_MS after ours, and what they
 * drop until then must be stored before our clients catch up, or it would reach nobody.
 */
export const RESUME_SETTLE_MS = MAX_BACKOFF_MS + 1000;

export class RedisBus implements Bus {
  readonly #handlers = new Set<BusHandler>();
  #closed = false;
  #resume: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly pub: RedisLink,
    private readonly sub: RedisLink,
    private readonly channel: string,
    private readonly onDrop: (err: unknown) => void,
  ) {}

  static async connect(url: string, channel = "parley:bus", onDrop: (err: unknown) => void = () => {}, onResume: () => void = () => {}): Promise<RedisBus> {
    const resumed = (up: boolean) => {
      clearTimeout(bus.#resume);
      if (up) bus.#resume = setTimeout(onResume, RESUME_SETTLE_MS);
    };
    const bus: RedisBus = new RedisBus(await RedisLink.connect(url), await RedisLink.connect(url, resumed), channel, onDrop);
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
    // A write already committed must not fail because its announcement could not go out.
    await this.pub.publish(this.channel, encode(event)).catch(this.onDrop);
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
    clearTimeout(this.#resume);
    this.#handlers.clear();
    this.sub.close();
    this.pub.close();
  }
}
