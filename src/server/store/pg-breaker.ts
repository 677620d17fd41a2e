/**
 * A circuit breaker for a PostgreSQL that hangs rather than refuses (a host, or a network on the
 * way, that accepts and then drops packets). Bun.SQL bounds only the opening of a connection: a
 * query on an open connection would wait for ever, and every request behind it too. A connect
 * that times out, or a query unanswered for `timeoutMs`, makes the breaker probe the database
 * (`select 1` on a fresh connection); only a probe that gets no answer within twice `timeoutMs`
 * marks it down, so a database that is merely slow to connect or to answer, or a query waiting on
 * a row lock, never does. Down, the pool is dropped (its queries reject), every query fails at
 * once, and one probe at a time, backing off from 0.5 s to 5 s, waits for the database to answer.
 */
import { SQL } from "bun";

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 5000;
/** A probe opens a connection and runs a query; it gets more time than one query or connect does. */
const PROBE_TIMEOUTS = 2;

/**
 * PostgreSQL out of reach (refused, dropped, timed out, shutting down, out of connection slots):
 * Bun's driver codes and SQLSTATE classes 08, 57P01–57P03 and 53300.
 */
export function unreachable(err: unknown): boolean {
  const { code, errno } = (err ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === "string" && /^ERR_POSTGRES_(CONNECTION_|IDLE_TIMEOUT|LIFETIME_TIMEOUT|UNANSWERED)/.test(code)) return true;
  return typeof errno === "string" && /^(08...|57P0[123]|53300)$/.test(errno);
}

/**
 * Whether a probe's outcome leaves the database down. One refused a connection slot (53300) or a
 * password, or failing any other way PostgreSQL itself reports, got an answer: the database is up,
 * and requests meet that error of their own.
 */
const stillDown = (err: unknown) => err !== null && unreachable(err) && (err as { errno?: unknown }).errno !== "53300";

const connectTimedOut = (err: unknown) => (err as { code?: unknown })?.code === "ERR_POSTGRES_CONNECTION_TIMEOUT";

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
  /** The probe's own connection while one runs (close() closes it). */
  #probing: SQL | null = null;
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

  /** Awaits a query or a reservation, noting how long it waits; a connect that timed out has the database probed. */
  async watch<T>(work: Promise<T>): Promise<T> {
    const key = {};
    this.#pending.set(key, performance.now());
    try {
      return await work;
    } catch (err) {
      if (connectTimedOut(err)) this.#suspect();
      throw err;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** Stops watching and probing, the probe under way included; idempotent. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#watch);
    if (this.#retry) clearTimeout(this.#retry);
    void this.#probing?.close({ timeout: 0 }).catch(() => {});
  }

  /** A query unanswered for timeoutMs: probe, at most once per timeoutMs (a long lock wait keeps it unanswered). */
  #checkPending(): void {
    const oldest = this.#pending.values().next().value;
    const now = performance.now();
    if (oldest === undefined || now - oldest < this.o.timeoutMs || now - this.#lastProbeAt < this.o.timeoutMs) return;
    this.#suspect();
  }

  /** Probes the database unless it is down or a probe runs already, and marks it down if the probe gets no answer. */
  #suspect(): void {
    if (this.#down !== null || this.#probing !== null || this.#closed) return;
    void this.#probeOnce().then((err) => stillDown(err) && this.#trip(err));
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
      const err = await this.#probeOnce();
      if (this.#closed) return;
      if (stillDown(err)) return this.#recover(Math.min(delayMs * 2, LAST_RETRY_MS));
      this.#down = null;
      this.o.onChange?.(false);
    }, delayMs);
    this.#retry.unref();
  }

  /** Null when a fresh connection answers `select 1` within PROBE_TIMEOUTS × timeoutMs, else why not; never rejects. */
  async #probeOnce(): Promise<unknown> {
    const ms = PROBE_TIMEOUTS * this.o.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const one = (this.#probing = new SQL({ url: this.o.url, max: 1, connectionTimeout: ms / 1000 }));
      const unanswered = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`PostgreSQL did not answer within ${ms} ms`), { code: "ERR_POSTGRES_UNANSWERED" })), ms);
        timer.unref();
      });
      await Promise.race([one.unsafe("select 1"), unanswered]);
      return null;
    } catch (err) {
      return err;
    } finally {
      clearTimeout(timer);
      void this.#probing?.close({ timeout: 0 }).catch(() => {});
      this.#probing = null;
      this.#lastProbeAt = performance.now();
    }
  }
}
