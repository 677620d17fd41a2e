/**
 * The people in a call. LocalParticipant owns our camera, microphone and screen capture and says
 * which track each source sends; RemoteParticipant is what we know of another: their announced
 * media, the tracks we receive from them by source, their link's state and quality.
 */
import type { CallMedia } from "../../shared/protocol";
import { Emitter } from "./emitter";
import { LocalMedia, describeMediaError, type CameraUse, type InputKind } from "./local-media";
import type { MediaSource } from "./peer-link";
import type { CallQuality } from "./quality";
import type { DeviceState, MediaFlags } from "./types";

export interface LocalEvents {
  /** A source now sends this track (or nothing). */
  publish: { source: MediaSource; track: MediaStreamTrack | null };
  /** Camera and microphone (a new object whenever its tracks change). */
  stream: MediaStream;
  screen: MediaStream | null;
  media: MediaFlags;
  devices: DeviceState;
  error: string;
}

export class LocalParticipant {
  readonly events = new Emitter<LocalEvents>();
  readonly #media: LocalMedia;
  readonly #ask: CallMedia;
  /** Opened before the call (a pre-join screen's): taken over as it is, mute state included. */
  readonly #prepared: boolean;
  #opening: Promise<void> | null = null;
  #screen: MediaStream | null = null;
  #speaker: string | null = null;
  #closed = false;

