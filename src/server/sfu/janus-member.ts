/**
 * Bookkeeping of the Janus SFU (JanusSfu talks to Janus): a room and its participants, each
 * with its publisher and subscriber handles, what it publishes (publisher mid → source), what
 * its subscriber handle carries (as Janus last said), the layers it asked for and whether its
 * downlink is weak (Janus estimates no subscriber's bandwidth: the client's loss reports decide).
 */
import { sdpMids } from "../../shared/sfu";
import type { SfuLayer, SfuSignalOut, SfuSource, SfuTrackInfo } from "./sfu";
import { Downlink } from "./downlink";
import { OfferRepeat } from "./offer-repeat";
import { SpeakerMeter } from "./speaker";
import { Serial } from "./serial";

/**
 * Every call's Janus room: REMB asks each publisher for at most 2.5 Mbit/s (the browser splits
 * it over its simulcast layers); talking is an average level over 25 packets (0.5 s) louder than
 * 50 -dBov, as SpeakerMeter's threshold. No keyframe requests on a timer (fir_freq 0): Janus asks a
 * publisher for one when a subscriber starts, switches layer or asks itself, and a periodic one
 * overflowed weak subscribers' links (janusWeakLink: 6–17 freezes in 65 s with 10 s over four runs, 3–5 without over four).
 */
export const ROOM_SETTINGS = {
  publishers: 1000,
  bitrate: 2_500_000,
  fir_freq: 0,
  videocodec: "vp8",
  audiocodec: "opus",
  audiolevel_event: true,
  audio_active_packets: 25,
  audio_level_average: 50,
};

/** How a call's room is described in Janus, so that whichever node opens the call finds it. */
export const roomDescription = (callId: string) => `parley call ${callId}`;

export type SubscribeOffer = Extract<SfuSignalOut, { kind: "offer" }> & { version: number };

const SUBSTREAM: Record<Exclude<SfuLayer, "off">, number> = { low: 0, mid: 1, high: 2 };

/**
 * How long (µs) the simulcast substream Janus relays to a subscriber may go silent, while others
 * flow, before Janus drops it to the one below and asks the publisher for a keyframe (Janus'
 * `fallback`; its default, 250 ms, is shorter than the pause a publisher's VP8 encoder makes in a
 * layer after an overshooting keyframe, and Janus does not limit its requests: each keyframe
 * caused the next, about two a second). Under 1 s, because past 1 s without relaying Janus asks
 * for a keyframe at every packet of another substream until this much has passed.
 */
export const FALLBACK_US = 900_000;

/** A stream of a subscriber handle, as Janus lists them in `attached` / `updated`. */
export interface JanusStream {
  mid: string;
  type: string;
  active?: boolean;
  feed_id?: number;
  feed_mid?: string;
}

export const streamKey = (feed: number, mid: string) => `${feed}/${mid}`;

/** A publisher's stream as a subscriber handle asks for it (`join` / `update`'s `subscribe`). */
export interface JanusSubscribe {
  feed: number;
  mid: string;
  substream?: number;
  fallback?: number;
}

/**
 * Video comes on Janus' default substream (the highest, as layerChanges assumes) with our
 * fallback: `update` applies a fallback only beside a substream.
 */
export function subscribeTo(feed: number, mid: string, source: SfuSource): JanusSubscribe {
  return source === "microphone" ? { feed, mid } : { feed, mid, substream: SUBSTREAM.high, fallback: FALLBACK_US };
}

export class JanusMember extends Serial {
  pub: number | null = null;
  sub: number | null = null;
  /** Janus' id for this participant's publisher (its "feed"). */
  feed: number | null = null;
  /** Janus accepted a publish offer (later offers are `configure`); `up`: its media connected. */
  publishing = false;
  up = false;
  closed = false;
  /** The last publish offer and Janus' answer, sent again when the client repeats the offer. */
  answered: { offer: string; answer: string } | null = null;
  /** What the client says each mid of its last offer carries. */
  sources: Record<string, SfuSource> = {};
  /** Publications others may subscribe to: publisher mid → source. */
  readonly published = new Map<string, SfuSource>();
  streams: JanusStream[] = [];
  /** Janus postponed our last update ("updating"): its offer comes later as an event. */
  postponed = false;
  /** The subscribe offer awaiting the client's answer (Janus makes no other until it is answered), and when the tick sends it again. */
  offer: SubscribeOffer | null = null;
  readonly offerRepeat = new OfferRepeat();
  /** When the tick next compares the subscription with what it should carry (a change Janus skipped or refused is made again). */
  recheckAt = 0;
  /** `publisherId/source` → the layer asked for; `applied`: subscriber mid + feed → layer Janus has. */
  readonly layers = new Map<string, SfuLayer>();
  readonly applied = new Map<string, SfuLayer>();
  /** From the loss the client reports; `weak`: Janus was last told to send it only the lowest layers. */
  readonly downlink = new Downlink();
  weak = false;
  constructor(readonly id: string) {
    super();
  }

