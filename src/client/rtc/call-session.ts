/**
 * One call on this device: local media, the main peer connection (camera, microphone and the
 * in-call chat channel), screen sharing on a second connection, recording and quality. Inputs
 * are method calls (handle…, set…, start…); everything it has to say comes out as typed events.
 * It holds no reference to the UI or the store.
 */
import { CallChat } from "./call-chat";
import { Emitter } from "./emitter";
import { LocalMedia, canChooseSpeaker, type InputKind } from "./local-media";
import { Peer, type Channel, type Signal } from "./peer";
import { QualityMonitor } from "./quality";
import { CallRecorder } from "./recorder";
import { ScreenShare } from "./screen-share";
import type { MediaFlags, RecordingState, RtcEvent, SessionEvents, SessionOptions } from "./types";

export class CallSession {
  readonly events = new Emitter<SessionEvents>();
  readonly #opts: SessionOptions;
  readonly #local = new LocalMedia();
  readonly #chat = new CallChat();
  readonly #screen: ScreenShare;
  #main: Promise<Peer | null> | null = null;
  #mainPc: RTCPeerConnection | null = null;
  /** Signals that arrived before connect(). */
  #early: Signal[] = [];
  #started: Promise<void> | null = null;
  #opening: Promise<string | null> | null = null;
  /** Counts connect() calls, so a slow older one cannot replace a newer connection. */
  #gen = 0;
  #remoteTracks = new Map<string, MediaStreamTrack>();
  #recorder: CallRecorder | null = null;
  #speaker: string | null = null;
  readonly #quality = new QualityMonitor(() => this.#mainPc, (q) => this.events.emit("quality", q));
  #closed = false;
  /** The main connection was made by prepare() and connect() has not taken it over yet. */
  #prepared = false;
  /** While set, the main connection's outgoing signals wait in #outbox (the call is not active yet). */
  #holding = false;
  #outbox: Signal[] = [];
  /** connect() was called: the call is active and the other side may hear from us. */
  #live = false;
  /** Transceivers given a local track with replaceTrack (sender.track updates only once that resolves). */
  #claimed = new WeakSet<RTCRtpTransceiver>();
  /** Tracks handed to a replaceTrack that has not resolved yet, per connection. */
  #attaching = new WeakMap<RTCPeerConnection, WeakSet<MediaStreamTrack>>();

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.#screen = new ScreenShare(() => this.#createPeer("screen"));
    this.#screen.events.on("local-screen", (s) => {
      this.events.emit("local-screen", s);
      this.#announce();
    });
    this.#screen.events.on("remote-screen", (s) => this.events.emit("remote-screen", s));
    this.#screen.events.on("error", (m) => this.events.emit("error", m));
    this.#chat.events.on("open", (open) => this.events.emit("chat-open", open));
    this.#chat.events.on("line", (line) => this.events.emit("chat", line));
    navigator.mediaDevices?.addEventListener("devicechange", this.#onDeviceChange);
  }

  /** Opens the camera and microphone the call asks for. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  /** getUserMedia alone (start() also lists devices afterwards). */
  #open(): Promise<string | null> {
    this.#opening ??= this.#local.open(this.#opts.media);
    return this.#opening;
  }

  async #start(): Promise<void> {
    const error = await this.#open();
    if (this.#closed) return this.#local.stop();
    if (error) this.events.emit("error", error);
    this.#publishLocal();
    this.#announce();
    await this.#emitDevices();
  }

  /**
   * (Re)creates the peer connections, once local media is ready; after a participant came back
   * both sides start fresh.
   */
  connect(): void {
    if (this.#closed) return;
    this.#live = true;
    if (this.#prepared) {
      // The connection made while it rang: send what it has said so far (the caller's offer, candidates).
      this.#prepared = false;
      this.#release();
    } else {
      void this.#main?.then((p) => p?.close());
      this.#holding = false;
      this.#outbox = [];
      this.#remoteTracks.clear();
      this.events.emit("remote-stream", null);
      const early = this.#early;
      this.#early = [];
      this.#main = this.#makeMain(++this.#gen, early);
    }
    this.#screen.reset();
    this.#quality.start();
    // Once media is open: before that we would tell the other side we are muted.
    void this.start().then(() => this.#announce());
  }

  /**
   * Makes the main connection ahead of connect(), while the call rings: the caller opens its media,
   * adds its tracks and sets its offer (ICE gathering starts), but nothing leaves this device before
   * connect() — the server relays rtc:* only for active calls. The callee just has its connection
   * ready for the caller's first offer. Undone by close().
   */
  prepare(): void {
    if (this.#closed || this.#main) return;
    this.#prepared = true;
    // The polite side says nothing before the caller's offer, which only comes once the call is active.
    this.#holding = !this.#opts.polite;
    const early = this.#early;
    this.#early = [];
    this.#main = this.#makeMain(++this.#gen, early);
  }

  #makeMain(gen: number, early: Signal[]): Promise<Peer | null> {
    // The caller's first offer carries its tracks; the callee answers at once and attaches its
    // tracks to the negotiated transceivers when its camera opens (replaceTrack, no renegotiation).
    const ready = this.#opts.polite ? Promise.resolve() : this.start();
    return ready
      .then(() => this.#createMain(gen))
      .then((peer) => {
        for (const s of early) void peer?.handle(s);
        return peer;
      });
  }

  #release(): void {
    this.#holding = false;
    const out = this.#outbox;
    this.#outbox = [];
    for (const s of out) this.#signal("main", s);
  }

  async #createPeer(channel: Channel, beforeFirstAnswer?: () => void): Promise<Peer | null> {
    let config: RTCConfiguration;
    try {
      config = await this.#opts.iceConfig();
    } catch {
      this.events.emit("error", "Could not get connection details from the server.");
      return null;
    }
    if (this.#closed) return null;
    return new Peer({ channel, polite: this.#opts.polite, config, send: (s) => this.#outgoing(channel, s), beforeFirstAnswer });
  }

  async #createMain(gen: number): Promise<Peer | null> {
    let attach = () => {};
    // The caller opens every fresh connection and the callee answers with its media. If both
    // offered, perfect negotiation would roll the callee's first offer back, and Chromium then
    // sometimes gathers no ICE candidates at all for the answer (seen in the e2e suite).
    const peer = await this.#createPeer("main", this.#opts.polite ? () => attach() : undefined);
    if (!peer) return null;
    // connect() was called again meanwhile: that newer connection is the one.
    if (gen !== this.#gen) {
      peer.close();
      return null;
    }
    this.#mainPc = peer.pc;
    peer.events.on("state", (s) => this.events.emit("connection", s));
    peer.events.on("track", (e) => this.#onRemoteTrack(e.track));
    let answering = false;
    attach = () => {
      answering = true;
      this.#chat.attach(peer.pc);
      if (this.#opts.polite) {
        // Send on every audio/video m-line of the caller's offer, with or without a track yet.
        for (const t of peer.pc.getTransceivers()) {
          const kind = t.receiver.track.kind;
          if (t.direction === "stopped" || (kind !== "audio" && kind !== "video") || t.direction !== "recvonly") continue;
          t.direction = "sendrecv";
          t.sender.setStreams?.(this.#local.stream);
        }
      }
      this.#attachTracks(peer);
    };
    if (!this.#opts.polite) attach();
    // The callee's camera may open after its answer: its tracks go onto the answered transceivers then.
    else void this.#open().then(() => answering && this.#attachTracks(peer));
    return peer;
  }

  /** Puts local tracks that are not sent yet on a free sending transceiver of their kind, else adds them. */
  #attachTracks(peer: Peer): void {
    if (peer.closed || this.#closed) return;
    const pc = peer.pc;
    const sending = new Set(pc.getSenders().map((s) => s.track));
    let attaching = this.#attaching.get(pc);
    if (!attaching) this.#attaching.set(pc, (attaching = new WeakSet()));
    for (const track of this.#local.stream.getTracks()) {
      if (sending.has(track) || attaching.has(track)) continue;
      const free = pc
        .getTransceivers()
        .find(
          (t) =>
            t.direction !== "stopped" &&
            !t.sender.track &&
            !this.#claimed.has(t) &&
            t.receiver.track.kind === track.kind &&
            (t.direction === "sendrecv" || t.direction === "sendonly"),
        );
      if (free) {
        this.#claimed.add(free);
        attaching.add(track);
        free.sender.replaceTrack(track).catch((err) => {
          if (!peer.closed) console.warn("rtc: could not attach a local track", err);
        });
      } else pc.addTrack(track, this.#local.stream);
    }
  }

  #outgoing(channel: Channel, s: Signal): void {
    if (channel === "main" && this.#holding) this.#outbox.push(s);
    else this.#signal(channel, s);
  }

  #signal(channel: Channel, s: Signal): void {
    const base = { callId: this.#opts.callId, to: this.#opts.peerId, channel };
    if (s.kind === "ice") this.#opts.send({ type: "rtc:ice", ...base, candidate: s.candidate as never });
    else this.#opts.send({ type: s.kind === "offer" ? "rtc:offer" : "rtc:answer", ...base, sdp: s.sdp });
  }

  handleSignal(e: RtcEvent): void {
    if (this.#closed || e.callId !== this.#opts.callId || e.from !== this.#opts.peerId) return;
    const signal: Signal =
      e.type === "rtc:ice" ? { kind: "ice", candidate: e.candidate } : { kind: e.type === "rtc:offer" ? "offer" : "answer", sdp: e.sdp };
    if (e.channel === "screen") this.#screen.handleSignal(signal);
    else if (this.#main) void this.#main.then((p) => p?.handle(signal));
    else this.#early.push(signal);
  }

  /** The other side's mute and share state. */
  handleRemoteMedia(flags: MediaFlags): void {
    this.#screen.handleRemote(flags.screen);
  }

  #onRemoteTrack(track: MediaStreamTrack): void {
    this.#remoteTracks.set(track.kind, track);
    track.addEventListener("ended", () => {
      if (this.#remoteTracks.get(track.kind) !== track) return;
      this.#remoteTracks.delete(track.kind);
      this.#publishRemote();
    });
    this.#publishRemote();
  }

  #remoteStream(): MediaStream | null {
    return this.#remoteTracks.size ? new MediaStream([...this.#remoteTracks.values()]) : null;
  }

  /** New MediaStream objects each time, so views notice the change. */
  #publishRemote(): void {
    this.events.emit("remote-stream", this.#remoteStream());
  }

  #publishLocal(): void {
    this.events.emit("local-stream", new MediaStream(this.#local.stream.getTracks()));
  }

  /** Tells the UI, and once connecting the other side, what we send. */
  #announce(): void {
    const flags: MediaFlags = { audio: this.#local.enabled("audio"), video: this.#local.enabled("video"), screen: this.#screen.sharing };
    this.events.emit("local-media", flags);
    if (this.#live && this.#main && !this.#closed) this.#opts.send({ type: "call:media", callId: this.#opts.callId, ...flags });
  }

  setMicrophone(on: boolean): void {
    this.#local.setEnabled("audio", on);
    this.#announce();
  }

  async setCamera(on: boolean): Promise<void> {
    // A voice call (or a camera that failed to open) has no live video track: open one (renegotiates).
    if (on && this.#local.track("video")?.readyState !== "live") return this.switchDevice("videoinput");
    this.#local.setEnabled("video", on);
    this.#announce();
  }

  /** Moves the call to another camera or microphone without renegotiating (RTCRtpSender.replaceTrack). */
  async switchDevice(kind: InputKind, deviceId?: string): Promise<void> {
    let swap: Awaited<ReturnType<LocalMedia["replace"]>>;
    try {
      swap = await this.#local.replace(kind, deviceId);
    } catch (err) {
      return this.events.emit("error", err instanceof Error ? err.message : String(err));
    }
    if (this.#closed) return swap.next.stop();
    const peer = await this.#main;
    if (peer && !peer.closed) {
      const senders = peer.pc.getSenders();
      const sender = senders.find((s) => s.track === swap.previous) ?? senders.find((s) => s.track?.kind === swap.next.kind);
      if (sender) await sender.replaceTrack(swap.next);
      else this.#attachTracks(peer);
    }
    swap.previous?.stop();
    this.#publishLocal();
    this.#announce();
    await this.#emitDevices();
  }

  /** Remembers the chosen output; the views apply it with setSinkId. */
  setSpeaker(deviceId: string): void {
    this.#speaker = deviceId;
    void this.#emitDevices();
  }

  readonly #onDeviceChange = () => void this.#emitDevices();

  async #emitDevices(): Promise<void> {
    const lists = await this.#local.devices();
    if (this.#closed) return;
    this.events.emit("devices", {
      ...lists,
      camera: this.#local.deviceId("videoinput"),
      microphone: this.#local.deviceId("audioinput"),
      speaker: this.#speaker,
      canChooseSpeaker: canChooseSpeaker(),
    });
  }

  /** Call from a click: getDisplayMedia needs a user gesture. */
  startScreenShare(): Promise<boolean> {
    return this.#screen.start();
  }

  stopScreenShare(): void {
    this.#screen.stop();
  }

  /** False when the chat channel is not open yet. */
  sendChat(text: string): boolean {
    return this.#chat.send(text);
  }

  /** Call from a click (WebAudio needs a gesture). */
  startRecording(): void {
    if (this.#recorder) return;
    if (!CallRecorder.supported()) return this.events.emit("error", "Recording isn't supported in this browser.");
    this.#recorder = new CallRecorder(() => {
      const remote = this.#remoteStream();
      return { main: this.#screen.remote ?? remote, inset: this.#local.stream, audio: [this.#local.stream, remote] };
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

  /** The live peer connections (for diagnostics and tests). */
  peers(): { channel: Channel; pc: RTCPeerConnection }[] {
    const out: { channel: Channel; pc: RTCPeerConnection }[] = [];
    if (this.#mainPc && this.#mainPc.connectionState !== "closed") out.push({ channel: "main", pc: this.#mainPc });
    const screen = this.#screen.pc;
    if (screen) out.push({ channel: "screen", pc: screen });
    return out;
  }

  /** Ends everything; a recording in progress is finished and returned. Idempotent. */
  async close(): Promise<RecordingState | null> {
    if (this.#closed) return null;
    this.#closed = true;
    // The recording first, while its sources still play.
    const recording = this.#recorder ? await this.stopRecording() : null;
    navigator.mediaDevices?.removeEventListener("devicechange", this.#onDeviceChange);
    this.#quality.stop();
    void this.#main?.then((p) => p?.close());
    this.#screen.close();
    this.#chat.close();
    this.#local.stop();
    this.events.clear();
    return recording;
  }
}
