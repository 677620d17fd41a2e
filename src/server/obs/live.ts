/**
 * Live figures for the admin console: messages per second across the instance (every node sees
 * every message:new on the bus, so counting them here counts the cluster's), this node's open
 * sockets, and the calls the call registry holds. Also a gauge for /metrics.
 */
import type { AdminMetrics } from "../../shared/admin";
import type { Bus } from "../bus/bus";
import { deliveredType } from "../bus/wire";
import type { Metrics } from "./metrics";

/** Seconds the message rate is averaged over. */
const WINDOW = 10;

export class LiveMetrics {
  /** Messages per whole second, for the last WINDOW + 1 seconds (the current one still filling). */
  readonly #perSecond = new Map<number, number>();
  readonly #unsubscribe: () => void;
  readonly #startedAt: number;

  constructor(
    bus: Bus,
    private readonly sources: { connections: () => number; activeCalls: () => Promise<number> },
    metrics: Metrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.#startedAt = clock();
    this.#unsubscribe = bus.subscribe((e) => {
      if (e.type !== "deliver" || deliveredType(e) !== "message:new") return;
      const second = Math.floor(this.clock() / 1000);
      this.#perSecond.set(second, (this.#perSecond.get(second) ?? 0) + 1);
      for (const s of this.#perSecond.keys()) if (s <= second - WINDOW - 1) this.#perSecond.delete(s);
    });
    metrics.gauge("parley_messages_per_second", () => this.messagesPerSecond());
  }

  /** Over the last WINDOW whole seconds (the current second is not over yet). */
  messagesPerSecond(): number {
    const now = Math.floor(this.clock() / 1000);
    let n = 0;
    for (const [s, count] of this.#perSecond) if (s < now && s >= now - WINDOW) n += count;
    return Math.round((n / WINDOW) * 100) / 100;
  }

  async read(): Promise<AdminMetrics> {
    const now = this.clock();
    return {
      at: new Date(now).toISOString(),
      connections: this.sources.connections(),
      messagesPerSecond: this.messagesPerSecond(),
      windowSeconds: WINDOW,
      activeCalls: await this.sources.activeCalls(),
      memoryBytes: process.memoryUsage().rss,
      uptimeSeconds: Math.round((now - this.#startedAt) / 1000),
    };
  }

  close(): void {
    this.#unsubscribe();
  }
}
