/**
 * The embedded SFU on werift (WebRTC in TypeScript, runs in the Parley process, no setup).
 * Per participant: a publish link (the client offers its audio, camera and screen) and a
 * subscribe link (the SFU offers everyone else's tracks, renegotiating as publishers come and
 * go). Each link's operations run one at a time, so its offers and answers never interleave;
 * the two links' run side by side, so a joiner's subscribe answer is not held up behind the
 * handling of its publish offer.
 */
import type { RTCPeerConnection, RTCRtpTransceiver } from "werift";
import { AppError } from "../../shared/errors";
import type { SfuNetwork } from "../config";
import { sdpMids, type SfuIceCandidate } from "../../shared/sfu";
import type { Sfu, SfuEvent, SfuLink, SfuSignalIn, SfuSource, SfuTrackInfo } from "./sfu";
import { Publication, Subscription, type ForwardingView } from "./werift-forward";
import { addCandidate, createPeer, keepConsent, surviveUnreachablePeers } from "./werift-media";
import { keepEarlyDtls } from "./werift-dtls";
import { Downlink, WEAK_LOSS } from "./downlink";
import { SpeakerMeter } from "./speaker";
import { OfferRepeat } from "./offer-repeat";
import { Serial } from "./serial";

/** Ceiling asked of each publisher's video by REMB; the browser splits it over its layers. */
const PUBLISH_BITRATE = 2_500_000;
const TICK_MS = 500;

class Member {
  /** Operations on the publish link (its offers and candidates), and on the subscribe link. */
  readonly pubOps = new Serial();
  readonly subOps = new Serial();
  pub: RTCPeerConnection | null = null;
  sub: RTCPeerConnection | null = null;
  readonly publications = new Map<SfuSource, Publication>();
  earlyIce: SfuIceCandidate[] = [];
  /** The publish offer last applied; the client repeats one it got no answer to. */
  offer = "";
  /** Publish-link mid → what the client says it carries. */
  sources: Record<string, SfuSource> = {};
  readonly subscriptions = new Map<RTCRtpTransceiver, Subscription>();
  /** Subscribe-link transceivers no longer used, reusable for a new subscription of their kind. */
  readonly spare: RTCRtpTransceiver[] = [];
  /** An offer on the subscribe link awaits its answer; `dirty`: renegotiate again after it. */
  negotiating = false;
  dirty = false;
  /** Subscriptions new in the offer awaiting its answer: they start once it is applied. */
  offered: Subscription[] = [];
  /** When the pending subscribe offer is sent again. */
  readonly offerRepeat = new OfferRepeat();
  /** Numbers this member's subscribe offers: an answer naming another one is stale. */
  offerVersion = 0;
  /** Whether its subscribe link carries more than the lowest layers, from the loss it reports. */
  readonly downlink = new Downlink();
  constructor(readonly id: string) {}
}

class Room {
  readonly members = new Map<string, Member>();
  readonly speakers = new SpeakerMeter();
  constructor(readonly id: string, readonly timer: ReturnType<typeof setInterval>) {}
}

export class WeriftSfu implements Sfu {
  readonly #rooms = new Map<string, Room>();
  readonly #listeners = new Set<(e: SfuEvent) => void>();

  constructor(private readonly network: SfuNetwork = {}) {
    surviveUnreachablePeers();
  }

