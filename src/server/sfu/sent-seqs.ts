/**
 * Which sequence numbers the embedded SFU sent on one subscriber's stream, so the loss that
 * subscriber reports can be told apart from packets the SFU never sent it. werift forwards a
 * layer under the publisher's sequence numbers (shifted only where it switches layers), so a
 * packet the SFU never got leaves a gap the subscriber's receiver reports count as lost: one
 * lost on the publisher's uplink, or dropped by the kernel while this process's event loop
 * stalled and did not read its socket (1–8 s stalls on a loaded machine; a socket's default
 * buffer holds about 0.3 s of a 720p camera's layers). That loss says nothing of the
 * subscriber's link, and sending it a lower layer would not help it: counted as the link's,
 * it put healthy subscribers of a loaded SFU on the lowest layer for minutes.
 */

const SEQS = 65_536;
/** Sequence numbers further apart than this are taken as going backwards (RFC 3550 wraps). */
const HALF = SEQS / 2;

export class SentSeqs {
  /** One bit per 16-bit sequence number: sent since the highest one sent was last that far behind. */
  readonly #bits = new Uint8Array(SEQS / 8);
  #highest: number | undefined;
  /** The highest sequence number the subscriber's last report named (the start of the next one's span). */
  #reported: number | undefined;

  /** Notes that `seq` went out (again, or late, is fine). */
  sent(seq: number): void {
    if (this.#highest === undefined) {
      this.#highest = seq;
      this.#reported = (seq - 1) & 0xffff;
    }
    const ahead = (seq - this.#highest) & 0xffff;
    if (ahead > 0 && ahead < HALF) {
      // The numbers skipped are not sent yet; their bits are from the last lap.
      for (let s = (this.#highest + 1) & 0xffff; s !== seq; s = (s + 1) & 0xffff) this.#set(s, false);
      this.#highest = seq;
    }
    this.#set(seq, true);
  }

  /**
   * The share of the packets it was sent that the subscriber lost, from a receiver report's
   * `fraction` lost (0 … 1) of the span up to `highest` (the highest sequence number it got;
   * the span starts after the one its last report named): the packets in the span that were
   * never sent are taken out of both. A span that tells nothing (empty, or going backwards)
   * leaves the fraction as reported.
   */
  loss(fraction: number, highest: number): number {
    const to = highest & 0xffff;
    const from = this.#reported;
    if (from === undefined) return fraction;
    const span = (to - from) & 0xffff;
    if (span === 0 || span >= HALF) return fraction;
    this.#reported = to;
    let unsent = 0;
    for (let s = (from + 1) & 0xffff; s !== ((to + 1) & 0xffff); s = (s + 1) & 0xffff) if (!this.#get(s)) unsent++;
    const sent = span - unsent;
    return sent > 0 ? Math.max(0, fraction * span - unsent) / sent : 0;
  }

  #get(seq: number): boolean {
    return (this.#bits[seq >> 3]! & (1 << (seq & 7))) !== 0;
  }

  #set(seq: number, on: boolean): void {
    const [i, bit] = [seq >> 3, 1 << (seq & 7)];
    this.#bits[i] = on ? this.#bits[i]! | bit : this.#bits[i]! & ~bit;
  }
}
