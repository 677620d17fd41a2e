/**
 * Forwarding in the embedded SFU: a Publication is one published track (all its simulcast
 * layers); a Subscription sends one publication to one subscriber through a sendonly
 * transceiver. Packets are forwarded without decoding; each subscriber gets its own copy with
 * its own SSRC, sequence numbers and header-extension ids.
 */
import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from "werift";
import type { SfuLayer, SfuSource } from "./sfu";
import { SIMULCAST_RIDS } from "./sfu";
import { AUDIO_LEVEL_URI, audioLevel, extensionId, isVp8Keyframe, lastSentSeq, receiverReport, remb } from "./werift-media";
import { SentSeqs } from "./sent-seqs";

/** Layer key: a simulcast rid, or "" for a track sent without simulcast. */
type Rid = string;

const ORDER: Rid[] = [SIMULCAST_RIDS.low, SIMULCAST_RIDS.mid, SIMULCAST_RIDS.high];
/** One keyframe request per layer per this many ms: a burst of subscribers costs one keyframe. */
const PLI_INTERVAL_MS = 300;
/** A layer silent this long is taken as dropped by the publisher (bandwidth or CPU adaptation). */
const LAYER_STALE_MS = 1_500;

interface Layer {
  track: MediaStreamTrack;
  /** Unknown until the layer's first packet arrives. */
  ssrc?: number;
  /** When its last packet arrived. */
  lastAt: number;
  lastPli: number;
}

export class Publication {
  readonly layers = new Map<Rid, Layer>();
  readonly subscriptions = new Set<Subscription>();
  readonly audioLevelId: number | undefined;
  #stops: (() => void)[] = [];
  /** liveRids() as last seen by checkLayers(), as JSON: joined, a track without simulcast (rid "") live would read as none. */
  #live = "[]";

  constructor(
    readonly participantId: string,
    readonly source: SfuSource,
    readonly transceiver: RTCRtpTransceiver,
    private readonly onLevel: (level: number) => void,
  ) {
    this.audioLevelId = extensionId(transceiver, AUDIO_LEVEL_URI);
  }

  get kind(): "audio" | "video" {
    return this.transceiver.kind === "audio" ? "audio" : "video";
  }

  addTrack(track: MediaStreamTrack): void {
    const rid = track.rid ?? "";
    if (this.layers.has(rid)) return;
    const layer: Layer = { track, lastAt: 0, lastPli: 0 };
    this.layers.set(rid, layer);
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => {
      const resumed = Date.now() - layer.lastAt > LAYER_STALE_MS;
      layer.lastAt = Date.now();
      layer.ssrc = rtp.header.ssrc;
      if (resumed) this.checkLayers();
      if (this.kind === "audio") this.#level(rtp);
      for (const s of this.subscriptions) s.forward(rid, rtp);
    });
    this.#stops.push(unSubscribe);
  }

  #level(rtp: RtpPacket): void {
    const level = audioLevel(rtp, this.audioLevelId);
    if (level !== undefined) this.onLevel(level);
  }

  /** Layers carrying packets now, lowest first. */
  liveRids(): Rid[] {
    const since = Date.now() - LAYER_STALE_MS;
    const live = [...this.layers].filter(([, l]) => l.lastAt >= since).map(([rid]) => rid);
    return live.sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  }

  /** Re-targets subscribers when a layer appears or goes silent, so none waits on a dropped one. */
  checkLayers(): void {
    const live = JSON.stringify(this.liveRids());
    if (live === this.#live) return;
    this.#live = live;
    for (const s of this.subscriptions) s.retarget();
  }

  requestKeyframe(rid: Rid): void {
    const layer = this.layers.get(rid);
    if (!layer || layer.ssrc === undefined) return;
    const now = Date.now();
    if (now - layer.lastPli < PLI_INTERVAL_MS) return;
    layer.lastPli = now;
    void this.transceiver.receiver.sendRtcpPLI(layer.ssrc).catch(() => {});
  }

  /** Asks the publisher to spend up to `bitrate` on this track's live layers. */
  sendRemb(bitrate: number): void {
    const ssrcs = [...this.layers.values()].flatMap((l) => (l.ssrc === undefined ? [] : [l.ssrc]));
    if (!ssrcs.length) return;
    void this.transceiver.dtlsTransport.sendRtcp([remb(this.transceiver.receiver.rtcpSsrc, ssrcs, bitrate)]).catch(() => {});
  }

  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
    for (const s of [...this.subscriptions]) s.close();
  }
}

/** One subscription as the SFU sees it: layers are rids ("" for a track without simulcast). */
export interface ForwardingView {
  publisherId: string;
  source: SfuSource;
  /** The layer the subscriber asks for. */
  want: SfuLayer;
  /** Its downlink counts as weak: it gets the lowest layer. */
  weak: boolean;
  /** The layers the publisher sends now, lowest first. */
  live: Rid[];
  /** The layer to switch to on its next keyframe, and the one forwarded now. */
  target: Rid | null;
  current: Rid | null;
}

