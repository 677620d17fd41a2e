/**
 * Start-up failures an operator can act on. A node that cannot reach its database or Redis
 * stops with one line naming the setting, the address (password hidden) and what went wrong,
 * instead of a driver's stack trace (main.ts prints it and exits 1).
 */
export class StartupError extends Error {}

/** The URL with its password, if any, replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

/** Drivers' own words for "nobody answered" say little ("Failed to connect", "Connection closed"). */
const HINTS: Record<string, string> = {
  ERR_POSTGRES_CONNECTION_REFUSED: "could not connect (is PostgreSQL running there, and are the host and port right?)",
  ERR_POSTGRES_CONNECTION_TIMEOUT: "no answer in time (is the host reachable, and the port open?)",
  ERR_REDIS_CONNECTION_CLOSED: "could not connect (is Redis running there, and are the host and port right?)",
  ERR_REDIS_CONNECTION_TIMEOUT: "no answer in time (is the host reachable, and the port open?)",
};

type DriverError = { code?: unknown; errno?: unknown; message?: unknown };

/** The driver's error: the store wraps an unreachable database in STORE_UNAVAILABLE, with it as the cause. */
const driverError = (err: unknown) => (err instanceof Error && err.cause instanceof Error ? err.cause : err) as DriverError | undefined;

/**
 * Whether the error says the address is wrong or refuses us (refused, timed out, no such host,
 * role or database, bad password, a file that cannot be opened), rather than a fault of ours
 * such as a failing migration, which keeps its stack trace.
 */
function unusable(e: DriverError | undefined): boolean {
  const code = typeof e?.code === "string" ? e.code : "";
  const errno = typeof e?.errno === "string" ? e.errno : "";
  return /^(ERR_POSTGRES_CONNECTION|ERR_REDIS_CONNECTION|SQLITE_CANTOPEN)/.test(code) || /^(08|28|3D|57P0|53300)/.test(errno);
}

/** Runs `open`; a failure to reach or use `url` becomes a StartupError saying which setting points where. */
export async function reaching<T>(setting: string, url: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const e = driverError(err);
    if (!unusable(e)) throw err;
    let why = (typeof e?.code === "string" && HINTS[e.code]) || String(e?.message ?? err);
    if (e?.errno === "3D000") why += " (create it first: Parley creates its tables, not the database)";
    throw new StartupError(`${setting}: cannot use ${redactUrl(url)}: ${why}`);
  }
}
