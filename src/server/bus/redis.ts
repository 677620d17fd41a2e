import { RedisClient } from "bun";
import type { Bus, BusEvent, BusHandler } from "./bus";

/**
 * Redis pub/sub: every node publishes to one channel and hears every event, its own included.
 * The subscriber needs its own connection (a subscribed client can run no other commands).
 */
export class RedisBus implements Bus {
  readonly #pub: RedisClient;
  readonly #sub: RedisClient;
  readonly #handlers = new Set<BusHandler>();
  #closed = false;

  private constructor(
    url: string,
    private readonly channel: string,
  ) {
    this.#pub = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: true });
    this.#sub = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: true });
  }

  static async connect(url: string, channel = "parley:bus"): Promise<RedisBus> {
    const bus = new RedisBus(url, channel);
    await bus.#pub.connect();
    await bus.#sub.connect();
    await bus.#sub.subscribe(channel, (message) => bus.#dispatch(message));
    return bus;
  }

  #dispatch(message: string): void {
    let event: BusEvent;
    try {
      event = JSON.parse(message) as BusEvent;
    } catch {
      return;
    }
    for (const h of this.#handlers) h(event);
  }

  async publish(event: BusEvent): Promise<void> {
    if (this.#closed) return;
    await this.#pub.publish(this.channel, JSON.stringify(event));
  }

  subscribe(handler: BusHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async ping(): Promise<void> {
    await this.#pub.ping();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#sub.close();
    this.#pub.close();
  }
}
