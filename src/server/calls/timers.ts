/**
 * The call service's ring, grace and empty-call timers, keyed by name. Each callback re-reads the
 * stored call when it fires, so a timer on one node never acts on a call another node changed.
 */
export class CallTimers {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  set(key: string, ms: number, fn: () => Promise<void>): void {
    // A disconnect still being handled at shutdown must not arm a timer after close().
    if (this.#closed) return;
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        fn().catch((err) => this.onError(err));
      }, ms),
    );
  }

  clear(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  /** Every timer of one call (keys are `<kind>:<callId>[:<who>]`). */
  clearCall(callId: string): void {
    for (const key of [...this.#timers.keys()]) if (key.split(":")[1] === callId) this.clear(key);
  }

  /** Idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
