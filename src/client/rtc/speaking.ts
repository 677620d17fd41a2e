/**
 * Who is speaking, from the audio itself: the page's AudioContext, an AnalyserNode per microphone
 * track, read a few times a second. Each read covers all the audio since the previous one, cut
 * into short blocks: a voice counts as speaking when any block is above a small level, and
 * stays so for a moment after that block, so the highlight does not flicker between words.
 * (Reading only the newest few milliseconds each time missed most of the audio: a short
 * syllable — or a fake microphone's beep — fell between reads.) Runs on every topology; on an
 * SFU the server's `sfu:speaker` (from RFC 6464 levels) rings a tile too.
 */
import { sharedAudio } from "./audio";

const SAMPLE_MS = 200;
const THRESHOLD = 0.015;
const HOLD_MS = 800;
/** The analyser's largest window (≈ 0.68 s at 48 kHz): a read covers reads that came late too. */
const WINDOW = 32768;
const BLOCK_MS = 10;

/**
 * How long ago (ms) the newest block above THRESHOLD ended, looking at the last `fresh` samples
 * of `buffer` (the newest last), or null when none is.
 */
export function lastLoudAgo(buffer: Float32Array, sampleRate: number, fresh: number): number | null {
  const block = Math.max(1, Math.round((sampleRate * BLOCK_MS) / 1000));
  const start = Math.max(0, buffer.length - fresh);
  for (let end = buffer.length; end > start; end -= block) {
    const from = Math.max(start, end - block);
    let sum = 0;
    for (let i = from; i < end; i++) sum += buffer[i]! * buffer[i]!;
    if (Math.sqrt(sum / (end - from)) > THRESHOLD) return ((buffer.length - end) * 1000) / sampleRate;
  }
  return null;
}

interface Watched {
  track: MediaStreamTrack;
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  buffer: Float32Array<ArrayBuffer>;
  lastLoud: number;
  lastRead: number;
  speaking: boolean;
}

export class SpeakingMeter {
  #ctx: AudioContext | null = null;
  readonly #watched = new Map<string, Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #onChange: (id: string, speaking: boolean) => void;

  constructor(onChange: (id: string, speaking: boolean) => void) {
    this.#onChange = onChange;
  }

  /** Measures `track` as `id`'s voice (null stops measuring them). */
  watch(id: string, track: MediaStreamTrack | null): void {
    const had = this.#watched.get(id);
    if (had?.track === track) return;
    if (had) this.#drop(id, had);
    if (!track) return;
    try {
      this.#ctx ??= sharedAudio();
      if (!this.#ctx) return;
      // A context made without a user gesture starts suspended; any later gesture may resume it.
      if (this.#ctx.state === "suspended") void this.#ctx.resume().catch(() => {});
      const source = this.#ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.#ctx.createAnalyser();
      analyser.fftSize = WINDOW;
      source.connect(analyser);
      const buffer = new Float32Array(analyser.fftSize);
      this.#watched.set(id, { track, source, analyser, buffer, lastLoud: -Infinity, lastRead: performance.now(), speaking: false });
    } catch {
      return;
    }
    this.#timer ??= setInterval(() => this.#sample(), SAMPLE_MS);
  }

  #sample(): void {
    const now = performance.now();
    const rate = this.#ctx?.sampleRate ?? 48_000;
    for (const [id, w] of this.#watched) {
      w.analyser.getFloatTimeDomainData(w.buffer);
      // Only what arrived since the last read (plus a block of overlap), at most the whole window.
      const fresh = Math.ceil(((now - w.lastRead + BLOCK_MS) * rate) / 1000);
      w.lastRead = now;
      const ago = w.track.enabled ? lastLoudAgo(w.buffer, rate, fresh) : null;
      if (ago !== null) w.lastLoud = Math.max(w.lastLoud, now - ago);
      const speaking = now - w.lastLoud < HOLD_MS;
      if (speaking !== w.speaking) {
        w.speaking = speaking;
        this.#onChange(id, speaking);
      }
    }
  }

  #drop(id: string, w: Watched): void {
    w.source.disconnect();
    this.#watched.delete(id);
    if (w.speaking) this.#onChange(id, false);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const [id, w] of this.#watched) this.#drop(id, w);
    this.#ctx = null;
  }
}
