import type { Bus, BusEvent, BusHandler } from "./bus";

/**
 * The in-process bus for a single node. Delivery is asynchronous, like Redis, and ordered.
 * Events are shared, not copied: publishers and handlers treat them as immutable.
 */
export class LocalBus implements Bus {
  readonly #handlers = new Set<BusHandler>();
  #closed = false;

  async publish(event: BusEvent): Promise<void> {
    if (this.#closed) return;
    queueMicrotask(() => {
      for (const h of this.#handlers) h(event);
    });
  }

  subscribe(handler: BusHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error("bus closed");
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
  }
}