  on(listener: (e: SfuEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: SfuEvent): void {
    for (const l of this.#listeners) l(e);
  }

  async open(callId: string): Promise<void> {
    if (this.#rooms.has(callId)) return;
    const room: Room = new Room(callId, setInterval(() => this.#tick(room), TICK_MS));
    this.#rooms.set(callId, room);
  }

  async join(callId: string, participantId: string): Promise<void> {
    const room = this.#room(callId);
    if (room.members.has(participantId)) return;
    const member = new Member(participantId);
    room.members.set(participantId, member);
    for (const other of room.members.values()) {
      for (const p of other.publications.values()) if (other !== member) this.#subscribe(room, member, p);
    }
    if (member.subscriptions.size) void member.subOps.run(() => this.#renegotiate(room, member));
  }

  async signal(callId: string, participantId: string, signal: SfuSignalIn): Promise<void> {
    const room = this.#room(callId);
    const member = room.members.get(participantId);
    if (!member) throw new AppError("NOT_FOUND", "not in this call's SFU room");
    switch (signal.kind) {
      case "offer":
        return member.pubOps.run(() => this.#publish(room, member, signal.sdp, signal.sources));
      case "answer":
        return member.subOps.run(async () => {
          if (!member.sub) throw new AppError("CONFLICT", "no subscribe offer awaits an answer");
          // An answer to an offer we repeated (see #publish) comes twice: the second is stale,
          // whether it arrives before or after our next offer (then it answers other m-lines).
          if (!member.negotiating || sdpMids(signal.sdp) !== sdpMids(member.sub.localDescription?.sdp ?? "")) return;
          if (signal.version !== undefined && signal.version !== member.offerVersion) return;
          await member.sub.setRemoteDescription({ type: "answer", sdp: signal.sdp });
          member.negotiating = false;
          for (const s of member.offered.splice(0)) s.negotiated();
          if (member.dirty) await this.#renegotiate(room, member);
        });
      case "ice": {
        const publish = signal.link === "publish";
        return (publish ? member.pubOps : member.subOps).run(async () => {
          const pc = publish ? member.pub : member.sub;
          if (!signal.candidate) return;
          // A publish candidate can overtake its offer: hold it until the offer is applied.
          if (pc?.remoteDescription) addCandidate(pc, signal.candidate);
          else if (publish) member.earlyIce.push(signal.candidate);
        });
      }
      case "layer": {
        const publication = room.members.get(signal.publisherId)?.publications.get(signal.source);
        for (const s of member.subscriptions.values()) if (s.publication === publication) s.setLayer(signal.layer);
        return;
      }
      case "loss":
        // Judged from its receiver reports instead, where the packets this SFU never sent it
        // (see SentSeqs) can be told from those its link lost: this count has them all.
        return;
    }
  }

  async leave(callId: string, participantId: string): Promise<void> {
    const room = this.#rooms.get(callId);
    const member = room?.members.get(participantId);
    if (!room || !member) return;
    room.members.delete(participantId);
    room.speakers.forget(participantId);
    for (const source of [...member.publications.keys()]) this.#unpublish(room, member, source);
    for (const s of member.subscriptions.values()) s.close();
    await Promise.all([member.pub?.close(), member.sub?.close()]);
  }

  close(callId?: string): Promise<void> {
    if (callId === undefined) return Promise.all([...this.#rooms.keys()].map((id) => this.close(id))).then(() => {});
    const room = this.#rooms.get(callId);
    if (!room) return Promise.resolve();
    clearInterval(room.timer);
    return Promise.all([...room.members.keys()].map((id) => this.leave(callId, id))).then(() => {
      this.#rooms.delete(callId);
    });
  }

  /**
   * What each of `subscriberId`'s subscriptions in `callId` forwards it and why, for diagnosis
   * (a test running the server in its process explains a picture at the wrong size with it).
   */
  forwarding(callId: string, subscriberId: string): ForwardingView[] {
    const member = this.#rooms.get(callId)?.members.get(subscriberId);
    return [...(member?.subscriptions.values() ?? [])].map((s) => s.view);
  }

  #room(callId: string): Room {
    const room = this.#rooms.get(callId);
    if (!room) throw new AppError("NOT_FOUND", "this call has no SFU room");
    return room;
  }

  #peer(room: Room, member: Member, link: SfuLink): RTCPeerConnection {
    const pc = createPeer(link, this.network);
    const to = member.id;
    pc.onIceCandidate.subscribe((c) => {
      const candidate = c?.toJSON();
      if (candidate) this.#emit({ type: "signal", callId: room.id, to, signal: { kind: "ice", link, candidate } });
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state === "new") return;
      this.#emit({ type: "connection", callId: room.id, participantId: to, link, state });
    });
    return pc;
  }

  async #publish(room: Room, member: Member, sdp: string, sources: Record<string, SfuSource>): Promise<void> {
    if (!member.pub) {
      const pc = (member.pub = this.#peer(room, member, "publish"));
      pc.onRemoteTransceiverAdded.subscribe((t) => {
        t.onTrack.subscribe((track) => {
          const source = t.mid === null ? undefined : member.sources[t.mid];
          if (source) this.#publication(room, member, source, t).addTrack(track);
        });
      });
    }
    if (!/^v=0\r?\n/.test(sdp)) throw new AppError("VALIDATION_ERROR", "publish offer is not SDP");
    // Our answer to it was lost or is slow: answer again, as before, without renegotiating.
    if (sdp === member.offer && member.pub.localDescription) return this.#answer(room, member);
    member.sources = sources;
    try {
      await member.pub.setRemoteDescription({ type: "offer", sdp });
    } catch (err) {
      throw new AppError("VALIDATION_ERROR", `publish offer rejected: ${err instanceof Error ? err.message : String(err)}`);
    }
    member.offer = sdp;
    await member.pub.setLocalDescription(await member.pub.createAnswer());
    for (const candidate of member.earlyIce.splice(0)) addCandidate(member.pub, candidate);
    this.#answer(room, member);
    // Whatever the client no longer sends (removed from `sources`, or no longer sending) ends.
    for (const [source, p] of member.publications) {
      const mid = p.transceiver.mid;
      const sending = mid !== null && sources[mid] === source && p.transceiver.currentDirection !== "inactive";
      if (!sending) this.#unpublish(room, member, source);
    }
  }

  #answer(room: Room, member: Member): void {
    this.#emit({ type: "signal", callId: room.id, to: member.id, signal: { kind: "answer", link: "publish", sdp: member.pub!.localDescription!.sdp } });
    // A client's offer says it is listening: repeat a subscribe offer it may have missed (in the
    // subscribe link's turn: one being made now has no local description yet).
    void member.subOps.run(async () => {
      if (member.negotiating) this.#sendOffer(room, member);
    });
  }

  #publication(room: Room, member: Member, source: SfuSource, t: RTCRtpTransceiver): Publication {
    const existing = member.publications.get(source);
    if (existing?.transceiver === t) return existing;
    if (existing) this.#unpublish(room, member, source);
    const p = new Publication(member.id, source, t, (level) => room.speakers.hear(member.id, level));
    member.publications.set(source, p);
    this.#emit({ type: "track", callId: room.id, participantId: member.id, source, published: true });
    for (const other of room.members.values()) {
      if (other === member) continue;
      this.#subscribe(room, other, p);
      void other.subOps.run(() => this.#renegotiate(room, other));
    }
    return p;
  }

  #unpublish(room: Room, member: Member, source: SfuSource): void {
    const p = member.publications.get(source);
    if (!p) return;
    member.publications.delete(source);
    const subscribers = [...p.subscriptions].map((s) => s.subscriberId);
    p.close();
    for (const id of subscribers) {
      const other = room.members.get(id);
      if (!other) continue;
      for (const [t, s] of other.subscriptions) {
        if (s.publication !== p) continue;
        other.subscriptions.delete(t);
        t.setDirection("inactive");
        other.spare.push(t);
      }
      void other.subOps.run(() => this.#renegotiate(room, other));
    }
    this.#emit({ type: "track", callId: room.id, participantId: member.id, source, published: false });
  }

  #subscribe(room: Room, member: Member, p: Publication): void {
    member.sub ??= this.#subscribeLink(room, member);
    const index = member.spare.findIndex((t) => t.kind === p.kind);
    const t = index >= 0 ? member.spare.splice(index, 1)[0]! : member.sub.addTransceiver(p.kind, { direction: "sendonly" });
    t.setDirection("sendonly");
    member.subscriptions.set(t, new Subscription(member.id, p, t));
  }

  #subscribeLink(room: Room, member: Member): RTCPeerConnection {
    const pc = this.#peer(room, member, "subscribe");
    pc.onTransceiverAdded.subscribe((t) => {
      t.sender.onRtcp.subscribe((packet) => {
        if ((member.subscriptions.get(t)?.reportedLoss(packet) ?? 0) > WEAK_LOSS) member.downlink.lossy(Date.now());
      });
    });
    // Packets reach the subscriber from now on: its keyframes are asked for now, not at the next tick.
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") for (const s of member.subscriptions.values()) s.awaitKeyframe();
    });
    return pc;
  }

  async #renegotiate(room: Room, member: Member): Promise<void> {
    const pc = member.sub;
    if (!pc || !room.members.has(member.id)) return;
    if (member.negotiating) {
      member.dirty = true;
      return;
    }
    member.dirty = false;
    member.negotiating = true;
    // The tick repeats an offer only once it has gone out (#sendOffer says when).
    member.offerRepeat.restart();
    member.offered = [...member.subscriptions.values()].filter((s) => !s.isNegotiated);
    await pc.setLocalDescription(await pc.createOffer());
    keepEarlyDtls(pc);
    member.offerVersion++;
    this.#sendOffer(room, member);
  }

