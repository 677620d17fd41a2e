/** A tiny typed event emitter: engines report out through it and never hold references to their listeners' owners. */
export class Emitter<Events extends object> {
  readonly #handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(type: K, fn: (payload: Events[K]) => void): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => set.delete(fn as (payload: never) => void);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const fn of this.#handlers.get(type) ?? []) {
      try {
        (fn as (payload: Events[K]) => void)(payload);
      } catch (err) {
        // One broken listener must not stop the others (or the engine that emitted).
        console.error(err);
      }
    }
  }

  clear(): void {
    this.#handlers.clear();
  }
}
