/**
 * SFU signaling on the wire (docs/PROTOCOL.md "SFU"). Each participant of a call whose topology
 * is "sfu" has two links to the SFU: "publish" (the client offers its own tracks) and
 * "subscribe" (the SFU offers everyone else's). The signals carry what the SDP alone does not
 * say: which source each published mid is, whose track each subscribed mid is, and which
 * simulcast layer a subscriber wants of each publication.
 */
import { z } from "zod";
import { IceCandidate } from "./calls";
import { frame, Id, Str } from "./wire";

const Sdp = Str().min(1).max(60_000);
const Mid = Str().min(1).max(32);
export const SfuLink = z.enum(["publish", "subscribe"]);
export type SfuLink = z.infer<typeof SfuLink>;
export const SfuSource = z.enum(["microphone", "camera", "screen"]);
export type SfuSource = z.infer<typeof SfuSource>;
/** Simulcast layer a subscriber wants of one publication; "off" stops forwarding it. */
export const SfuLayer = z.enum(["low", "mid", "high", "off"]);
export type SfuLayer = z.infer<typeof SfuLayer>;
export type SfuIceCandidate = IceCandidate;

/** The m-lines' mids of an SDP, in order: an answer answers the offer with the same ones. */
export function sdpMids(sdp: string): string {
  return [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]).join(" ");
}

/** Client → SFU. */
export const SfuSignalIn = z.discriminatedUnion("kind", [
  /** Publish offer; `sources` names what each of the client's sending mids carries. */
  z.object({ kind: z.literal("offer"), link: z.literal("publish"), sdp: Sdp, sources: z.record(Mid, SfuSource) }).strict(),
  /** Subscribe answer; `version` echoes the offer's, when it had one. */
  z.object({ kind: z.literal("answer"), link: z.literal("subscribe"), sdp: Sdp, version: z.number().int().nonnegative().optional() }).strict(),
  z.object({ kind: z.literal("ice"), link: SfuLink, candidate: IceCandidate.nullable() }).strict(),
  z.object({ kind: z.literal("layer"), publisherId: Id, source: SfuSource, layer: SfuLayer }).strict(),
  /** The share of packets lost on the subscribe link since the client's last report (SFU_LOSS_REPORT_MS apart). */
  z.object({ kind: z.literal("loss"), fraction: z.number().min(0).max(1) }).strict(),
]);

/** How often a subscriber that lost packets on its subscribe link says so. */
export const SFU_LOSS_REPORT_MS = 1000;
export type SfuSignalIn = z.infer<typeof SfuSignalIn>;

/** What a subscriber's transceiver carries: the subscriber maps `ontrack` to a participant by mid. */
export interface SfuTrackInfo {
  mid: string;
  participantId: string;
  source: SfuSource;
}

/** SFU → client. */
export type SfuSignalOut =
  | { kind: "answer"; link: "publish"; sdp: string }
  /** `version` (embedded SFU) numbers the member's offers; a repeat keeps it, so answers to it can be told apart. */
  | { kind: "offer"; link: "subscribe"; sdp: string; tracks: SfuTrackInfo[]; version?: number }
  | { kind: "ice"; link: SfuLink; candidate: SfuIceCandidate | null };

export const SfuClientFrames = [frame("sfu:signal", { callId: Id, signal: SfuSignalIn })] as const;

export type SfuServerEvent =
  | { type: "sfu:signal"; callId: string; signal: SfuSignalOut }
  /** The loudest participant changed (null: nobody speaks); levels 0 (silence) … 1 (0 dBov). */
  | { type: "sfu:speaker"; callId: string; participantId: string | null; levels: Record<string, number> }
  /** The call's SFU room moved to another node (its node died): open fresh SFU links. */
  | { type: "sfu:moved"; callId: string };
