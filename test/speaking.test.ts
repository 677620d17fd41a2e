/** Speaking detection from audio samples (the pure part of src/client/rtc/speaking.ts). */
import { describe, expect, test } from "bun:test";
import { lastLoudAgo } from "../src/client/rtc/speaking";

const RATE = 48_000;

/** `ms` of silence with a 20 ms 400 Hz beep (like Chromium's fake microphone) starting at `beepAt` ms. */
function audio(ms: number, beepAt: number | null): Float32Array {
  const out = new Float32Array((ms * RATE) / 1000);
  if (beepAt === null) return out;
  const from = (beepAt * RATE) / 1000;
  for (let i = 0; i < (20 * RATE) / 1000; i++) out[from + i] = 0.5 * Math.sin((2 * Math.PI * 400 * i) / RATE);
  return out;
}

describe("speaking meter", () => {
  test("a short beep anywhere in the audio since the last read counts, with how long ago it ended", () => {
    const fresh = (200 * RATE) / 1000;
    for (const beepAt of [300, 350, 420, 470]) {
      const ago = lastLoudAgo(audio(500, beepAt), RATE, fresh);
      expect(ago).not.toBeNull();
      expect(Math.abs(ago! - (500 - beepAt - 20))).toBeLessThanOrEqual(10);
    }
  });

  test("silence, near-silence and a beep older than the fresh part do not count", () => {
    const fresh = (200 * RATE) / 1000;
    expect(lastLoudAgo(audio(500, null), RATE, fresh)).toBeNull();
    expect(lastLoudAgo(audio(500, null).fill(0.005), RATE, fresh)).toBeNull();
    expect(lastLoudAgo(audio(500, 100), RATE, fresh)).toBeNull();
  });

  test("a read that came late looks back over the whole window", () => {
    expect(lastLoudAgo(audio(500, 20), RATE, 10 * RATE)).not.toBeNull();
  });
});
