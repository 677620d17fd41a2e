/**
 * Mesh: a PeerLink to every other participant, each carrying all our tracks. A 1:1 call is a
 * mesh of one. Who is polite on a link is a fixed rule given by the call, so both ends agree
 * without talking about it.
 */
import { Emitter } from "../emitter";
import { PeerLink, type MediaSource } from "../peer-link";
import type { Signal } from "../peer";
import type { LinkInfo, MediaTransport, TransportEvents } from "../transport";

export interface MeshOptions {
  polite: (remoteId: string) => boolean;
  iceConfig: () => Promise<RTCConfiguration>;
  send: (to: string, signal: Signal) => void;
  /** Hold outgoing signals until release() (the call still rings). */
  hold: boolean;
}

export class MeshTransport implements MediaTransport {
  readonly events = new Emitter<TransportEvents>();
  /** One encoding per link, sized for what a link starts with. */
  readonly cameraUse = "direct";
  readonly #opts: MeshOptions;
  readonly #links = new Map<string, PeerLink>();
  readonly #local = new Map<MediaSource, MediaStreamTrack | null>();
  /** Signals from someone we have no link to yet (their offer can beat the news that they joined). */
  readonly #early = new Map<string, Signal[]>();
  #holding: boolean;
  #closed = false;

  constructor(opts: MeshOptions) {
    this.#opts = opts;
    this.#holding = opts.hold;
  }

  publish(source: MediaSource, track: MediaStreamTrack | null): void {
    this.#local.set(source, track);
    for (const link of this.#links.values()) link.publish(source, track);
  }

  addPeer(id: string): void {
    if (this.#closed || this.#links.has(id)) return;
    const link = new PeerLink({
      remoteId: id,
      polite: this.#opts.polite(id),
      iceConfig: this.#opts.iceConfig,
      send: (s) => this.#opts.send(id, s),
      local: (source) => this.#local.get(source) ?? null,
      hold: this.#holding,
    });
    this.#links.set(id, link);
    const e = link.events;
    e.on("track", ({ source, track }) => this.events.emit("track", { peer: id, source, track }));
    e.on("state", (state) => this.events.emit("connection", { peer: id, state }));
    e.on("quality", (quality) => this.events.emit("quality", { peer: id, quality }));
    e.on("error", (m) => this.events.emit("error", m));
    for (const s of this.#early.get(id) ?? []) link.handle(s);
    this.#early.delete(id);
  }

  removePeer(id: string): void {
    this.#links.get(id)?.close();
    this.#links.delete(id);
    this.#early.delete(id);
  }

  restartPeer(id: string): void {
    this.removePeer(id);
    this.addPeer(id);
  }

  handleSignal(from: string, signal: Signal): void {
    if (this.#closed) return;
    const link = this.#links.get(from);
    if (link) return link.handle(signal);
    const held = this.#early.get(from) ?? [];
    // Only a fresh negotiation (an offer and what follows it) is worth keeping for later.
    if (held.length || signal.kind === "offer") this.#early.set(from, [...held, signal].slice(-100));
  }

  release(): void {
    this.#holding = false;
    for (const link of this.#links.values()) link.release();
  }

  links(): LinkInfo[] {
    const out: LinkInfo[] = [];
    for (const [peer, link] of this.#links) {
      const pc = link.pc;
      if (pc && pc.connectionState !== "closed") out.push({ peer, pc, sources: link.receivedSources() });
    }
    return out;
  }

  /** Idempotent; closes every link. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#early.clear();
    this.events.clear();
  }
}
