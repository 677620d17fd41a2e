/**
 * One peer connection to one endpoint (a participant, later the SFU), carrying our local tracks
 * by source. Every link has the same three m-lines in a fixed order — microphone, camera,
 * screen — made by the impolite side's first offer, so both ends know which source a track is
 * by its position, and publishing, muting, switching devices or sharing a screen is only ever a
 * replaceTrack: no renegotiation after set-up (ICE restarts aside). Negotiation itself is Peer's
 * perfect negotiation.
 */
import { Emitter } from "./emitter";
import { Peer, type Signal } from "./peer";
import { QualityMonitor, type CallQuality } from "./quality";

/** The m-line order of every link. */
export const SOURCES = ["microphone", "camera", "screen"] as const;
export type MediaSource = (typeof SOURCES)[number];
const KIND: Record<MediaSource, "audio" | "video"> = { microphone: "audio", camera: "video", screen: "video" };

export interface PeerLinkOptions {
  remoteId: string;
  /** In an offer collision the polite side yields; the impolite side makes the first offer. */
  polite: boolean;
  /** ICE servers for the connection (TURN credentials expire, so asked per link). */
  iceConfig: () => Promise<RTCConfiguration>;
  send: (signal: Signal) => void;
  /** Our current track for a source, read when the link attaches its senders. */
  local: (source: MediaSource) => MediaStreamTrack | null;
  /** Outgoing signals wait until release() (a call that still rings must not reach the other side). */
  hold?: boolean;
}

export interface PeerLinkEvents {
  track: { source: MediaSource; track: MediaStreamTrack };
  state: RTCPeerConnectionState;
  quality: CallQuality;
  error: string;
}

export class PeerLink {
  readonly remoteId: string;
  readonly events = new Emitter<PeerLinkEvents>();
  readonly #opts: PeerLinkOptions;
  readonly #quality: QualityMonitor;
  /** Keeps the msid of our tracks stable across replaceTrack. */
  readonly #stream = new MediaStream();
  #peer: Peer | null = null;
  /** Signals from the other side that came before the connection existed. */
  #early: Signal[] = [];
  #holding: boolean;
  #outbox: Signal[] = [];
  /** Our senders by source, once negotiated (the polite side learns them from the first offer). */
  #senders = new Map<MediaSource, RTCRtpSender>();
  #closed = false;

  constructor(opts: PeerLinkOptions) {
    this.#opts = opts;
    this.remoteId = opts.remoteId;
    this.#holding = !!opts.hold;
    this.#quality = new QualityMonitor(() => this.#peer?.pc ?? null, (q) => this.events.emit("quality", q));
    void this.#open();
  }

  get pc(): RTCPeerConnection | null {
    return this.#peer && !this.#peer.closed ? this.#peer.pc : null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #open(): Promise<void> {
    let config: RTCConfiguration;
    try {
      config = await this.#opts.iceConfig();
    } catch {
      this.events.emit("error", "Could not get connection details from the server.");
      return;
    }
    if (this.#closed) return;
    const polite = this.#opts.polite;
    const peer = new Peer({
      polite,
      config,
      send: (s) => this.#outgoing(s),
      // The polite side sends on the offered m-lines instead of offering its own: if both offered,
      // perfect negotiation would roll one back, and Chromium then sometimes gathers no ICE
      // candidates at all for the answer (seen in the e2e suite).
      beforeFirstAnswer: polite ? () => this.#adoptOffered(peer.pc) : undefined,
    });
    this.#peer = peer;
    peer.events.on("state", (s) => this.events.emit("state", s));
    peer.events.on("track", (e) => this.#onTrack(e));
    if (!polite) {
      for (const source of SOURCES) {
        const t = peer.pc.addTransceiver(this.#opts.local(source) ?? KIND[source], { direction: "sendrecv", streams: [this.#stream] });
        this.#senders.set(source, t.sender);
      }
    }
    this.#quality.start();
    const early = this.#early;
    this.#early = [];
    for (const s of early) void peer.handle(s);
  }

  /** The first offer's m-lines, in order, become our senders; local tracks go on them without renegotiating. */
  #adoptOffered(pc: RTCPeerConnection): void {
    const media = pc.getTransceivers().filter((t) => t.receiver.track.kind === "audio" || t.receiver.track.kind === "video");
    SOURCES.forEach((source, i) => {
      const t = media[i];
      if (!t || t.direction === "stopped" || t.receiver.track.kind !== KIND[source]) return;
      t.direction = "sendrecv";
      t.sender.setStreams?.(this.#stream);
      this.#senders.set(source, t.sender);
      const track = this.#opts.local(source);
      if (track) this.#replace(t.sender, track);
    });
  }

  #onTrack(e: RTCTrackEvent): void {
    const pc = this.pc;
    if (!pc) return;
    const media = pc.getTransceivers().filter((t) => t.receiver.track.kind === "audio" || t.receiver.track.kind === "video");
    const source = SOURCES[media.indexOf(e.transceiver)];
    if (source) this.events.emit("track", { source, track: e.track });
  }

  /** Sends `track` (or nothing) as `source`: a replaceTrack once negotiated, else picked up at negotiation. */
  publish(source: MediaSource, track: MediaStreamTrack | null): void {
    const sender = this.#senders.get(source);
    if (sender && sender.track !== track) this.#replace(sender, track);
  }

  #replace(sender: RTCRtpSender, track: MediaStreamTrack | null): void {
    sender.replaceTrack(track).catch((err) => {
      if (!this.#closed) console.warn("rtc: could not attach a local track", err);
    });
  }

  /** Our sender of a source (for tests and diagnostics). */
  sender(source: MediaSource): RTCRtpSender | null {
    return this.#senders.get(source) ?? null;
  }

  /** The receiving track of each source, by track id (diagnostics: inbound-rtp's trackIdentifier). */
  receivedSources(): Record<string, MediaSource> {
    const pc = this.pc;
    const out: Record<string, MediaSource> = {};
    if (!pc) return out;
    const media = pc.getTransceivers().filter((t) => t.receiver.track.kind === "audio" || t.receiver.track.kind === "video");
    SOURCES.forEach((source, i) => {
      const t = media[i];
      if (t) out[t.receiver.track.id] = source;
    });
    return out;
  }

  handle(signal: Signal): void {
    if (this.#closed) return;
    if (this.#peer) void this.#peer.handle(signal);
    else this.#early.push(signal);
  }

  #outgoing(s: Signal): void {
    if (this.#holding) this.#outbox.push(s);
    else this.#opts.send(s);
  }

  /** Sends what was held while the call rang (the first offer and its candidates). */
  release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    const out = this.#outbox;
    this.#outbox = [];
    for (const s of out) this.#opts.send(s);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#quality.stop();
    this.#peer?.close();
    this.events.clear();
  }
}
