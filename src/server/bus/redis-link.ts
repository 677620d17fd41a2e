/**
 * A Redis connection that outlives Redis restarts. Bun's client gives up for good after its
 * own reconnect attempts, and queues commands meanwhile (a request would hang for ~30 s); here
 * a dropped connection is replaced by a fresh client, retried with jittered backoff (0.1 s
 * doubling to 5 s) for as long as it takes, subscriptions are renewed on it, and commands fail
 * at once while Redis is down.
 */
import { RedisClient } from "bun";

type Handler = (message: string) => void;

const MAX_BACKOFF_MS = 5000;

export class RedisLink {
  #client: RedisClient;
  #up = false;
  #closed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #subscriptions = new Map<string, Handler>();

  private constructor(
    private readonly url: string,
    private readonly onChange: (up: boolean) => void,
  ) {
    this.#client = this.#fresh();
  }

  /** Connects once (start-up fails if Redis is unreachable), then keeps reconnecting by itself. */
  static async connect(url: string, onChange: (up: boolean) => void = () => {}): Promise<RedisLink> {
    const link = new RedisLink(url, onChange);
    await link.#client.connect();
    link.#up = true;
    return link;
  }

  get up(): boolean {
    return this.#up;
  }

  #fresh(): RedisClient {
    const client = new RedisClient(this.url, { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 2000 });
    client.onclose = () => {
      if (client !== this.#client || this.#closed) return;
      if (this.#up) {
        this.#up = false;
        this.onChange(false);
      }
      this.#schedule();
    };
    return client;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const wait = Math.random() * Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.#attempt++, 6));
    this.#timer = setTimeout(() => void this.#reconnect(), wait);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    const client = this.#fresh();
    this.#client = client;
    try {
      await client.connect();
      for (const [channel, handler] of this.#subscriptions) await client.subscribe(channel, handler);
    } catch {
      if (client === this.#client && !this.#closed) {
        client.close();
        this.#schedule();
      }
      return;
    }
    this.#attempt = 0;
    this.#up = true;
    this.onChange(true);
  }

  #down(): Error {
    return Object.assign(new Error("Redis is unreachable"), { code: "ERR_REDIS_CONNECTION_CLOSED" });
  }

  send(command: string, args: string[]): Promise<unknown> {
    if (!this.#up) return Promise.reject(this.#down());
    return this.#client.send(command, args);
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    this.#subscriptions.set(channel, handler);
    if (this.#up) await this.#client.subscribe(channel, handler);
  }

  publish(channel: string, message: string): Promise<unknown> {
    if (!this.#up) return Promise.reject(this.#down());
    return this.#client.publish(channel, message);
  }

  async ping(): Promise<void> {
    if (!this.#up) throw this.#down();
    await this.#client.ping();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#client.close();
  }
}
