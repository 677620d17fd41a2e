/**
 * The external SFU: Janus VideoJanusRoom driven over its HTTP API, for deployments that want media
 * off the Parley process. Clients speak the same `sfu:signal`s as to the embedded SFU; here
 * their publish link is a VideoJanusRoom publisher handle (the client's offer goes to `publish` /
 * `configure`) and their subscribe link one multistream subscriber handle whose offers
 * (`join` / `update`) go to the client and whose answers go back with `start`. Janus' talking
 * events become the same speaker events. A subscriber whose reported loss says its link is weak
 * gets only the lowest substreams (downlink.ts). Operations on one participant run one at a time.
 */
import { AppError } from "../../shared/errors";
import type { Sfu, SfuEvent, SfuLink, SfuSignalIn, SfuSource } from "./sfu";
import { WEAK_LOSS } from "./downlink";
import { JanusError, JanusSession, type JanusEvent, type JanusReply } from "./janus-api";
import { JanusMember, JanusRoom, ROOM_SETTINGS, layerChanges, roomDescription, streamKey, subscribeTo, subscriptionChanges, tracksOf, type JanusStream, type JanusSubscribe } from "./janus-member";

const PLUGIN = "janus.plugin.videoroom";
const TICK_MS = 500;
/** How often the tick compares each subscription with what it should carry. */
const RECHECK_MS = 2_000;
const NO_SUCH_FEED = 428;

export class JanusSfu implements Sfu {
  readonly #rooms = new Map<string, JanusRoom>();
  readonly #listeners = new Set<(e: SfuEvent) => void>();
  #session: Promise<JanusSession> | null = null;
  /** The handle that creates and destroys rooms. */
  #admin: Promise<number> | null = null;
  /** Numbers subscribe offers across all members, so an answer names the one it answers. */
  #offers = 0;

  constructor(private readonly url: string) {}

