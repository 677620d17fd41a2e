import type { Bus, BusEvent, BusHandler } from "./bus";
import { RedisLink } from "./redis-link";
import { decode, encode } from "./wire";

/**
 * Redis pub/sub: every node publishes to one channel and hears every event, its own included.
 * The subscriber needs its own connection (a subscribed client can run no other commands).
 * Both reconnect by themselves after a Redis restart (redis-link.ts); events published while
 * Redis is down are dropped. Sockets stay open through that, so nothing would tell their clients
 * to catch up: `onResume` runs once the subscription is back, and the node then has its clients
 * reconnect, which makes them `sync` (server.ts).
 */
export class RedisBus implements Bus {
  readonly #handlers = new Set<BusHandler>();
  #closed = false;

  private constructor(
    private readonly pub: RedisLink,
    private readonly sub: RedisLink,
    private readonly channel: string,
    private readonly onDrop: (err: unknown) => void,
  ) {}

  static async connect(url: string, channel = "parley:bus", onDrop: (err: unknown) => void = () => {}, onResume: () => void = () => {}): Promise<RedisBus> {
    const bus = new RedisBus(await RedisLink.connect(url), await RedisLink.connect(url, (up) => up && onResume()), channel, onDrop);
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
    this.#handlers.clear();
    this.sub.close();
    this.pub.close();
  }
}