export class Subscription {
  /** The layer being forwarded (null: none yet). */
  #current: Rid | null = null;
  /** The layer to forward next; switched to on its next keyframe. */
  #target: Rid | null = null;
  #want: SfuLayer;
  /** The subscriber reports heavy loss: it gets the lowest layer only. */
  #weak = false;
  /** The subscriber has answered an offer carrying this transceiver: before that werift drops its packets. */
  #negotiated = false;
  /** The subscriber's audio-level extension id: known once it answered (werift assigns ids at the offer). */
  #levelId: number | undefined;
  #stopPli: () => void;
  readonly #sent = new SentSeqs();

  constructor(
    readonly subscriberId: string,
    readonly publication: Publication,
    readonly transceiver: RTCRtpTransceiver,
  ) {
    this.#want = "high";
    publication.subscriptions.add(this);
    // A subscriber's decoder lost something: ask the publisher for a fresh keyframe.
    this.#stopPli = transceiver.sender.onPictureLossIndication.subscribe(() => {
      if (this.#current !== null) publication.requestKeyframe(this.#current);
      else this.awaitKeyframe();
    }).unSubscribe;
    this.retarget();
  }

  get layer(): SfuLayer {
    return this.#want;
  }

  /** What it forwards, for diagnosis: see WeriftSfu.forwarding(). */
  get view(): ForwardingView {
    const p = this.publication;
    return { publisherId: p.participantId, source: p.source, want: this.#want, weak: this.#weak, live: p.liveRids(), target: this.#target, current: this.#current };
  }

  /**
   * The share of this stream's packets its subscriber reports lost in `packet`, if that is a
   * receiver report naming it: of the packets sent, not of those the SFU never had to send.
   */
  reportedLoss(packet: unknown): number | undefined {
    const report = receiverReport(packet, this.transceiver.sender.ssrc);
    return report && this.#sent.loss(report.fraction, report.highest);
  }

  setLayer(layer: SfuLayer): void {
    this.#want = layer;
    this.retarget();
  }

  get isNegotiated(): boolean {
    return this.#negotiated;
  }

  /** The subscriber answered an offer that carries this transceiver. */
  negotiated(): void {
    this.#negotiated = true;
    this.#levelId = extensionId(this.transceiver, AUDIO_LEVEL_URI);
    this.awaitKeyframe();
  }

  /**
   * Asks the publisher for a keyframe while this subscription waits for one to start or switch
   * on. Called again on every SFU tick: a keyframe can be lost, or taken by an earlier request's
   * coalescing window before this subscriber was listening.
   */
  awaitKeyframe(): void {
    if (this.#target !== null && this.#target !== this.#current && this.#receivable()) this.publication.requestKeyframe(this.#target);
  }

  /** Packets sent now reach the subscriber: a keyframe sent earlier is lost and its decoder would wait for the next. */
  #receivable(): boolean {
    return this.#negotiated && this.transceiver.currentDirection === "sendonly" && this.transceiver.dtlsTransport.state === "connected";
  }

  /** Takes effect at the next retarget(), which the SFU's tick runs right after it for every subscription. */
  setWeak(weak: boolean): void {
    this.#weak = weak;
  }

  /** Re-picks the layer to forward from what is wanted and what the publisher sends. */
  retarget(): void {
    if (this.publication.kind === "audio") return;
    const live = this.publication.liveRids();
    let next: Rid | null = null;
    if (this.#want !== "off") {
      // Every layer silent (the publisher, or this process, stalled): there is nothing better to
      // switch to, and keeping the layer spares every subscriber a keyframe wait when it resumes.
      if (!live.length) return;
      if (live.length === 1 && live[0] === "") next = "";
      else {
        const want = this.#weak ? SIMULCAST_RIDS.low : SIMULCAST_RIDS[this.#want];
        // The wanted layer, else the nearest lower live one, else the lowest live one.
        const below = live.filter((r) => ORDER.indexOf(r) <= ORDER.indexOf(want));
        next = below.at(-1) ?? live[0]!;
      }
    }
    if (next === this.#target) return;
    this.#target = next;
    if (next === null) this.#current = null;
    else this.awaitKeyframe();
  }

  forward(rid: Rid, rtp: RtpPacket): void {
    const sender = this.transceiver.sender;
    if (rid !== this.#current) {
      if (!this.#receivable()) return;
      if (this.publication.kind === "video" && (rid !== this.#target || !isVp8Keyframe(rtp))) return;
      // Continue the subscriber's sequence and timestamps across a layer switch, or from the
      // track a reused transceiver carried before.
      sender.replaceRTP(rtp.header, true);
      this.#current = rid;
    }
    const copy = rtp.clone();
    copy.header.extensions = [];
    if (this.#levelId !== undefined && this.publication.audioLevelId !== undefined) {
      const level = rtp.header.extensions.find((e) => e.id === this.publication.audioLevelId);
      if (level) copy.header.extensions.push({ id: this.#levelId, payload: level.payload });
    }
    void sender.sendRtp(copy).catch(() => {});
    const seq = lastSentSeq(sender);
    if (seq !== undefined) this.#sent.sent(seq);
  }

  close(): void {
    this.#stopPli();
    this.publication.subscriptions.delete(this);
    this.#current = this.#target = null;
  }
}
