/**
 * Whether a subscriber's downlink is too weak for more than the lowest simulcast layers, from
 * the loss it reports. Loss puts it on the lowest layers at once. After `hold` without loss the
 * SFU sends the layers asked for again: a probe, since nothing else tells whether the link
 * carries them now. A probe met by loss within PROBE_MS failed, and cost its subscriber about a
 * second of frozen picture (the top layer's packets lost until the lowest layer's next
 * keyframe): the hold doubles, up to `maxHold`, so a link that stays weak is probed ever more
 * rarely instead of freezing every few seconds. A probe that holds resets it. Both SFUs keep
 * one per subscriber: the embedded one hears the loss in the subscriber's RTCP receiver reports
 * and in its `loss` signals, Janus (which tells us no loss of its own) from the signals alone.
 */

/** Above this loss (reported by RTCP or by the client) a subscriber's link counts as weak. */
export const WEAK_LOSS = 0.1;

/** Loss this soon after a probe is the probe's: the link still cannot carry the upper layers. */
export const PROBE_MS = 5_000;

export class Downlink {
  #weak = false;
  #lossyAt = -Infinity;
  #probedAt = -Infinity;
  #hold: number;

  constructor(
    private readonly baseHold = 10_000,
    private readonly maxHold = 80_000,
  ) {
    this.#hold = baseHold;
  }

  /** How long the link must stay free of loss before the next probe. */
  get hold(): number {
    return this.#hold;
  }

  /** The subscriber reported heavy loss at `now`. */
  lossy(now: number): void {
    if (!this.#weak && now - this.#probedAt < PROBE_MS) this.#hold = Math.min(this.#hold * 2, this.maxHold);
    this.#weak = true;
    this.#lossyAt = now;
  }

  /** Whether the subscriber gets only the lowest layers at `now`. */
  weak(now: number): boolean {
    if (this.#weak && now - this.#lossyAt >= this.#hold) {
      this.#weak = false;
      this.#probedAt = now;
    } else if (!this.#weak && now - this.#probedAt >= PROBE_MS) this.#hold = this.baseHold;
    return this.#weak;
  }
}
