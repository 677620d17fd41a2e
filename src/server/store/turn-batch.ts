/**
 * Lookups asked within one event-loop turn answered by one query: under load every send asks
 * the same kind of question first (may this user write here?), and on PostgreSQL a statement
 * of its own each costs the database more than the answer does. A key asked twice in a turn is
 * looked up once. Nothing is cached: each caller's answer is read after it asked.
 */
export class TurnBatch<K, V> {
  #pending = new Map<string, { key: K; waiters: Array<{ resolve: (v: V | undefined) => void; reject: (e: unknown) => void }> }>();

  constructor(
    private readonly id: (key: K) => string,
    /** The answers for these keys (distinct), by id; a key missing from the map has none. */
    private readonly lookup: (keys: K[]) => Promise<Map<string, V>>,
    /** Most keys in one query (its bound parameters are bounded). */
    private readonly max: number,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) setImmediate(() => this.#flush());
      const id = this.id(key);
      const entry = this.#pending.get(id);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.#pending.set(id, { key, waiters: [{ resolve, reject }] });
    });
  }

  #flush(): void {
    const entries = [...this.#pending.entries()];
    this.#pending.clear();
    for (let i = 0; i < entries.length; i += this.max) {
      const chunk = entries.slice(i, i + this.max);
      this.lookup(chunk.map(([, e]) => e.key)).then(
        (found) => {
          for (const [id, e] of chunk) for (const w of e.waiters) w.resolve(found.get(id));
        },
        (err) => {
          for (const [, e] of chunk) for (const w of e.waiters) w.reject(err);
        },
      );
    }
  }
}
