/**
 * Active speaker from RFC 6464 audio levels: the loudest participant over each tick, held
 * through short pauses so the highlighted tile does not flicker between words.
 */

/** Quieter than this (about -50 dBov) is not speech. */
const SPEECH_LEVEL = 0.6;
/** Ticks of silence before the current speaker is dropped. */
const HOLD_TICKS = 3;

export class SpeakerMeter {
  #peaks = new Map<string, number>();
  #speaker: string | null = null;
  #silent = 0;

  hear(participantId: string, level: number): void {
    if (level > (this.#peaks.get(participantId) ?? 0)) this.#peaks.set(participantId, level);
  }

  forget(participantId: string): void {
    this.#peaks.delete(participantId);
    if (this.#speaker === participantId) this.#speaker = null;
  }

  /** Closes one tick; returns the levels when the speaker changed, else null. */
  tick(): { participantId: string | null; levels: Record<string, number> } | null {
    const levels = Object.fromEntries([...this.#peaks].map(([id, l]) => [id, Math.round(l * 100) / 100]));
    let loudest: string | null = null;
    for (const [id, level] of this.#peaks) if (level >= SPEECH_LEVEL && (loudest === null || level > this.#peaks.get(loudest)!)) loudest = id;
    this.#peaks.clear();
    let next = this.#speaker;
    if (loudest !== null) {
      this.#silent = 0;
      next = loudest;
    } else if (++this.#silent >= HOLD_TICKS) next = null;
    if (next === this.#speaker) return null;
    this.#speaker = next;
    return { participantId: next, levels };
  }
}
