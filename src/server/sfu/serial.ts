/** Runs tasks one at a time, in order; a failed task does not stop the ones after it. */
export class Serial {
  #queue: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => {});
    return next;
  }
}
