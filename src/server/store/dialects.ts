/**
 * Kysely dialects over Bun's own drivers: bun:sqlite and Bun.SQL (PostgreSQL).
 * Kysely's built-in SQLite and PostgreSQL drivers are reused through thin adapters
 * that give Bun's clients the shapes those drivers expect.
 */
import { Database as BunSqlite } from "bun:sqlite";
import { SQL, type ReservedSQL } from "bun";
import { PostgresDialect, SqliteDialect, type Dialect } from "kysely";
import { AppError } from "../../shared/errors";
import { DEFAULT_DATABASE_TIMEOUT_MS } from "../config";
import { PgBreaker, unreachable, type BreakerOptions, type Watched } from "./pg-breaker";

export function sqliteDialect(path: string): { dialect: Dialect; raw: BunSqlite } {
  const raw = new BunSqlite(path, { create: true, strict: true });
  raw.exec("PRAGMA journal_mode = WAL");
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("PRAGMA busy_timeout = 5000");
  // FULL: a message is acknowledged after COMMIT, so the commit must survive a power cut too,
  // not only a crash of the process (NORMAL in WAL mode may lose the last commits then).
  raw.exec("PRAGMA synchronous = FULL");
  // Kysely asks for a statement on every query; the wrappers are kept per SQL text (bounded:
  // the app's SQL is a fixed set, but `in (…)` lists vary in length).
  const cache = new Map<string, ReturnType<typeof wrap>>();
  const wrap = (sql: string) => {
    const stmt = raw.query(sql);
    return {
      reader: stmt.columnNames.length > 0,
      all: (params: readonly unknown[]) => stmt.all(...(params as never[])),
      run: (params: readonly unknown[]) => {
        const r = stmt.run(...(params as never[]));
        return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
      },
      iterate: (params: readonly unknown[]) => stmt.iterate(...(params as never[])),
    };
  };
  const database = {
    prepare(sql: string) {
      let w = cache.get(sql);
      if (!w) {
        if (cache.size >= 1000) cache.clear();
        cache.set(sql, (w = wrap(sql)));
      }
      return w;
    },
    close() {
      raw.close();
    },
  };
  return { dialect: new SqliteDialect({ database: database as never }), raw };
}

const storeUnavailable = (cause: unknown) => Object.assign(new AppError("STORE_UNAVAILABLE", "The database is unreachable; try again shortly", undefined, 1), { cause });

/** Requests fail at once with 503 STORE_UNAVAILABLE while PostgreSQL is down; the pool reconnects by itself. */
function mapUnreachable(err: unknown): never {
  throw unreachable(err) ? storeUnavailable(err) : err;
}

/**
 * Whether a statement may wait on a row lock: anything but a plain read. PostgreSQL's reads see a
 * snapshot and never wait on row locks (only DDL's table locks, which the app takes at start-up
 * alone); writes and `SELECT … FOR UPDATE/SHARE` wait for whoever holds the row. Errs towards
 * true (a word in a column name or literal only costs a connection of its own).
 */
function mayWaitOnLocks(text: string): boolean {
  if (!/^\s*(select|with)\b/i.test(text)) return true;
  return /\b(insert|update|delete|merge|share)\b/i.test(text);
}

/**
 * Statements whose session the next ones need: BEGIN (the only statement that opens a
 * transaction), and the session-level advisory lock Kysely's migrator takes and later unlocks.
 */