  /** `offer` goes out now and awaits the client's answer. */
  offering(offer: SubscribeOffer, now: number): void {
    this.offer = offer;
    this.offerRepeat.restart();
    this.offerRepeat.sent(now);
  }

  /** The pending offer if it is due to be sent again (then due again after twice the wait), else null. */
  repeatDue(now: number): SubscribeOffer | null {
    if (!this.offer || !this.offerRepeat.due(now)) return null;
    this.offerRepeat.sent(now);
    return this.offer;
  }

  /**
   * Whether an answer answers the pending offer: a repeated offer is answered twice, and an answer
   * to an earlier offer (or to the previous links' subscription, whose versions this process
   * never reuses) can arrive late; taken for the pending offer's, it would leave Janus with an
   * answer to other m-lines.
   */
  answers(answer: { sdp: string; version?: number }): boolean {
    if (!this.offer || (answer.version !== undefined && answer.version !== this.offer.version)) return false;
    return sdpMids(answer.sdp) === sdpMids(this.offer.sdp);
  }
}

/** What to add to (publisher streams) and drop from (subscriber mids) a subscription. */
export function subscriptionChanges(want: Map<string, JanusSubscribe>, have: JanusStream[]): { subscribe: JanusSubscribe[]; unsubscribe: string[] } {
  const live = have.filter((s) => s.active !== false && s.feed_id !== undefined && s.feed_mid !== undefined);
  const haveKeys = new Set(live.map((s) => streamKey(s.feed_id!, s.feed_mid!)));
  return {
    subscribe: [...want].filter(([key]) => !haveKeys.has(key)).map(([, s]) => s),
    unsubscribe: live.filter((s) => !want.has(streamKey(s.feed_id!, s.feed_mid!))).map((s) => s.mid),
  };
}

/** The client's view of a subscription: whose track and which source each mid is. */
export function tracksOf(streams: JanusStream[], byFeed: (feed: number) => JanusMember | undefined): SfuTrackInfo[] {
  const tracks: SfuTrackInfo[] = [];
  for (const s of streams) {
    if (s.active === false || s.feed_id === undefined || s.feed_mid === undefined) continue;
    const publisher = byFeed(s.feed_id);
    const source = publisher?.published.get(s.feed_mid);
    if (publisher && source) tracks.push({ mid: s.mid, participantId: publisher.id, source });
  }
  return tracks;
}

export class JanusRoom {
  readonly members = new Map<string, JanusMember>();
  readonly speakers = new SpeakerMeter();
  /** participantId → level while Janus says they talk. */
  readonly talking = new Map<string, number>();
  constructor(
    readonly id: string,
    readonly janusRoom: number,
    readonly timer: ReturnType<typeof setInterval>,
  ) {}

  byFeed(feed: unknown): JanusMember | undefined {
    for (const m of this.members.values()) if (m.feed === feed) return m;
    return undefined;
  }
}

/**
 * Simulcast layer (or "off") changes Janus must apply to the member's subscribed video: the
 * layer asked for (Janus' default: the highest), only the lowest while its downlink is weak.
 * Noted as applied.
 */
export function layerChanges(room: JanusRoom, member: JanusMember): Record<string, unknown>[] {
  const changes: Record<string, unknown>[] = [];
  for (const s of member.streams) {
    if (s.type !== "video" || s.active === false) continue;
    const publisher = s.feed_id === undefined ? undefined : room.byFeed(s.feed_id);
    const source = s.feed_mid === undefined ? undefined : publisher?.published.get(s.feed_mid);
    if (!publisher || !source) continue;
    const asked = member.layers.get(`${publisher.id}/${source}`) ?? "high";
    const layer = member.weak && asked !== "off" ? "low" : asked;
    const key = `${s.mid}/${s.feed_id}/${s.feed_mid}`;
    const was = member.applied.get(key) ?? "high";
    if (was === layer) continue;
    member.applied.set(key, layer);
    // Janus (1.1.2 configure) asks the publisher for a keyframe on every `send: true`, on top of
    // the one a substream change asks for; left out, `send` keeps the stream as it is.
    if (layer === "off") changes.push({ mid: s.mid, send: false });
    else changes.push({ mid: s.mid, ...(was === "off" && { send: true }), substream: SUBSTREAM[layer], fallback: FALLBACK_US });
  }
  return changes;
}
