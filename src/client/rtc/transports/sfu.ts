/**
 * SFU: one publish and one subscribe link to the server's SFU (SfuLinks), whatever the number
 * of participants. Remote tracks come from the subscribe link, mapped to participants by the
 * SFU's own metadata; which layer of each camera arrives is chosen per tile with setLayer, and
 * each participant's connection quality is sampled from their streams on it (SfuQualityMonitor),
 * and the SFU hears of the loss on it (SfuLossReporter), to send only the lowest layers while
 * our downlink is weak.
 * Peers are bookkeeping only — the SFU decides what reaches us.
 */
import type { SfuLayer, SfuSignalIn, SfuSignalOut } from "../../../shared/sfu";
import { Emitter } from "../emitter";
import type { MediaSource } from "../peer-link";
import { SfuLinks } from "../sfu-links";
import type { LinkInfo, MediaTransport, TransportEvents } from "../transport";
import { SfuLossReporter } from "./sfu-loss";
import { SfuQualityMonitor } from "./sfu-quality";
import { LinkWatch, type LinkDeath } from "./sfu-watch";

export interface SfuTransportOptions {
  iceConfig: () => Promise<RTCConfiguration>;
  /** Sends `sfu:signal {callId, signal}`. */
  send: (signal: SfuSignalIn) => void;
  /**
   * One of the links died (see LinkWatch: failed, disconnected too long, or never connected):
   * these links are done for, and the caller starts the session over on fresh ones. Called at
   * most once, never after close().
   */
  lost?: () => void;
}

/** Resolves once `pc` has gathered (and so handed out) all its ICE candidates. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (pc.iceGatheringState !== "complete" && pc.connectionState !== "closed") return;
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", check);
    check();
  });
}

export interface SfuDiagnostics {
  publish: RTCPeerConnectionState;
  subscribe: RTCPeerConnectionState;
  signaling: RTCSignalingState;
  /** `mid:participantId/source` per subscribed mid. */
  tracks: string[];
}

export class SfuTransport implements MediaTransport {
  readonly events = new Emitter<TransportEvents>();
  /** Three layers, each subscriber receiving the one its tile needs: a capture large enough for all three. */
  readonly cameraUse = "simulcast";
  /** The two links, once the ICE configuration is known. */
  readonly ready: Promise<SfuLinks>;
  readonly #peers = new Set<string>();
  /** Layers asked for other than the SFU's default ("high"), by `${peer} ${source}`. */
  readonly #layers = new Map<string, SfuLayer>();
  #links: SfuLinks | null = null;
  #quality: SfuQualityMonitor | null = null;
  #loss: SfuLossReporter | null = null;
  #watches: LinkWatch[] = [];
  #closed = false;
  #lost = false;

