/**
 * A circuit breaker for a PostgreSQL that hangs rather than refuses (a host, or a network on the
 * way, that accepts and then drops packets). Bun.SQL bounds only the opening of a connection: a
 * query on an open connection would wait for ever, and every request behind it too. A connect
 * that times out, or a query unanswered for `timeoutMs`, makes the breaker probe the database
 * (on a fresh connection, asking which of the pool's queries it is running); only a probe that
 * gets no answer within twice `timeoutMs` marks it down, so a database that is merely slow to
 * connect or to answer, or a query waiting on a row lock, never does. Down, the pool is dropped
 * (its queries reject), every query fails at once, and one probe at a time, backing off from
 * 0.5 s to 5 s, waits for the database to answer.
 *
 * The database can also be up while one of the pool's connections hangs (a NAT or firewall on
 * the way that dropped that one flow's state): the probe answers, yet the queries sent on that
 * connection never are. A query unanswered for `timeoutMs` that two answered probes in a row
 * find the database not running (pg_stat_activity of the pool's own application_name) is given
 * up: it fails with ERR_POSTGRES_UNANSWERED and its connection is dropped (see Watched.drop).
 * A row-lock wait or a slow statement shows there as active, so it goes on waiting; with
 * track_activities off the database shows nothing, and nothing is given up.
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
  /** The application_name of the pool's connections: the probe looks at their activity only. */
  applicationName: string;
  /** Drops the pool, whose connections may hang (their queries reject), for a fresh one (Bun.SQL connects lazily). */
  reset(): void;
  /** Every connection of the pool is reserved: a shared query may wait in Bun's queue, not sent yet. */
  saturated(): boolean;
  /** Told when the database is marked down (with why) and when it answers again. */
  onChange?: (down: boolean, cause?: unknown) => void;
  /** Told when a query is given up on a connection that hangs while the database answers. */
  onHung?: (text: string) => void;
}

/** A query the breaker may give up on when the connection it was sent on hangs. */
export interface Watched {
  /** Its SQL text, as pg_stat_activity shows it while the database runs it. */
  text: string;
  /** Sent on a connection Bun's pool shares (pipelined reads), not on one reserved for it. */
  shared: boolean;
  /** Drops the connection the query waits on (for a shared one, which is unknown, the pool); the query has failed already. */
  drop(): void;
}

interface Pending {
  at: number;
  query?: Watched;
  /** Makes watch() reject with `err`. */
  fail?: (err: unknown) => void;
  /** Answered probes in a row that found the database not running the query. */
  unseen: number;
}

/**
 * What the pool's connections are doing; `query` is cut to track_activity_query_size, hence the
 * prefix match in #judge. A connection with track_activities off shows only state 'disabled'.
 * The name is written into the text, not bound: Bun.SQL prepares and runs a statement without
 * parameters in one round trip, a bound one in two, and each round trip of a probe on a busy node
 * (an event-loop turn) or to a far database comes out of its time.
 */
const activity = (applicationName: string) => `select state, query from pg_stat_activity where application_name = '${applicationName.replaceAll("'", "''")}'`;

const unanswered = (ms: number, what: string) => Object.assign(new Error(`PostgreSQL did not answer ${what} within ${ms} ms`), { code: "ERR_POSTGRES_UNANSWERED" });

export class PgBreaker {
  #down: unknown = null;
  /** The probe's own connection while one runs (close() closes it). */
  #probing: SQL | null = null;
  #lastProbeAt = -Infinity;
  #closed = false;
  /** The queries and reservations under way, oldest first (a Set keeps insertion order). */
  readonly #pending = new Set<Pending>();
  /** The last probe found a query that may hang: the next comes at the next watch, not a timeout later. */
  #hungSeen = false;
  readonly #watch: ReturnType<typeof setInterval>;
  #retry: ReturnType<typeof setTimeout> | null = null;
  readonly #activity: string;

  constructor(private readonly o: BreakerOptions) {
    this.#activity = activity(o.applicationName);
    this.#watch = setInterval(() => this.#checkPending(), Math.max(50, o.timeoutMs / 4));
    this.#watch.unref();
  }

  /** What marked the database down, or null while it is up. */
  get down(): unknown {
    return this.#down;
  }