const PINS_SESSION = /^\s*(begin|start transaction)\b|\bpg_advisory_lock\s*\(/i;

/**
 * Kysely asks for a connection per query. Handing it a reserved one would serialise the node's
 * queries over `max` connections, one round trip each; plain reads outside a transaction instead
 * go to Bun.SQL's pool, which pipelines concurrent queries on its connections. Anything that may
 * wait on a row lock must not sit on one of those: every query Bun.SQL puts behind it on that
 * connection (other users' reads) would wait as long as the lock is held. So a write outside a
 * transaction runs on a connection reserved for it alone (Bun.SQL hands out only idle ones and
 * sends pipelined reads elsewhere meanwhile). A transaction (or the migrator's session lock)
 * reserves a connection at its first statement (PINS_SESSION) that the rest of Kysely's
 * connection runs on and that is released with it. All come out of the same `max` connections.
 * Everything goes through a circuit breaker (pg-breaker.ts): while the database is down, each
 * query fails at once rather than waiting on a connection that hangs. One that the breaker gives
 * up on a hung connection while the database answers drops that connection: a reserved one is
 * closed; a shared read's connection is unknown (Bun.SQL pipelines it on any), so the pool is
 * replaced and the old one closed once its other connections' work is done (at most twice the
 * timeout: what runs longer fails, as in an outage).
 */
export function postgresDialect(url: string, max: number, timeoutMs = DEFAULT_DATABASE_TIMEOUT_MS, told: Pick<BreakerOptions, "onChange" | "onHung"> = {}): Dialect {
  // The breaker tells this pool's queries from other nodes' (and its own probe) in pg_stat_activity by it.
  const applicationName = `parley-${crypto.randomUUID().slice(0, 8)}`;
  const open = () => new SQL({ url, max, idleTimeout: 30, connectionTimeout: timeoutMs / 1000, connection: { application_name: applicationName } });
  let sql = open();
  /** Pools dropped while their connections' work finishes (pool.end() closes them at once). */
  const retiring = new Set<SQL>();
  const retire = (old: SQL, timeout: number) => {
    if (old !== sql) return;
    sql = open();
    retiring.add(old);
    void old
      .close({ timeout })
      .catch(() => {})
      .finally(() => retiring.delete(old));
  };
  /** Reservations not yet released or closed. */
  const held = new Set<ReservedSQL>();
  const giveBack = (r: ReservedSQL, close = false) => {
    held.delete(r);
    (close ? r.close({ timeout: 0 }) : r.release()).catch(() => {});
  };
  const breaker = new PgBreaker({
    url,
    timeoutMs,
    applicationName,
    ...told,
    reset: () => retire(sql, 0),
    saturated: () => held.size >= max,
  });
  /** Fails at once while the breaker holds the database down; else waits on `work` under its watch. */
  const guarded = <T>(work: () => Promise<T>, query?: Watched): Promise<T> => {
    if (breaker.down !== null) throw storeUnavailable(breaker.down);
    return breaker.watch(work(), query).catch(mapUnreachable);
  };
  const run = async (on: SQL, text: string, params: unknown[], shared: boolean, drop: () => void) => {
    const res = await guarded(() => on.unsafe(text, params as never[]), { text, shared, drop });
    return { rows: [...res], rowCount: res.count ?? res.length, command: res.command };
  };
  const runShared = (text: string, params: unknown[]) => {
    const pool = sql;
    return run(pool, text, params, true, () => retire(pool, (2 * timeoutMs) / 1000));
  };
  const runReserved = (r: ReservedSQL, text: string, params: unknown[]) => run(r, text, params, false, () => giveBack(r, true));
  const reserve = async () => {
    const r = await guarded(() => sql.reserve());
    held.add(r);
    return r;
  };
  let ended: Promise<void> | undefined;
  const pool = {
    async connect() {
      let reserved: ReservedSQL | null = null;
      return {
        async query(text: string, params: unknown[]) {
          if (reserved) return runReserved(reserved, text, params);
          if (PINS_SESSION.test(text)) {
            reserved = await reserve();
            return runReserved(reserved, text, params);
          }
          if (!mayWaitOnLocks(text)) return runShared(text, params);
          const own = await reserve();
          try {
            return await runReserved(own, text, params);
          } finally {
            giveBack(own);
          }
        },
        release() {
          // A connection of a pool the breaker dropped is closed already.
          if (reserved) giveBack(reserved);
          reserved = null;
        },
      };
    },
    end() {
      breaker.close();
      for (const old of retiring) void old.close({ timeout: 0 }).catch(() => {});
      ended ??= sql.close();
      return ended;
    },
  };
  return new PostgresDialect({ pool: pool as never });
}
