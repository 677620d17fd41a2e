/**
 * Records a call on this device: both videos composed on a canvas (the other side, or their
 * screen share, large; our camera as an inset) and both audios mixed with WebAudio, fed to a
 * MediaRecorder. Nothing leaves the browser; the result is a .webm Blob for a download link.
 */

export interface RecordingSources {
  /** Shown large: the other side's screen share if any, else their camera. */
  main: MediaStream | null;
  /** The small corner picture: our camera. */
  inset: MediaStream | null;
  /** Every stream whose audio goes into the mix. */
  audio: (MediaStream | null)[];
}

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
const MIME_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];

/** A muted, playing <video> for a stream: the canvas can only draw from an element. */
function sourceVideo(): HTMLVideoElement {
  const v = document.createElement("video");
  v.muted = true;
  v.playsInline = true;
  return v;
}

function bind(v: HTMLVideoElement, stream: MediaStream | null): void {
  if (v.srcObject === stream) return;
  v.srcObject = stream;
  if (stream) void v.play().catch(() => {});
}

/** Draws a video scaled to fit (letterboxed) inside the box. */
function drawFit(ctx: CanvasRenderingContext2D, v: HTMLVideoElement, x: number, y: number, w: number, h: number): boolean {
  if (v.readyState < 2 || !v.videoWidth) return false;
  const scale = Math.min(w / v.videoWidth, h / v.videoHeight);
  const dw = v.videoWidth * scale;
  const dh = v.videoHeight * scale;
  ctx.drawImage(v, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  return true;
}

export class CallRecorder {
  readonly #sources: () => RecordingSources;
  readonly #canvas = document.createElement("canvas");
  readonly #main = sourceVideo();
  readonly #inset = sourceVideo();
  #audio: AudioContext | null = null;
  #mix: MediaStreamAudioDestinationNode | null = null;
  #mixed = new Map<string, MediaStreamAudioSourceNode>();
  #recorder: MediaRecorder | null = null;
  #chunks: Blob[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Set between stop() and the last slice being written; no new recording starts meanwhile. */
  #stopping = false;

  constructor(sources: () => RecordingSources) {
    this.#sources = sources;
    this.#canvas.width = WIDTH;
    this.#canvas.height = HEIGHT;
  }

  static supported(): boolean {
    return typeof MediaRecorder !== "undefined" && typeof HTMLCanvasElement.prototype.captureStream === "function";
  }

  /** Call from a click: the AudioContext needs a user gesture to run. */
  start(): void {
    if (this.#recorder || this.#stopping) return;
    this.#audio = new AudioContext();
    void this.#audio.resume().catch(() => {});
    this.#mix = this.#audio.createMediaStreamDestination();
    this.#draw();
    // A timer, not requestAnimationFrame: rAF stops in a background tab and the recording would freeze.
    this.#timer = setInterval(() => this.#draw(), 1000 / FPS);
    const out = new MediaStream([...this.#canvas.captureStream(FPS).getVideoTracks(), ...this.#mix.stream.getAudioTracks()]);
    const mimeType = MIME_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    this.#recorder = new MediaRecorder(out, { mimeType, videoBitsPerSecond: 2_500_000 });
    this.#chunks = [];
    this.#recorder.ondataavailable = (e) => e.data.size > 0 && this.#chunks.push(e.data);
    // Slices of one second, so a crash mid-call loses at most a second of what was recorded.
    this.#recorder.start(1000);
  }

  #draw(): void {
    const src = this.#sources();
    this.#syncAudio(src.audio);
    bind(this.#main, src.main);
    bind(this.#inset, src.inset);
    const ctx = this.#canvas.getContext("2d");
    if (!ctx) return;
    ctx.fillStyle = "#18181b";
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    drawFit(ctx, this.#main, 0, 0, WIDTH, HEIGHT);
    const w = 320;
    const h = 180;
    const x = WIDTH - w - 24;
    const y = HEIGHT - h - 24;
    ctx.save();
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, 12);
    ctx.clip();
    ctx.fillStyle = "#27272a";
    ctx.fillRect(x, y, w, h);
    drawFit(ctx, this.#inset, x, y, w, h);
    ctx.restore();
  }

  /** Adds newly appeared audio tracks to the mix and drops ended ones (tracks change on device switch or reconnect). */
  #syncAudio(streams: (MediaStream | null)[]): void {
    if (!this.#audio || !this.#mix) return;
    const live = new Map<string, MediaStreamTrack>();
    for (const s of streams) for (const t of s?.getAudioTracks() ?? []) if (t.readyState === "live") live.set(t.id, t);
    for (const [id, node] of this.#mixed) {
      if (!live.has(id)) {
        node.disconnect();
        this.#mixed.delete(id);
      }
    }
    for (const [id, track] of live) {
      if (this.#mixed.has(id)) continue;
      const node = this.#audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.#mix);
      this.#mixed.set(id, node);
    }
  }

  /** Stops and returns the recording (empty Blob if nothing was recorded). */
  stop(): Promise<Blob> {
    const rec = this.#recorder;
    if (!rec) return Promise.resolve(new Blob([], { type: "video/webm" }));
    this.#recorder = null;
    this.#stopping = true;
    return new Promise<Blob>((resolve) => {
      const finish = () => {
        this.#stopping = false;
        resolve(new Blob(this.#chunks, { type: "video/webm" }));
        this.#chunks = [];
        // Only now: the last slice is written after stop() returns.
        this.#teardown(rec);
      };
      if (rec.state === "inactive") return finish();
      rec.onstop = finish;
      rec.stop();
    });
  }

  #teardown(rec: MediaRecorder): void {
    clearInterval(this.#timer);
    rec.stream.getTracks().forEach((t) => t.stop());
    for (const node of this.#mixed.values()) node.disconnect();
    this.#mixed.clear();
    void this.#audio?.close().catch(() => {});
    this.#audio = null;
    this.#mix = null;
    bind(this.#main, null);
    bind(this.#inset, null);
  }
}
