/** Structured logs: one JSON object per line on stdout. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const min = LEVELS[level];
  const emit = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + "\n");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/**
 * Warns once per reason per window: the first occurrence at once, later ones only as a count
 * (`suppressed`) on the next line for that reason once the window has passed — so a client
 * repeating a refused frame cannot flood the log.
 */
export class ThrottledWarn {
  readonly #seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(reason: string, msg: string, fields?: Record<string, unknown>): void {
    const t = this.now();
    const seen = this.#seen.get(reason);
    if (seen && t - seen.at < this.windowMs) {
      seen.suppressed++;
      return;
    }
    // Reasons are a handful of fixed strings; the bound only guards against a surprise.
    if (!seen && this.#seen.size >= 256) this.#seen.clear();
    this.#seen.set(reason, { at: t, suppressed: 0 });
    this.log.warn(msg, { reason, ...fields, ...(seen?.suppressed ? { suppressed: seen.suppressed } : {}) });
  }
}