  #sendOffer(room: Room, member: Member): void {
    const tracks: SfuTrackInfo[] = [];
    for (const [t, s] of member.subscriptions) {
      if (t.mid !== null) tracks.push({ mid: t.mid, participantId: s.publication.participantId, source: s.publication.source });
    }
    const sdp = member.sub!.localDescription!.sdp;
    member.offerRepeat.sent(Date.now());
    this.#emit({ type: "signal", callId: room.id, to: member.id, signal: { kind: "offer", link: "subscribe", sdp, tracks, version: member.offerVersion } });
  }

  #tick(room: Room): void {
    for (const member of room.members.values()) {
      if (member.pub) keepConsent(member.pub);
      if (member.sub) keepConsent(member.sub);
      // Not again before this one has gone out, however long the member's queue takes.
      if (member.negotiating && member.offerRepeat.due(Date.now())) {
        void member.subOps.run(async () => {
          if (member.negotiating) this.#sendOffer(room, member);
        });
      }
      for (const p of member.publications.values()) {
        if (p.kind !== "video") continue;
        p.sendRemb(PUBLISH_BITRATE);
        p.checkLayers();
      }
      const weak = member.downlink.weak(Date.now());
      for (const s of member.subscriptions.values()) {
        s.setWeak(weak);
        // Re-picked every tick (which applies the weak flag just set), not only when a
        // publication's live layers change: a subscription made or switched on while every
        // layer was stale (this process stalled past LAYER_STALE_MS) keeps no target, and if
        // packets resume before a tick saw the layers gone, the live list reads unchanged and
        // nothing would ever pick one.
        s.retarget();
        s.awaitKeyframe();
      }
    }
    const change = room.speakers.tick();
    if (change) this.#emit({ type: "speaker", callId: room.id, ...change });
  }
}
