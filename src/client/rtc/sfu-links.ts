/**
 * The browser end of the SFU's two links: "publish" (we offer our tracks; camera in three
 * simulcast layers) and "subscribe" (the SFU offers the others' tracks and says, per mid, whose
 * track and which source it is). Signals travel through `send`; the caller routes the SFU's
 * replies to `handle`. Kept free of app state so the SFU's contract suite drives it as is.
 */
import { sdpMids, type SfuLayer, type SfuSignalIn, type SfuSignalOut, type SfuSource, type SfuTrackInfo } from "../../shared/sfu";

/**
 * Simulcast layers of a published camera, lowest first; rids the SFU knows (SIMULCAST_RIDS).
 * Chromium sends all three only from 960×540 up: the camera is captured at 720p for the SFU
 * (CameraUse "simulcast", local-media.ts).
 */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: "l", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: "m", scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: "h", maxBitrate: 1_500_000 },
];

/**
 * A publish offer unanswered this long is sent again: the SFU can miss one (sent while our place
 * in its room was still being made, or refused by a busy socket's rate limit), and nothing else
 * would ever publish us.
 */
const ANSWER_WAIT_MS = 4_000;

export interface RemoteTrack {
  participantId: string;
  source: SfuSource;
  track: MediaStreamTrack;
}

export class SfuLinks {
  readonly publisher: RTCPeerConnection;
  readonly subscriber: RTCPeerConnection;
  readonly #senders = new Map<SfuSource, RTCRtpTransceiver>();
  #tracks: SfuTrackInfo[] = [];
  #publishing: Promise<void> = Promise.resolve();
  /** The offer not yet started, which any further change joins. */
  #queued: Promise<void> | null = null;
  #answered: (() => void) | null = null;
  #handling: Promise<void> = Promise.resolve();
  #early: SfuSignalOut[] = [];
  #lastOffer = "";
  #lastAnswer = "";
  #closed = false;
  #offerSent!: () => void;
  #answerSent!: () => void;
  /** Our first publish offer has gone out. */
  readonly offerSent = new Promise<void>((resolve) => (this.#offerSent = resolve));
  /** Our answer to the SFU's first subscribe offer has gone out. */
  readonly answerSent = new Promise<void>((resolve) => (this.#answerSent = resolve));

  constructor(
    private readonly send: (signal: SfuSignalIn) => void,
    private readonly onTrack: (remote: RemoteTrack) => void,
    config: RTCConfiguration = {},
  ) {
    this.publisher = new RTCPeerConnection(config);
    this.subscriber = new RTCPeerConnection(config);
    for (const [link, pc] of [["publish", this.publisher], ["subscribe", this.subscriber]] as const) {
      pc.onicecandidate = (e) => {
        if (e.candidate) this.send({ kind: "ice", link, candidate: e.candidate.toJSON() as never });
      };
    }
    this.subscriber.ontrack = (e) => {
      const info = this.#tracks.find((t) => t.mid === e.transceiver.mid);
      if (info) this.onTrack({ participantId: info.participantId, source: info.source, track: e.track });
    };
  }

  /** Starts, replaces or (null) stops sending one source; renegotiates the publish link. */
  publish(source: SfuSource, track: MediaStreamTrack | null): Promise<void> {
    const existing = this.#senders.get(source);
    if (existing && track) return existing.sender.replaceTrack(track);
    if (existing) {
      this.publisher.removeTrack(existing.sender);
      this.#senders.delete(source);
    } else if (track) {
      const sendEncodings = source === "camera" ? CAMERA_ENCODINGS : undefined;
      this.#senders.set(source, this.publisher.addTransceiver(track, { direction: "sendonly", sendEncodings }));
    } else return Promise.resolve();
    return this.#renegotiate();
  }

  /**
   * One offer for every change made before it starts (a joiner's microphone and camera go out
   * together: an offer each would put a whole round trip before the camera); changes made while
   * an offer awaits its answer go in the next one.
   */
  #renegotiate(): Promise<void> {
    if (this.#queued) return this.#queued;
    const next = this.#publishing.then(() => {
      this.#queued = null;
      return this.#offer();
    });
    this.#queued = next;
    this.#publishing = next.catch(() => {});
    return next;
  }

  async #offer(): Promise<void> {
    await this.publisher.setLocalDescription(await this.publisher.createOffer());
    const sources: Record<string, SfuSource> = {};
    for (const [source, t] of this.#senders) if (t.mid !== null) sources[t.mid] = source;
    const offer: SfuSignalIn = { kind: "offer", link: "publish", sdp: this.publisher.localDescription!.sdp, sources };
    const answered = new Promise<void>((resolve) => (this.#answered = resolve));
    this.send(offer);
    this.#offerSent();
    const repeat = setInterval(() => this.send(offer), ANSWER_WAIT_MS);
    await answered.finally(() => clearInterval(repeat));
  }

  /** Which simulcast layer of a participant's camera (or screen) we want; "off" when not shown. */
  setLayer(publisherId: string, source: SfuSource, layer: SfuLayer): void {
    this.send({ kind: "layer", publisherId, source, layer });
  }

  /** Applies the SFU's signals one at a time, in order. */
  handle(signal: SfuSignalOut): Promise<void> {
    this.#handling = this.#handling.then(() => this.#apply(signal)).catch((err) => console.warn("sfu signal failed", err));
    return this.#handling;
  }

  /** What each subscribe-link mid carries, as the SFU last said. */
  get tracks(): readonly SfuTrackInfo[] {
    return this.#tracks;
  }

  async #apply(signal: SfuSignalOut): Promise<void> {
    if (this.#closed) return;
    if (signal.kind === "answer") {
      // A repeated offer can be answered twice: only an answer to the offer awaiting one counts.
      const offer = this.publisher.signalingState === "have-local-offer" ? this.publisher.localDescription : null;
      if (!offer || sdpMids(offer.sdp) !== sdpMids(signal.sdp)) return;
      await this.publisher.setRemoteDescription({ type: "answer", sdp: signal.sdp });
      this.#answered?.();
      await this.#flushEarly();
    } else if (signal.kind === "offer") {
      // The SFU repeats an offer we may have missed, or whose answer it missed. Answered already:
      // answer again only if the answer names the offer's version (else it could overtake the
      // SFU's next offer and be taken for its answer).
      if (signal.sdp === this.#lastOffer) {
        if (signal.version !== undefined) this.send({ kind: "answer", link: "subscribe", sdp: this.#lastAnswer, version: signal.version });
        return;
      }
      this.#tracks = signal.tracks;
      await this.subscriber.setRemoteDescription({ type: "offer", sdp: signal.sdp });
      await this.#flushEarly();
      await this.subscriber.setLocalDescription(await this.subscriber.createAnswer());
      // Only an offer answered counts as answered: a repeat of one that failed is tried again.
      this.#lastOffer = signal.sdp;
      this.#lastAnswer = this.subscriber.localDescription!.sdp;
      this.send({ kind: "answer", link: "subscribe", sdp: this.#lastAnswer, version: signal.version });
      this.#answerSent();
    } else if (signal.candidate) {
      // A candidate can only be applied once the link has a remote description: hold it till then.
      const pc = signal.link === "publish" ? this.publisher : this.subscriber;
      if (pc.remoteDescription) await pc.addIceCandidate(signal.candidate).catch(() => {});
      else this.#early.push(signal);
    }
  }

  async #flushEarly(): Promise<void> {
    const early = this.#early.splice(0);
    for (const signal of early) await this.#apply(signal);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#answered?.();
    this.publisher.close();
    this.subscriber.close();
  }
}
