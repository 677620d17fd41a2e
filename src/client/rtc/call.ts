/**
 * One call on this device, whatever its topology: an explicit state, our LocalParticipant, the
 * RemoteParticipants by user id, and one MediaTransport that carries the tracks. Inputs are
 * method calls (from the server's events and the user's clicks); everything it has to say comes
 * out as typed events. It holds no reference to the UI, the store or the socket.
 */
import type { CallMedia } from "../../shared/protocol";
import { Emitter } from "./emitter";
import type { LocalMedia } from "./local-media";
import { LocalParticipant, RemoteParticipant, type ParticipantView } from "./participant";
import type { Signal } from "./peer";
import { SOURCES } from "./peer-link";
import { CallRecorder } from "./recorder";
import { SpeakingMeter } from "./speaking";
import type { LinkInfo, MediaTransport } from "./transport";
import { MeshTransport, type MeshOptions } from "./transports/mesh";
import type { DeviceState, MediaFlags, RecordingState, RtcEvent, SessionFrame } from "./types";

/**
 * idle → preparing (links made while it rings, nothing sent) → connecting → connected ⇄
 * reconnecting (nobody reachable) → ended. Only #set changes it.
 */
export type CallState = "idle" | "preparing" | "connecting" | "connected" | "reconnecting" | "ended";

export interface CallOptions {
  callId: string;
  media: CallMedia;
  /** Who yields in an offer collision on the link to `remoteId` (both ends must agree). */
  polite: (remoteId: string) => boolean;
  iceConfig: () => Promise<RTCConfiguration>;
  send: (frame: SessionFrame) => void;
  /** Camera and microphone opened before the call (a pre-join screen's): the call takes them over. */
  localMedia?: LocalMedia;
  /** The topology; a mesh unless told otherwise. */
  transport?: (opts: MeshOptions) => MediaTransport;
}

export interface CallEvents {
  state: { next: CallState; prev: CallState };
  "local-stream": MediaStream;
  "local-screen": MediaStream | null;
  "local-media": MediaFlags;
  "local-speaking": boolean;
  participant: ParticipantView;
  "participant-left": string;
  recording: RecordingState;
  devices: DeviceState;
  /** A sentence for the user. */
  error: string;
}

const LIVE: CallState[] = ["connecting", "connected", "reconnecting"];

