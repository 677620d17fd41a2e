/**
 * When an SFU sends a subscribe offer again that its client has not answered: after
 * OFFER_WAIT_MS, then twice as long each time up to OFFER_WAIT_MAX_MS. Both SFUs need it: a lost
 * offer or answer (a busy socket, links being started over) would otherwise leave a subscribe link
 * short of tracks for good — werift renegotiates only once the pending offer is answered, and
 * Janus makes no further offer on a subscriber handle until then.
 */
export const OFFER_WAIT_MS = 5_000;
export const OFFER_WAIT_MAX_MS = 30_000;

export class OfferRepeat {
  #wait = OFFER_WAIT_MS;
  #at = Infinity;

  /** A new offer: the wait starts over, counted from when `sent` says it went out. */
  restart(): void {
    this.#wait = OFFER_WAIT_MS;
    this.#at = Infinity;
  }

  /** The offer went out at `now`: it is due again after the current wait. */
  sent(now: number): void {
    this.#at = now + this.#wait;
  }

  /** Whether it is due at `now`; if so, the next wait is twice as long and it is not due again before `sent`. */
  due(now: number): boolean {
    if (now < this.#at) return false;
    this.#at = Infinity;
    this.#wait = Math.min(this.#wait * 2, OFFER_WAIT_MAX_MS);
    return true;
  }
}
