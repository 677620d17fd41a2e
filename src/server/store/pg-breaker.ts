/**
 * A circuit breaker for a PostgreSQL that hangs rather than refuses (a host, or a network on the
 * way, that accepts and then drops packets). Bun.SQL bounds only the opening of a connection: a
 * query on an open connection would wait for ever, and every request behind it too. The breaker
 * marks the database down when a connect times out, or when a query has gone unanswered for
 * `timeoutMs` and a probe (`select 1` on a fresh connection) gets no answer within `timeoutMs`
 * either. A query waiting on a row lock, or merely slow, leaves the probe answered, so it never
 * trips the breaker. Down, the pool is dropped (its queries reject), every query fails at once,
 * and one probe at a time, backing off from 0.5 s to 5 s, waits for the database to answer.
 */
import { SQL } from "bun";

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 5000;

/**
 * PostgreSQL out of reach (refused, dropped, timed out, shutting down, out of connection slots):
 * Bun's driver codes and SQLSTATE classes 08, 57P01–57P03 and 53300.
 */
export function unreachable(err: unknown): boolean {
  const { code, errno } = (err ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === "string" && /^ERR_POSTGRES_(CONNECTION_|IDLE_TIMEOUT|LIFETIME_TIMEOUT|UNANSWERED)/.test(code)) return true;
  return typeof errno === "string" && /^(08...|57P0[123]|53300)$/.test(errno);
}

const timedOut = (err: unknown) => /^ERR_POSTGRES_(CONNECTION_TIMEOUT|UNANSWERED)$/.test(String((err as { code?: unknown })?.code));

export interface BreakerOptions {
  url: string;
  timeoutMs: number;
  /** Drops the pool, whose connections may hang (their queries reject), for a fresh one (Bun.SQL connects lazily). */
  reset(): void;
  /** Told when the database is marked down (with why) and when it answers again. */
  onChange?: (down: boolean, cause?: unknown) => void;
}

export class PgBreaker {
  #down: unknown = null;
  #probing = false;
  #lastProbeAt = -Infinity;
  #closed = false;
  /** Start times of the queries and reservations under way, oldest first (a Map keeps insertion order). */
  readonly #pending = new Map<object, number>();
  readonly #watch: ReturnType<typeof setInterval>;
  #retry: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly o: BreakerOptions) {
    this.#watch = setInterval(() => this.#checkPending(), Math.max(50, o.timeoutMs / 4));
    this.#watch.unref();
  }

  /** What marked the database down, or null while it is up. */
  get down(): unknown {
    return this.#down;
  }

  /** Awaits a query or a reservation, noting how long it waits; a connect that timed out trips the breaker. */
  async watch<T>(work: Promise<T>): Promise<T> {
    const key = {};
    this.#pending.set(key, performance.now());
    try {
      return await work;
    } catch (err) {
      if (timedOut(err)) this.#trip(err);
      throw err;
    } finally {
      this.#pending.delete(key);
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#watch);
    if (this.#retry) clearTimeout(this.#retry);
  }

  /** A query unanswered for timeoutMs: probe, at most once per timeoutMs (a long lock wait keeps it unanswered). */
  #checkPending(): void {
    if (this.#down !== null || this.#probing) return;
    const oldest = this.#pending.values().next().value;
    const now = performance.now();
    if (oldest === undefined || now - oldest < this.o.timeoutMs || now - this.#lastProbeAt < this.o.timeoutMs) return;
    void this.#probe().then((err) => {
      // Not for a probe refused a connection slot (53300) or a password: the database answered.
      if (err !== null && unreachable(err) && (err as { errno?: unknown }).errno !== "53300") this.#trip(err);
    });
  }

  #trip(err: unknown): void {
    if (this.#down !== null || this.#closed) return;
    this.#down = err;
    this.o.reset();
    this.o.onChange?.(true, err);
    this.#recover(FIRST_RETRY_MS);
  }

  #recover(delayMs: number): void {
    this.#retry = setTimeout(async () => {
      const err = await this.#probe();
      if (this.#closed) return;
      if (err === null) {
        this.#down = null;
        this.o.onChange?.(false);
      } else this.#recover(Math.min(delayMs * 2, LAST_RETRY_MS));
    }, delayMs);
  }

  /** Null when a fresh connection answers `select 1` within timeoutMs, else why not. */
  async #probe(): Promise<unknown> {
    this.#probing = true;
    const ms = this.o.timeoutMs;
    const one = new SQL({ url: this.o.url, max: 1, connectionTimeout: ms / 1000 });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unanswered = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`PostgreSQL did not answer within ${ms} ms`), { code: "ERR_POSTGRES_UNANSWERED" })), ms);
    });
    try {
      await Promise.race([one.unsafe("select 1"), unanswered]);
      return null;
    } catch (err) {
      return err;
    } finally {
      clearTimeout(timer);
      this.#probing = false;
      this.#lastProbeAt = performance.now();
      void one.close({ timeout: 0 }).catch(() => {});
    }
  }
}
