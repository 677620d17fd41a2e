/**
 * One RTCPeerConnection run with the "perfect negotiation" pattern
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): either side may change
 * tracks at any time and simply let `negotiationneeded` make an offer. When both offer at
 * once (glare) the impolite side (the caller) ignores the other's offer, and the polite side
 * (the callee) rolls its own offer back and answers instead.
 */
import { Emitter } from "./emitter";

/**
 * A dead path can stay 'disconnected' long before it turns 'failed' (Chromium, relay gone: over
 * 45 s in the e2e suite), so one that stays 'disconnected' this long is restarted too. Long
 * enough to ride out a brief stall.
 */
const DISCONNECTED_RESTART_MS = 5000;

export type Signal =
  | { kind: "offer" | "answer"; sdp: string }
  | { kind: "ice"; candidate: RTCIceCandidateInit | null };

export interface PeerOptions {
  polite: boolean;
  config: RTCConfiguration;
  /** Delivers a signal to the other participant (through the server). */
  send: (signal: Signal) => void;
  /**
   * Runs once, after the first remote offer is applied and before it is answered: the place for
   * the polite side to add its tracks, so they ride in the answer instead of a competing offer.
   */
  beforeFirstAnswer?: () => void;
}

export interface PeerEvents {
  track: RTCTrackEvent;
  state: RTCPeerConnectionState;
}

export class Peer {
  readonly pc: RTCPeerConnection;
  readonly events = new Emitter<PeerEvents>();
  readonly #polite: boolean;
  readonly #send: (signal: Signal) => void;
  #beforeFirstAnswer: (() => void) | undefined;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  /** Candidates that arrived before a remote description existed to attach them to. */
  #pendingCandidates: (RTCIceCandidateInit | null)[] = [];
  /** Incoming signals are handled one at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: PeerOptions) {
    this.#polite = opts.polite;
    this.#send = opts.send;
    this.#beforeFirstAnswer = opts.beforeFirstAnswer;
    this.pc = new RTCPeerConnection(opts.config);
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onicecandidate = (e) => {
      if (!this.#closed) this.#send({ kind: "ice", candidate: e.candidate ? e.candidate.toJSON() : null });
    };
    this.pc.oniceconnectionstatechange = () => {
      clearTimeout(this.#disconnectedTimer);
      // A path that died (network change, NAT rebinding, TURN server gone) gets new candidates,
      // not a new call. Either side may restart: a glare is settled like any other.
      const state = this.pc.iceConnectionState;
      if (state === "failed") this.pc.restartIce();
      else if (state === "disconnected") {
        this.#disconnectedTimer = setTimeout(() => {
          if (!this.#closed && this.pc.iceConnectionState === "disconnected") this.pc.restartIce();
        }, DISCONNECTED_RESTART_MS);
      }
    };
    this.pc.onconnectionstatechange = () => this.events.emit("state", this.pc.connectionState);
    this.pc.ontrack = (e) => this.events.emit("track", e);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      // Without arguments this creates the right description for the current state.
      await this.pc.setLocalDescription();
      const d = this.pc.localDescription;
      if (d && d.type === "offer" && !this.#closed) this.#send({ kind: "offer", sdp: d.sdp });
    } catch (err) {
      if (!this.#closed) console.warn("rtc: could not make an offer", err);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** Feeds a signal from the other side. Never throws: a bad signal is logged and dropped. */
  handle(signal: Signal): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(signal)).catch((err) => {
      if (!this.#closed) console.warn("rtc: signal failed", err);
    });
    return this.#queue;
  }

  async #handle(signal: Signal): Promise<void> {
    if (this.#closed) return;
    if (signal.kind === "ice") return this.#addCandidate(signal.candidate);
    const pc = this.pc;
    const readyForOffer = !this.#makingOffer && (pc.signalingState === "stable" || this.#settingRemoteAnswer);
    const collision = signal.kind === "offer" && !readyForOffer;
    this.#ignoreOffer = !this.#polite && collision;
    if (this.#ignoreOffer) return;
    this.#settingRemoteAnswer = signal.kind === "answer";
    try {
      // On a collision the polite side gets here with its own offer pending: applying the remote
      // offer rolls ours back implicitly (spec'd, and what Chromium and Firefox do).
      await pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
    } finally {
      this.#settingRemoteAnswer = false;
    }
    await this.#flushCandidates();
    if (signal.kind === "offer") {
      const prepare = this.#beforeFirstAnswer;
      this.#beforeFirstAnswer = undefined;
      prepare?.();
      await pc.setLocalDescription();
      const d = pc.localDescription;
      if (d && !this.#closed) this.#send({ kind: "answer", sdp: d.sdp });
    }
  }

  async #addCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    if (!this.pc.remoteDescription) {
      this.#pendingCandidates.push(candidate);
      return;
    }
    try {
      // null marks the end of the other side's candidates.
      await (candidate ? this.pc.addIceCandidate(candidate) : this.pc.addIceCandidate());
    } catch (err) {
      // Candidates of an offer we chose to ignore are expected to fail; one bad candidate is
      // never worth failing the negotiation over.
      if (!this.#ignoreOffer && !this.#closed) console.warn("rtc: candidate refused", err);
    }
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const c of pending) await this.#addCandidate(c);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#disconnectedTimer);
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.onconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.close();
    this.events.clear();
  }
}