  constructor(media: CallMedia, prepared?: LocalMedia) {
    this.#ask = media;
    this.#media = prepared ?? new LocalMedia();
    this.#prepared = prepared !== undefined;
    navigator.mediaDevices?.addEventListener("devicechange", this.#onDeviceChange);
  }

  /** Opens the camera and microphone the call asks for (once). */
  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    const error = this.#prepared ? null : await this.#media.open(this.#ask);
    if (this.#closed) return this.#media.stop();
    if (error) this.events.emit("error", error);
    this.events.emit("publish", { source: "microphone", track: this.#media.track("audio") ?? null });
    this.events.emit("publish", { source: "camera", track: this.#media.track("video") ?? null });
    this.#changed();
    await this.#emitDevices();
  }

  track(source: MediaSource): MediaStreamTrack | null {
    if (source === "screen") return this.#screen?.getVideoTracks()[0] ?? null;
    return this.#media.track(source === "microphone" ? "audio" : "video") ?? null;
  }

  get flags(): MediaFlags {
    return { audio: this.#media.enabled("audio"), video: this.#media.enabled("video"), screen: this.#screen !== null };
  }

  /** For the recorder and the self view. */
  get stream(): MediaStream {
    return this.#media.stream;
  }

  #changed(): void {
    this.events.emit("stream", new MediaStream(this.#media.stream.getTracks()));
    this.events.emit("media", this.flags);
  }

  setMicrophone(on: boolean): void {
    this.#media.setEnabled("audio", on);
    this.events.emit("media", this.flags);
  }

  async setCamera(on: boolean): Promise<void> {
    // A voice call (or a camera that failed to open) has no live video track: open one.
    if (on && this.#media.track("video")?.readyState !== "live") return this.switchDevice("videoinput");
    this.#media.setEnabled("video", on);
    this.events.emit("media", this.flags);
  }

  /** What the camera is captured for (the transport's need); an open camera is resized in place. */
  setCameraUse(use: CameraUse): void {
    void this.#media.setCameraUse(use);
  }

  /** Another camera or microphone: the new track replaces the old on every link (no renegotiation). */
  async switchDevice(kind: InputKind, deviceId?: string): Promise<void> {
    let swap: Awaited<ReturnType<LocalMedia["replace"]>>;
    try {
      swap = await this.#media.replace(kind, deviceId);
    } catch (err) {
      return this.events.emit("error", err instanceof Error ? err.message : String(err));
    }
    if (this.#closed) return swap.next.stop();
    this.events.emit("publish", { source: kind === "videoinput" ? "camera" : "microphone", track: swap.next });
    swap.previous?.stop();
    this.#changed();
    await this.#emitDevices();
  }

  /** Remembers the chosen output; the views apply it with setSinkId. */
  setSpeaker(deviceId: string): void {
    this.#speaker = deviceId;
    void this.#emitDevices();
  }

  readonly #onDeviceChange = () => void this.#emitDevices();

  async #emitDevices(): Promise<void> {
    const state = await this.#media.deviceState(this.#speaker);
    if (!this.#closed) this.events.emit("devices", state);
  }

  /** Call from a click: getDisplayMedia needs a user gesture. Resolves true when sharing began. */
  async startScreenShare(): Promise<boolean> {
    if (this.#screen) return false;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch (err) {
      // Dismissing the browser's picker is a choice, not an error.
      if (!(err instanceof DOMException && err.name === "NotAllowedError")) this.events.emit("error", describeMediaError(err, "screen"));
      return false;
    }
    if (this.#closed) {
      stream.getTracks().forEach((t) => t.stop());
      return false;
    }
    this.#screen = stream;
    // The browser's own "Stop sharing" bar ends the track.
    stream.getVideoTracks()[0]?.addEventListener("ended", () => this.stopScreenShare());
    this.events.emit("publish", { source: "screen", track: this.track("screen") });
    this.events.emit("screen", stream);
    this.events.emit("media", this.flags);
    return true;
  }

  stopScreenShare(): void {
    const stream = this.#screen;
    if (!stream) return;
    this.#screen = null;
    this.events.emit("publish", { source: "screen", track: null });
    stream.getTracks().forEach((t) => t.stop());
    this.events.emit("screen", null);
    this.events.emit("media", this.flags);
  }

  /** Idempotent: stops every capture. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    navigator.mediaDevices?.removeEventListener("devicechange", this.#onDeviceChange);
    this.#screen?.getTracks().forEach((t) => t.stop());
    this.#screen = null;
    this.#media.stop();
    this.events.clear();
  }
}

/** What the UI shows of another participant (a plain value, new on every change). */
export interface ParticipantView {
  id: string;
  media: MediaFlags;
  /** Microphone and camera. */
  stream: MediaStream | null;
  /** Only while they say they share. */
  screen: MediaStream | null;
  connection: RTCPeerConnectionState;
  /** Unreachable: away, or the link went down and is not connected again yet (see RemoteParticipant.lost). */
  lost: boolean;
  quality: CallQuality | null;
  /** The server says their socket dropped; they have a few seconds to come back. */
  away: boolean;
  /** Their voice is above the speaking level (measured here). */
  speaking: boolean;
}

export class RemoteParticipant {
  readonly id: string;
  media: MediaFlags;
  quality: CallQuality | null = null;
  away = false;
  speaking = false;
  readonly #tracks = new Map<MediaSource, MediaStreamTrack>();
  #stream: MediaStream | null = null;
  #screen: MediaStream | null = null;
  #connection: RTCPeerConnectionState = "new";
  /** The link failed or disconnected and has not been connected since, fresh links (a new transport) included. */
  #down = false;

  constructor(id: string, media: MediaFlags) {
    this.id = id;
    this.media = media;
  }

  get connection(): RTCPeerConnectionState {
    return this.#connection;
  }

  set connection(state: RTCPeerConnectionState) {
    this.#connection = state;
    if (state === "connected") this.#down = false;
    else if (state === "failed" || state === "disconnected") this.#down = true;
  }

  /** Their new page starts a fresh link of its own: nothing of ours is being mended. */
  restartLink(): void {
    this.#connection = "new";
    this.#down = false;
  }

  setTrack(source: MediaSource, track: MediaStreamTrack): void {
    this.#tracks.set(source, track);
    this.#rebuild();
  }

  /** A fresh link: what the old one received is gone. */
  clearTracks(): void {
    this.#tracks.clear();
    this.#rebuild();
  }

  #rebuild(): void {
    const main = [this.#tracks.get("microphone"), this.#tracks.get("camera")].filter((t): t is MediaStreamTrack => !!t);
    // New MediaStream objects, so views notice the change.
    this.#stream = main.length ? new MediaStream(main) : null;
    const screen = this.#tracks.get("screen");
    this.#screen = screen ? new MediaStream([screen]) : null;
  }

  /**
   * True when they are unreachable: their socket is away, or the link went down and is not yet
   * connected again — through an ICE restart or fresh links, so a tile says "Reconnecting…" for
   * the whole mending, not just until the fresh link starts connecting.
   */
  get lost(): boolean {
    return this.away || this.#down;
  }

  view(): ParticipantView {
    return {
      id: this.id,
      media: { ...this.media },
      stream: this.#stream,
      screen: this.media.screen ? this.#screen : null,
      connection: this.connection,
      lost: this.lost,
      quality: this.quality,
      away: this.away,
      speaking: this.speaking,
    };
  }
}