  on(listener: (e: SfuEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: SfuEvent): void {
    for (const l of this.#listeners) l(e);
  }

  #janus(): Promise<JanusSession> {
    this.#session ??= JanusSession.create(this.url).catch((err) => {
      this.#session = null;
      throw err;
    });
    return this.#session;
  }

  async #adminHandle(): Promise<number> {
    const janus = await this.#janus();
    this.#admin ??= janus.attach(PLUGIN, () => {});
    return this.#admin;
  }

  async open(callId: string): Promise<void> {
    if (this.#rooms.has(callId)) return;
    const janus = await this.#janus();
    const admin = await this.#adminHandle();
    const description = roomDescription(callId);
    // A room of this call that another Parley node left behind (it died or was evicted while
    // holding it; this node takes over): Janus outlives that node, and nobody else would ever
    // destroy it, nor free the dead links still held in it.
    const { data } = await janus.message(admin, { request: "list" });
    for (const left of (data.list ?? []) as { room: number; description?: string }[]) {
      if (left.description === description) await janus.message(admin, { request: "destroy", room: left.room }).catch(() => {});
    }
    const janusRoom = 1 + Math.floor(Math.random() * 2 ** 52);
    await janus.message(admin, { request: "create", room: janusRoom, ...ROOM_SETTINGS, description });
    if (this.#rooms.has(callId)) return void janus.message(admin, { request: "destroy", room: janusRoom }).catch(() => {});
    const room: JanusRoom = new JanusRoom(callId, janusRoom, setInterval(() => this.#tick(room), TICK_MS));
    this.#rooms.set(callId, room);
  }

  async join(callId: string, participantId: string): Promise<void> {
    const room = this.#room(callId);
    if (room.members.has(participantId)) return;
    const member = new JanusMember(participantId);
    room.members.set(participantId, member);
    await member.run(async () => {
      const janus = await this.#janus();
      try {
        member.pub = await janus.attach(PLUGIN, (e) => this.#publisherEvent(room, member, e));
        const joined = await janus.message(member.pub, { request: "join", ptype: "publisher", room: room.janusRoom, display: participantId });
        member.feed = joined.data.id as number;
      } catch (err) {
        // Not in the room then, so that the next join makes them afresh: kept, they could never publish.
        member.closed = true;
        if (room.members.get(participantId) === member) room.members.delete(participantId);
        if (member.pub !== null) void janus.detach(member.pub);
        throw err;
      }
    });
    await this.#reconcile(room, member);
  }

  async signal(callId: string, participantId: string, signal: SfuSignalIn): Promise<void> {
    const room = this.#room(callId);
    const member = room.members.get(participantId);
    if (!member) throw new AppError("NOT_FOUND", "not in this call's SFU room");
    switch (signal.kind) {
      case "offer":
        return member.run(() => this.#publish(room, member, signal.sdp, signal.sources));
      case "answer":
        return member.run(async () => {
          if (member.sub === null) throw new AppError("CONFLICT", "no subscribe offer awaits an answer");
          if (!member.answers(signal)) return;
          member.offer = null;
          const janus = await this.#janus();
          await janus.message(member.sub, { request: "start" }, { type: "answer", sdp: signal.sdp });
          await this.#applyLayers(room, member);
        }).then(() => this.#reconcile(room, member));
      case "ice": {
        const handle = signal.link === "publish" ? member.pub : member.sub;
        if (handle === null) return;
        return (await this.#janus()).trickle(handle, signal.candidate);
      }
      case "layer": {
        const publisher = room.members.get(signal.publisherId);
        if (!publisher) return;
        member.layers.set(`${signal.publisherId}/${signal.source}`, signal.layer);
        return member.run(() => this.#applyLayers(room, member));
      }
      case "loss":
        if (signal.fraction > WEAK_LOSS) member.downlink.lossy(Date.now());
        return;
    }
  }

  async leave(callId: string, participantId: string): Promise<void> {
    const room = this.#rooms.get(callId);
    const member = room?.members.get(participantId);
    if (!room || !member) return;
    room.members.delete(participantId);
    room.speakers.forget(participantId);
    room.talking.delete(participantId);
    member.closed = true;
    for (const source of member.published.values()) this.#emit({ type: "track", callId, participantId, source, published: false });
    member.published.clear();
    const janus = await this.#janus();
    await Promise.all([member.pub, member.sub].map((h) => (h === null ? undefined : janus.detach(h))));
    for (const other of room.members.values()) void this.#reconcile(room, other);
  }

  close(callId?: string): Promise<void> {
    if (callId === undefined) {
      return Promise.all([...this.#rooms.keys()].map((id) => this.close(id))).then(async () => {
        const session = this.#session;
        this.#session = this.#admin = null;
        await (await session?.catch(() => null))?.destroy();
      });
    }
    const room = this.#rooms.get(callId);
    if (!room) return Promise.resolve();
    clearInterval(room.timer);
    return Promise.all([...room.members.keys()].map((id) => this.leave(callId, id))).then(async () => {
      this.#rooms.delete(callId);
      await (await this.#janus()).message(await this.#adminHandle(), { request: "destroy", room: room.janusRoom }).catch(() => {});
    });
  }

  #room(callId: string): JanusRoom {
    const room = this.#rooms.get(callId);
    if (!room) throw new AppError("NOT_FOUND", "this call has no SFU room");
    return room;
  }

  async #publish(room: JanusRoom, member: JanusMember, sdp: string, sources: Record<string, SfuSource>): Promise<void> {
    if (!/^v=0\r?\n/.test(sdp)) throw new AppError("VALIDATION_ERROR", "publish offer is not SDP");
    // Our answer to it was lost or is slow: answer again, as before, without renegotiating.
    if (member.answered?.offer === sdp) return this.#answerPublish(room, member, member.answered.answer);
    const janus = await this.#janus();
    let reply: JanusReply;
    try {
      const request = member.publishing ? "configure" : "publish";
      reply = await janus.message(member.pub!, { request }, { type: "offer", sdp, rid_order: "lmh" });
    } catch (err) {
      if (err instanceof JanusError) throw new AppError("VALIDATION_ERROR", `publish offer rejected: ${err.message}`);
      throw err;
    }
    if (reply.jsep?.type !== "answer") throw new AppError("VALIDATION_ERROR", "publish offer rejected: Janus sent no answer");
    member.publishing = true;
    member.sources = sources;
    member.answered = { offer: sdp, answer: reply.jsep.sdp };
    this.#answerPublish(room, member, reply.jsep.sdp);
    if (member.up) this.#publications(room, member);
  }

  #answerPublish(room: JanusRoom, member: JanusMember, sdp: string): void {
    this.#emit({ type: "signal", callId: room.id, to: member.id, signal: { kind: "answer", link: "publish", sdp } });
    // A client's offer says it is listening: repeat a subscribe offer it may have missed.
    if (member.offer) this.#emit({ type: "signal", callId: room.id, to: member.id, signal: member.offer });
  }

  /** Brings the participant's publications in line with what it says it sends; others follow. */
  #publications(room: JanusRoom, member: JanusMember): void {
    const next = new Map(Object.entries(member.sources));
    let changed = false;
    for (const [mid, source] of member.published) {
      if (next.get(mid) === source) continue;
      member.published.delete(mid);
      changed = true;
      this.#emit({ type: "track", callId: room.id, participantId: member.id, source, published: false });
    }
    for (const [mid, source] of next) {
      if (member.published.get(mid) === source) continue;
      member.published.set(mid, source);
      changed = true;
      this.#emit({ type: "track", callId: room.id, participantId: member.id, source, published: true });
    }
    if (changed) for (const other of room.members.values()) if (other !== member) void this.#reconcile(room, other);
  }

  #publisherEvent(room: JanusRoom, member: JanusMember, e: JanusEvent): void {
    const data = e.plugindata?.data;
    if (e.janus === "webrtcup") {
      member.up = true;
      this.#connection(room, member, "publish", "connected");
      void member.run(async () => this.#publications(room, member));
    } else if (e.janus === "hangup") {
      member.up = member.publishing = false;
      this.#connection(room, member, "publish", "disconnected");
    } else if (data && (data.videoroom === "talking" || data.videoroom === "stopped-talking") && data.id === member.feed) {
      // Every publisher hears of everyone's talking: take each from its own handle only.
      const level = 1 - Number(data["audio-level-dBov-avg"] ?? 127) / 127;
      if (data.videoroom === "talking") room.talking.set(member.id, level);
      else room.talking.delete(member.id);
    }
  }

  #connection(room: JanusRoom, member: JanusMember, link: SfuLink, state: "connected" | "disconnected"): void {
    this.#emit({ type: "connection", callId: room.id, participantId: member.id, link, state });
  }

  /** The streams a participant should receive: every other participant's live publications. */
  #wanted(room: JanusRoom, member: JanusMember): Map<string, JanusSubscribe> {
    const want = new Map<string, JanusSubscribe>();
    for (const other of room.members.values()) {
      if (other === member || other.feed === null || !other.up) continue;
      for (const [mid, source] of other.published) want.set(streamKey(other.feed, mid), subscribeTo(other.feed, mid, source));
    }
    return want;
  }

  /** Subscribes and unsubscribes until the subscriber handle carries what #wanted says; one offer at a time. */
  #reconcile(room: JanusRoom, member: JanusMember): Promise<void> {
    return member.run(async () => {
      if (member.closed || member.offer || member.postponed) return;
      const janus = await this.#janus();
      const { subscribe, unsubscribe } = subscriptionChanges(this.#wanted(room, member), member.streams);
      if (!subscribe.length && !unsubscribe.length) return;
      let reply: JanusReply;
      try {
        if (member.sub === null) {
          const sub = await janus.attach(PLUGIN, (e) => this.#subscriberEvent(room, member, e));
          // A handle whose join failed takes only another join: the next try attaches afresh.
          reply = await janus.message(sub, { request: "join", ptype: "subscriber", room: room.janusRoom, autoupdate: false, streams: subscribe }).catch((err: unknown) => {
            void janus.detach(sub);
            throw err;
          });
          // Left meanwhile: leave() detached only the handles it saw.
          if (member.closed) return void janus.detach(sub);
          member.sub = sub;
        } else {
          // Janus refuses an empty list: send only the ones with something in them.
          const changes = { ...(subscribe.length && { subscribe }), ...(unsubscribe.length && { unsubscribe: unsubscribe.map((sub_mid) => ({ sub_mid })) }) };
          reply = await janus.message(member.sub, { request: "update", ...changes });
        }
      } catch (err) {
        // A publisher left between our look and Janus' (No such feed): look again shortly. Any
        // other failure is tried again by the tick (RECHECK_MS).
        if (err instanceof JanusError && err.code === NO_SUCH_FEED && !member.closed) setTimeout(() => void this.#reconcile(room, member), 200);
        return;
      }
      // Janus still waits for the answer to its previous offer (it notes it just after "started").
      if (reply.data.videoroom === "updating") member.postponed = true;
      else this.#subscribeOffer(room, member, reply);
    });
  }

  #subscribeOffer(room: JanusRoom, member: JanusMember, reply: JanusReply): void {
    if (Array.isArray(reply.data.streams)) member.streams = reply.data.streams as JanusStream[];
    if (reply.jsep?.type !== "offer") return;
    const offer = { kind: "offer" as const, link: "subscribe" as const, sdp: reply.jsep.sdp, tracks: tracksOf(member.streams, (feed) => room.byFeed(feed)), version: ++this.#offers };
    member.offering(offer, Date.now());
    this.#emit({ type: "signal", callId: room.id, to: member.id, signal: offer });
  }

  #subscriberEvent(room: JanusRoom, member: JanusMember, e: JanusEvent): void {
    const data = e.plugindata?.data;
    if (e.janus === "webrtcup") this.#connection(room, member, "subscribe", "connected");
    else if (e.janus === "hangup") this.#connection(room, member, "subscribe", "disconnected");
    else if (data?.videoroom === "updated" && e.jsep) {
      void member.run(async () => {
        member.postponed = false;
        this.#subscribeOffer(room, member, { data, jsep: e.jsep });
      });
    }
  }

  /** Tells Janus each subscribed stream's simulcast layer, or to stop sending it ("off"), where that changed. */
  async #applyLayers(room: JanusRoom, member: JanusMember): Promise<void> {
    const streams = layerChanges(room, member);
    if (member.sub !== null && streams.length) await (await this.#janus()).message(member.sub, { request: "configure", streams }).catch(() => {});
  }

  #tick(room: JanusRoom): void {
    const now = Date.now();
    for (const member of room.members.values()) {
      const repeat = member.repeatDue(now);
      if (repeat) this.#emit({ type: "signal", callId: room.id, to: member.id, signal: repeat });
      // Level-triggered: a change Janus skipped (a feed not started yet on its side) or refused
      // is made again, not only when the next join, publication or leave asks for one.
      if (now >= member.recheckAt) {
        member.recheckAt = now + RECHECK_MS;
        void this.#reconcile(room, member);
      }
      const weak = member.downlink.weak(now);
      if (weak === member.weak) continue;
      member.weak = weak;
      void member.run(() => this.#applyLayers(room, member));
    }
    for (const [id, level] of room.talking) room.speakers.hear(id, level);
    const change = room.speakers.tick();
    if (change) this.#emit({ type: "speaker", callId: room.id, ...change });
  }
}