  /** Awaits a query (given `query`, one the breaker may give up) or a reservation, noting how long it waits; a connect that timed out has the database probed. */
  async watch<T>(work: Promise<T>, query?: Watched): Promise<T> {
    const entry: Pending = { at: performance.now(), query, unseen: 0 };
    const givenUp = query && new Promise<never>((_, reject) => (entry.fail = reject));
    this.#pending.add(entry);
    try {
      return await (givenUp ? Promise.race([work, givenUp]) : work);
    } catch (err) {
      if (connectTimedOut(err)) this.#suspect();
      throw err;
    } finally {
      this.#pending.delete(entry);
    }
  }

  /** Stops watching and probing, the probe under way included; idempotent. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#watch);
    if (this.#retry) clearTimeout(this.#retry);
    void this.#probing?.close({ timeout: 0 }).catch(() => {});
  }

  /** A query unanswered for timeoutMs: probe, at most once per timeoutMs (a long lock wait keeps it unanswered) unless one may hang. */
  #checkPending(): void {
    const oldest = this.#pending.values().next().value;
    const now = performance.now();
    if (oldest === undefined || now - oldest.at < this.o.timeoutMs) return;
    if (now - this.#lastProbeAt < this.o.timeoutMs && !this.#hungSeen) return;
    this.#suspect();
  }

  /** Probes the database unless it is down or a probe runs already: marks it down if the probe gets no answer, else judges the overdue queries. */
  #suspect(): void {
    if (this.#down !== null || this.#probing !== null || this.#closed) return;
    const since = performance.now() - this.o.timeoutMs;
    const overdue = [...this.#pending].filter((e) => e.query && e.at <= since);
    void this.#probeOnce().then(({ err, active }) => {
      if (stillDown(err)) this.#trip(err);
      else if (err === null) this.#judge(overdue, active);
    });
  }

  /**
   * Gives up the overdue queries the database is not running, twice in a row (once could be the
   * moment its answer was on the way). A shared query can also wait, sent, behind a slow one on
   * its connection, or unsent in Bun's queue while every connection is reserved: while either may
   * be so, none is given up. A query sharing its text with one the database runs is taken as
   * running: at worst a hung one waits for the next probe. So is every query while the database
   * does not say what it runs (`active` null): a lock wait must not be taken for a hang.
   */
  #judge(overdue: Pending[], active: string[] | null): void {
    this.#hungSeen = false;
    if (this.#down !== null || this.#closed) return;
    const running = (e: Pending) => active === null || active.some((q) => q.length > 0 && e.query!.text.startsWith(q));
    const sharedWaits = this.o.saturated() || overdue.some((e) => e.query!.shared && running(e));
    for (const e of overdue) {
      if (!this.#pending.has(e)) continue;
      if (running(e) || (e.query!.shared && sharedWaits)) {
        e.unseen = 0;
      } else if (++e.unseen < 2) {
        this.#hungSeen = true;
      } else {
        this.#pending.delete(e);
        e.fail!(unanswered(this.o.timeoutMs, "on its connection"));
        e.query!.drop();
        this.o.onHung?.(e.query!.text);
      }
    }
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
      const { err } = await this.#probeOnce();
      if (this.#closed) return;
      if (stillDown(err)) return this.#recover(Math.min(delayMs * 2, LAST_RETRY_MS));
      this.#down = null;
      this.o.onChange?.(false);
    }, delayMs);
    this.#retry.unref();
  }

  /**
   * Asks a fresh connection which of the pool's queries the database is running (null: it does
   * not say, track_activities being off). `err` is null when it answers within PROBE_TIMEOUTS ×
   * timeoutMs, else why not; never rejects.
   */
  async #probeOnce(): Promise<{ err: unknown; active: string[] | null }> {
    const ms = PROBE_TIMEOUTS * this.o.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const one = (this.#probing = new SQL({ url: this.o.url, max: 1, connectionTimeout: ms / 1000 }));
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unanswered(ms, "a probe")), ms);
        timer.unref();
      });
      const rows: Array<{ state: string | null; query: string }> = [...(await Promise.race([one.unsafe(this.#activity), late]))];
      // A connection that does not say what it runs may be running any of the queries.
      const told = rows.every((r) => r.state !== null && r.state !== "disabled");
      return { err: null, active: told ? rows.filter((r) => r.state === "active").map((r) => r.query) : null };
    } catch (err) {
      return { err, active: [] };
    } finally {
      clearTimeout(timer);
      void this.#probing?.close({ timeout: 0 }).catch(() => {});
      this.#probing = null;
      this.#lastProbeAt = performance.now();
    }
  }
}