  constructor(opts: SfuTransportOptions) {
    this.ready = opts.iceConfig().then((config) => {
      const links = new SfuLinks(opts.send, ({ participantId, source, track }) => this.events.emit("track", { peer: participantId, source, track }), config);
      links.subscriber.onconnectionstatechange = () => {
        for (const peer of this.#peers) this.events.emit("connection", { peer, state: links.subscriber.connectionState });
      };
      const lost = opts.lost;
      if (lost) this.#watches = [links.publisher, links.subscriber].map((pc) => new LinkWatch(pc, (why) => this.#died(links, pc, why, lost)));
      this.#quality = new SfuQualityMonitor(links, () => this.#peers, (peer, quality) => this.events.emit("quality", { peer, quality }));
      this.#quality.start();
      this.#loss = new SfuLossReporter(links.subscriber, (fraction) => opts.send({ kind: "loss", fraction }));
      this.#loss.start();
      if (this.#closed) this.#stop(links);
      return (this.#links = links);
    });
  }

  /**
   * Resolves once the links' first signals are out — our publish offer and, with `subscribe`
   * (others publish already), our answer to the SFU's first subscribe offer — each with the ICE
   * candidates gathered for it: from then on the connections need nothing of this page's main thread.
   */
  underway(subscribe: boolean): Promise<void> {
    return this.ready
      .then((l) => Promise.all([l.offerSent.then(() => gathered(l.publisher)), subscribe ? l.answerSent.then(() => gathered(l.subscriber)) : null]))
      .then(() => {});
  }

  publish(source: MediaSource, track: MediaStreamTrack | null): void {
    void this.ready.then((l) => l.publish(source, track)).catch((err) => this.events.emit("error", String(err)));
  }

  addPeer(id: string): void {
    this.#peers.add(id);
    // Someone who joins an SFU call we are connected to is as reachable as the SFU.
    const state = this.#links?.subscriber.connectionState;
    if (state && state !== "new") this.events.emit("connection", { peer: id, state });
  }

  removePeer(id: string): void {
    this.#peers.delete(id);
  }

  /** A peer's new page needs nothing from us: the SFU renegotiates its own links. */
  restartPeer(): void {}

  /** The SFU speaks `sfu:signal` (handleSfu), never `rtc:*`. */
  handleSignal(): void {}

  handleSfu(signal: SfuSignalOut): Promise<void> {
    return this.ready.then(async (l) => {
      await l.handle(signal);
      // A new subscription starts at the SFU's default layer: ask again for what we chose.
      if (signal.kind !== "offer") return;
      for (const t of signal.tracks) {
        const layer = this.#layers.get(`${t.participantId} ${t.source}`);
        if (layer) l.setLayer(t.participantId, t.source, layer);
      }
    });
  }

  /** The layer of `peer`'s camera or screen to receive ("off" while its tile is not shown). */
  setLayer(peer: string, source: MediaSource, layer: SfuLayer): void {
    const key = `${peer} ${source}`;
    if ((this.#layers.get(key) ?? "high") === layer) return;
    if (layer === "high") this.#layers.delete(key);
    else this.#layers.set(key, layer);
    void this.ready.then((l) => l.setLayer(peer, source, layer));
  }

  /** Our publish link, once made (diagnostics and tests: its getStats() shows the layers sent). */
  get publisher(): RTCPeerConnection | null {
    return this.#links?.publisher ?? null;
  }

  /**
   * What the links are doing, for diagnostics and tests: each link's connection state, the
   * subscribe link's signaling state and what each subscribed mid carries, as the SFU last said
   * (null before the links exist).
   */
  diagnostics(): SfuDiagnostics | null {
    const l = this.#links;
    if (!l) return null;
    const tracks = l.tracks.map((t) => `${t.mid}:${t.participantId}/${t.source}`);
    return { publish: l.publisher.connectionState, subscribe: l.subscriber.connectionState, signaling: l.subscriber.signalingState, tracks };
  }

  /** Nothing is held: an SFU call is already running when this transport starts. */
  release(): void {}

  /** Call chat goes through the call's conversation. */
  sendChat(): boolean {
    return false;
  }

  /** One entry per publisher, all on the subscribe link, each naming only that publisher's tracks. */
  links(): LinkInfo[] {
    const l = this.#links;
    if (!l || l.subscriber.connectionState === "closed") return [];
    const byPeer = new Map<string, LinkInfo>();
    for (const t of l.subscriber.getTransceivers()) {
      const info = l.tracks.find((i) => i.mid === t.mid);
      if (!info) continue;
      let link = byPeer.get(info.participantId);
      if (!link) byPeer.set(info.participantId, (link = { peer: info.participantId, pc: l.subscriber, sources: {} }));
      link.sources[t.receiver.track.id] = info.source;
    }
    return [...byPeer.values()];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#links) this.#stop(this.#links);
    this.events.clear();
  }

  /**
   * One dead link ends both: the session starts over on fresh ones. A subscribe link that never
   * connected shows its tiles as failed (reconnecting) meanwhile, as one that failed would.
   */
  #died(links: SfuLinks, pc: RTCPeerConnection, why: LinkDeath, lost: () => void): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    console.warn(`sfu link lost (${pc === links.publisher ? "publish" : "subscribe"}: ${why})`);
    if (pc === links.subscriber && why === "never-connected") for (const peer of this.#peers) this.events.emit("connection", { peer, state: "failed" });
    lost();
  }

  #stop(links: SfuLinks): void {
    for (const w of this.#watches) w.close();
    this.#quality?.stop();
    this.#loss?.stop();
    links.close();
  }
}
