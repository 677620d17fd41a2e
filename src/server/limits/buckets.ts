/** Token buckets by key: `burst` tokens, refilled at `ratePerSecond`; an empty bucket refuses. */
import { AppError } from "../../shared/errors";

export interface BucketSize {
  ratePerSecond: number;
  burst: number;
}

/** Keys are swept (full buckets forgotten) once the map grows past this. */
const SWEEP_AT = 100_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly size: BucketSize,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one token of key's bucket; RATE_LIMITED with the seconds until one is back otherwise. */
  take(key: string, what: string): void {
    const t = this.now();
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(t);
      this.#buckets.set(key, (b = { tokens: this.size.burst, at: t }));
    }
    b.tokens = Math.min(this.size.burst, b.tokens + ((t - b.at) / 1000) * this.size.ratePerSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / this.size.ratePerSecond));
    throw new AppError("RATE_LIMITED", `Too many ${what}; slow down`, undefined, retryAfter);
  }

  #sweep(t: number): void {
    const fullAfterMs = (this.size.burst / this.size.ratePerSecond) * 1000;
    for (const [k, b] of this.#buckets) if (t - b.at >= fullAfterMs) this.#buckets.delete(k);
  }
}
