/**
 * Call sounds made with WebAudio (no sound files): a bright repeating ring for an incoming call
 * and the classic 440+480 Hz ringback while our own call rings. Browsers keep audio silent until
 * the page has had a user gesture; by the time calls happen it almost always has.
 */

export type RingKind = "incoming" | "outgoing";

const PATTERNS: Record<RingKind, { periodMs: number; play: (ctx: AudioContext, t0: number) => void }> = {
  incoming: {
    periodMs: 2600,
    play: (ctx, t0) => {
      // Two quick rising pairs: noticeable without being shrill.
      [0, 0.18, 0.5, 0.68].forEach((at, i) => tone(ctx, [i % 2 ? 988 : 784], t0 + at, 0.16, 0.14));
    },
  },
  outgoing: {
    periodMs: 4000,
    play: (ctx, t0) => tone(ctx, [440, 480], t0, 1.4, 0.05),
  },
};

function tone(ctx: AudioContext, freqs: number[], at: number, duration: number, volume: number): void {
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(volume, at + 0.02);
  gain.gain.setValueAtTime(volume, at + duration - 0.04);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + duration);
  gain.connect(ctx.destination);
  for (const f of freqs) {
    const osc = ctx.createOscillator();
    osc.type = "sine";
    osc.frequency.value = f;
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + duration + 0.02);
  }
}

let ctx: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
let playing: RingKind | null = null;

export function startRingtone(kind: RingKind): void {
  if (playing === kind) return;
  stopRingtone();
  if (typeof AudioContext === "undefined") return;
  try {
    ctx = new AudioContext();
  } catch {
    return;
  }
  playing = kind;
  const audio = ctx;
  const { periodMs, play } = PATTERNS[kind];
  const ring = () => ctx === audio && audio.state === "running" && play(audio, audio.currentTime + 0.05);
  void audio.resume().then(ring, () => {});
  timer = setInterval(ring, periodMs);
}

export function stopRingtone(): void {
  clearInterval(timer);
  timer = undefined;
  playing = null;
  void ctx?.close().catch(() => {});
  ctx = null;
}
