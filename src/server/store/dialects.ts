/**
 * Kysely dialects over Bun's own drivers: bun:sqlite and Bun.SQL (PostgreSQL).
 * Kysely's built-in SQLite and PostgreSQL drivers are reused through thin adapters
 * that give Bun's clients the shapes those drivers expect.
 */
import { Database as BunSqlite } from "bun:sqlite";
import { SQL } from "bun";
import { PostgresDialect, SqliteDialect, type Dialect } from "kysely";
import { AppError } from "../../shared/errors";

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

/**
 * PostgreSQL out of reach (refused, dropped, timed out, shutting down, out of connection slots):
 * Bun's driver codes and SQLSTATE classes 08, 57P01–57P03 and 53300.
 */
function unreachable(err: unknown): boolean {
  const { code, errno } = (err ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === "string" && /^ERR_POSTGRES_(CONNECTION_|IDLE_TIMEOUT|LIFETIME_TIMEOUT)/.test(code)) return true;
  return typeof errno === "string" && /^(08...|57P0[123]|53300)$/.test(errno);
}

/** Requests fail at once with 503 STORE_UNAVAILABLE while PostgreSQL is down; the pool reconnects by itself. */
function mapUnreachable(err: unknown): never {
  if (unreachable(err)) throw Object.assign(new AppError("STORE_UNAVAILABLE", "The database is unreachable; try again shortly", undefined, 1), { cause: err });
  throw err;
}

/** How long opening a connection may take before the request fails (a host that drops packets would hang it). */
const CONNECT_TIMEOUT_SECONDS = 5;

/**
 * Kysely asks for a connection per query. Handing it a reserved one would serialise the node's
 * queries over `max` connections, one round trip each; queries outside a transaction instead go
 * to Bun.SQL's pool, which pipelines concurrent queries on its connections. A transaction needs
 * one connection from BEGIN to COMMIT, so the driver's BEGIN (the only statement that opens one)
 * reserves a connection that the rest of it runs on and that is released with it.
 */
export function postgresDialect(url: string, max: number): Dialect {
  const sql = new SQL({ url, max, idleTimeout: 30, connectionTimeout: CONNECT_TIMEOUT_SECONDS });
  const pool = {
    async connect() {
      let reserved: Awaited<ReturnType<typeof sql.reserve>> | null = null;
      return {
        async query(text: string, params: unknown[]) {
          if (!reserved && /^(begin|start transaction)\b/i.test(text)) reserved = await sql.reserve().catch(mapUnreachable);
          const res = await (reserved ?? sql).unsafe(text, params as never[]).catch(mapUnreachable);
          return { rows: [...res], rowCount: res.count ?? res.length, command: res.command };
        },
        release() {
          reserved?.release();
          reserved = null;
        },
      };
    },
    async end() {
      await sql.close();
    },
  };
  return new PostgresDialect({ pool: pool as never });
}
