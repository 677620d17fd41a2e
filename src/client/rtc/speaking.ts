/**
 * Who is speaking, from the audio itself: one AudioContext, an AnalyserNode per microphone
 * track, sampled a few times a second. A voice counts as speaking above a small level and stays
 * so for a moment after, so the highlight does not flicker between words. Used where no server
 * measures it (p2p and mesh); an SFU's `speaking` flags come with the call's snapshots instead.
 */
const SAMPLE_MS = 200;
const THRESHOLD = 0.015;
const HOLD_MS = 800;

interface Watched {
  track: MediaStreamTrack;
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  buffer: Float32Array<ArrayBuffer>;
  lastLoud: number;
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
    if (!track || typeof AudioContext === "undefined") return;
    try {
      this.#ctx ??= new AudioContext();
      // A context made without a user gesture starts suspended; any later gesture may resume it.
      if (this.#ctx.state === "suspended") void this.#ctx.resume().catch(() => {});
      const source = this.#ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.#ctx.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      this.#watched.set(id, { track, source, analyser, buffer: new Float32Array(analyser.fftSize), lastLoud: 0, speaking: false });
    } catch {
      return;
    }
    this.#timer ??= setInterval(() => this.#sample(), SAMPLE_MS);
  }

  #sample(): void {
    const now = performance.now();
    for (const [id, w] of this.#watched) {
      w.analyser.getFloatTimeDomainData(w.buffer);
      let sum = 0;
      for (const v of w.buffer) sum += v * v;
      const rms = Math.sqrt(sum / w.buffer.length);
      if (rms > THRESHOLD && w.track.enabled) w.lastLoud = now;
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
    void this.#ctx?.close().catch(() => {});
    this.#ctx = null;
  }
}
