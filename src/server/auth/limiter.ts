/**
 * Bounds on expensive or abusable work: a concurrency cap with a bounded queue
 * (argon2id hashing) and a fixed-window counter per key (per-IP auth limits).
 */
import { AppError } from "../../shared/errors";

export class ConcurrencyCap {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly queue: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) {
      if (this.#waiting.length >= this.queue) {
        throw new AppError("RATE_LIMITED", "The server is busy; try again in a moment", undefined, 1);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

export class WindowLimiter {
  readonly #hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for key; throws RATE_LIMITED once the window's budget is spent. */
  hit(key: string): void {
    const t = this.now();
    let w = this.#hits.get(key);
    if (!w || w.resetAt <= t) {
      if (this.#hits.size > 100_000) this.#sweep(t);
      w = { count: 0, resetAt: t + this.windowMs };
      this.#hits.set(key, w);
    }
    w.count++;
    if (w.count > this.max) {
      throw new AppError("RATE_LIMITED", "Too many requests; slow down", undefined, Math.ceil((w.resetAt - t) / 1000));
    }
  }

  #sweep(t: number): void {
    for (const [k, w] of this.#hits) if (w.resetAt <= t) this.#hits.delete(k);
  }
}