export class Call {
  readonly id: string;
  readonly events = new Emitter<CallEvents>();
  readonly local: LocalParticipant;
  readonly participants = new Map<string, RemoteParticipant>();
  readonly #opts: CallOptions;
  #transport: MediaTransport;
  #state: CallState = "idle";
  #recorder: CallRecorder | null = null;
  /** Our own voice is measured under this key (never a participant id: those are non-empty ids). */
  static readonly #SELF = "";
  readonly #meter = new SpeakingMeter((id, on) =>
    id === Call.#SELF ? this.events.emit("local-speaking", on) : this.#update(id, (p) => (p.speaking = on)),
  );

  constructor(opts: CallOptions) {
    this.#opts = opts;
    this.id = opts.callId;
    this.local = new LocalParticipant(opts.media, opts.localMedia);
    this.#transport = (opts.transport ?? ((o: MeshOptions) => new MeshTransport(o)))(this.#transportOptions(true));
    this.local.setCameraUse(this.#transport.cameraUse);
    this.#wireLocal();
    this.#wireTransport();
  }

  #transportOptions(hold: boolean): MeshOptions {
    return { polite: this.#opts.polite, iceConfig: this.#opts.iceConfig, send: (to, s) => this.#signal(to, s), hold };
  }

  /**
   * Moves the call onto another topology (the server escalated mesh → sfu): the old transport
   * closes, the new one gets our tracks and the same participants; their tracks come from it.
   */
  switchTransport(make: (opts: MeshOptions) => MediaTransport): void {
    if (this.#state === "ended") return;
    this.#transport.close();
    this.#transport = make(this.#transportOptions(!LIVE.includes(this.#state)));
    this.#wireTransport();
    this.local.setCameraUse(this.#transport.cameraUse);
    for (const source of SOURCES) this.#transport.publish(source, this.local.track(source));
    for (const id of this.participants.keys()) {
      this.#meter.watch(id, null);
      this.#update(id, (p) => {
        p.clearTracks();
        p.connection = "new";
      });
      this.#transport.addPeer(id);
    }
    if (LIVE.includes(this.#state)) this.#transport.release();
  }

  get state(): CallState {
    return this.#state;
  }

  #set(next: CallState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    this.events.emit("state", { next, prev });
  }

  #wireLocal(): void {
    const e = this.local.events;
    e.on("publish", ({ source, track }) => {
      this.#transport.publish(source, track);
      if (source === "microphone") this.#meter.watch(Call.#SELF, track);
    });
    e.on("stream", (s) => this.events.emit("local-stream", s));
    e.on("screen", (s) => this.events.emit("local-screen", s));
    e.on("media", (flags) => this.#announce(flags));
    e.on("devices", (d) => this.events.emit("devices", d));
    e.on("error", (m) => this.events.emit("error", m));
  }

  #wireTransport(): void {
    const e = this.#transport.events;
    e.on("track", ({ peer, source, track }) => {
      this.#update(peer, (p) => p.setTrack(source, track));
      if (source === "microphone" && this.participants.has(peer)) this.#meter.watch(peer, track);
    });
    e.on("connection", ({ peer, state }) => {
      this.#update(peer, (p) => (p.connection = state));
      this.#settle();
    });
    e.on("quality", ({ peer, quality }) => this.#update(peer, (p) => (p.quality = quality)));
    e.on("error", (m) => this.events.emit("error", m));
  }

  #update(id: string, change: (p: RemoteParticipant) => void): void {
    const p = this.participants.get(id);
    if (!p) return;
    change(p);
    this.events.emit("participant", p.view());
  }

  /** connected while anyone is reachable, reconnecting once nobody is. */
  #settle(): void {
    if (!LIVE.includes(this.#state)) return;
    const all = [...this.participants.values()];
    if (all.some((p) => p.connection === "connected" && !p.lost)) this.#set("connected");
    else if (all.length && all.every((p) => p.lost)) this.#set("reconnecting");
    else if (this.#state === "reconnecting") this.#set("connecting");
  }

  /** Opens the camera and microphone the call asks for. */
  start(): Promise<void> {
    return this.local.open();
  }

  #join(id: string): void {
    if (this.participants.has(id)) return;
    // Until their first call:media, assume they send what the call was made with.
    const p = new RemoteParticipant(id, { audio: this.#opts.media.audio, video: this.#opts.media.video, screen: false });
    this.participants.set(id, p);
    this.#transport.addPeer(id);
    this.events.emit("participant", p.view());
  }

  /**
   * Makes the links ahead of connect(), while the call rings: the impolite side sets its offer
   * (ICE gathering starts), but nothing leaves this device before connect() — the server relays
   * rtc:* only for active calls.
   */
  prepare(remoteIds: string[]): void {
    if (this.#state !== "idle") return;
    this.#set("preparing");
    for (const id of remoteIds) this.#join(id);
  }

  /**
   * The call is live: what was prepared is sent. Called again while live (our socket came back),
   * every link starts afresh, as the other side does.
   */
  connect(remoteIds: string[]): void {
    if (this.#state === "ended") return;
    if (LIVE.includes(this.#state)) {
      for (const id of this.participants.keys()) this.restart(id);
    } else this.#set("connecting");
    for (const id of remoteIds) this.#join(id);
    this.#transport.release();
    // Once media is open: before that we would tell the others we are muted.
    void this.start().then(() => this.#announce(this.local.flags));
  }

  /** The server's list of who else is in: links to newcomers, none to those who left. */
  sync(remoteIds: string[]): void {
    if (!LIVE.includes(this.#state)) return;
    for (const id of [...this.participants.keys()]) if (!remoteIds.includes(id)) this.leave(id);
    for (const id of remoteIds) this.#join(id);
  }

  /** They came back with a new page or socket: their old link is gone, start a fresh one. */
  restart(id: string): void {
    if (this.#state === "ended" || !this.participants.has(id)) return;
    this.#meter.watch(id, null);
    this.#update(id, (p) => {
      p.clearTracks();
      p.restartLink();
      p.away = false;
    });
    this.#transport.restartPeer(id);
    this.#settle();
  }

  leave(id: string): void {
    if (!this.participants.delete(id)) return;
    this.#meter.watch(id, null);
    this.#transport.removePeer(id);
    this.events.emit("participant-left", id);
    this.#settle();
  }

  /** The server says their socket dropped (or came back). */
  setAway(id: string, away: boolean): void {
    this.#update(id, (p) => (p.away = away));
    this.#settle();
  }

  handleSignal(e: RtcEvent): void {
    if (this.#state === "ended" || e.callId !== this.id) return;
    const signal: Signal =
      e.type === "rtc:ice" ? { kind: "ice", candidate: e.candidate } : { kind: e.type === "rtc:offer" ? "offer" : "answer", sdp: e.sdp };
    this.#transport.handleSignal(e.from, signal);
  }

  /** Another participant's announced microphone, camera and share state. */
  handleRemoteMedia(id: string, flags: MediaFlags): void {
    this.#update(id, (p) => (p.media = flags));
  }

  #signal(to: string, s: Signal): void {
    const base = { callId: this.id, to, channel: "main" as const };
    if (s.kind === "ice") this.#opts.send({ type: "rtc:ice", ...base, candidate: s.candidate as never });
    else this.#opts.send({ type: s.kind === "offer" ? "rtc:offer" : "rtc:answer", ...base, sdp: s.sdp });
  }

  /** Tells the UI, and once live the others, what we send. */
  #announce(flags: MediaFlags): void {
    this.events.emit("local-media", flags);
    if (LIVE.includes(this.#state)) this.#opts.send({ type: "call:media", callId: this.id, ...flags });
  }

  setMicrophone(on: boolean): void {
    this.local.setMicrophone(on);
  }

  setCamera(on: boolean): Promise<void> {
    return this.local.setCamera(on);
  }

  /** Call from a click: getDisplayMedia needs a user gesture. */
  startScreenShare(): Promise<boolean> {
    return this.local.startScreenShare();
  }

  stopScreenShare(): void {
    this.local.stopScreenShare();
  }

  /** Call from a click (WebAudio needs a gesture). */
  startRecording(): void {
    if (this.#recorder) return;
    if (!CallRecorder.supported()) return this.events.emit("error", "Recording isn't supported in this browser.");
    this.#recorder = new CallRecorder(() => {
      const views = [...this.participants.values()].map((p) => p.view());
      const featured = views.find((v) => v.screen)?.screen ?? views.find((v) => v.stream)?.stream ?? null;
      return { main: featured, inset: this.local.stream, audio: [this.local.stream, ...views.map((v) => v.stream)] };
    });
    this.#recorder.start();
    this.events.emit("recording", { status: "recording", since: Date.now() });
  }

  /** Stops recording; the finished file is a blob: URL to download. */
  async stopRecording(): Promise<RecordingState> {
    const rec = this.#recorder;
    if (!rec) return { status: "idle" };
    this.#recorder = null;
    this.events.emit("recording", { status: "saving" });
    const blob = await rec.stop();
    const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, "-");
    const done: RecordingState = { status: "done", url: URL.createObjectURL(blob), size: blob.size, fileName: `parley-call-${stamp}.webm` };
    this.events.emit("recording", done);
    return done;
  }

  /** The live peer connections (diagnostics and tests). */
  links(): LinkInfo[] {
    return this.#transport.links();
  }

  /** Ends everything; a recording in progress is finished and returned. Idempotent. */
  async close(): Promise<RecordingState | null> {
    if (this.#state === "ended") return null;
    this.#set("ended");
    // The recording first, while its sources still play.
    const recording = this.#recorder ? await this.stopRecording() : null;
    this.#meter.close();
    this.#transport.close();
    this.local.close();
    this.participants.clear();
    this.events.clear();
    return recording;
  }
}
