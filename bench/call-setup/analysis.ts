/** Per-call intervals between the pages' marks, summarised. */
import { dist, fmt, type Dist } from "../lib/harness";
import type { CallSample } from "./run";

/** Per-call interval b − a (NaN if either mark is missing), summarised. */
export function seg(samples: CallSample[], f: (s: CallSample) => number): Dist {
  return dist(samples.map(f).filter(Number.isFinite));
}

export interface Milestone {
  label: string;
  side: "caller" | "callee";
  key: string;
}

/** Milestones after Accept, in roughly the order they happen. */
export const MILESTONES: Milestone[] = [
  { label: "callee camera: getUserMedia starts", side: "callee", key: "gumStart" },
  { label: "callee sends call:accept", side: "callee", key: "send:call:accept" },
  { label: "caller receives call:accepted", side: "caller", key: "recv:call:accepted" },
  { label: "caller GET /api/rtc/ice-servers sent", side: "caller", key: "iceFetchStart" },
  { label: "callee GET /api/rtc/ice-servers sent", side: "callee", key: "iceFetchStart" },
  { label: "caller offer created (setLocalDescription done)", side: "caller", key: "sld:offer" },
  { label: "callee offer applied (setRemoteDescription done)", side: "callee", key: "srd:offer" },
  { label: "callee answer created (setLocalDescription done)", side: "callee", key: "sld:answer" },
  { label: "caller video track (ontrack)", side: "caller", key: "track:video" },
  { label: "caller frame decoded per rVFC (receiveTime + processingDuration)", side: "caller", key: "rvfcDecoded" },
  { label: "caller last packet of first frame in, per rVFC", side: "caller", key: "rvfcReceived" },
  { label: "caller GET /api/rtc/ice-servers answered", side: "caller", key: "iceFetchEnd" },
  { label: "caller RTCPeerConnection created", side: "caller", key: "pcCreated" },
  { label: "caller sends the offer", side: "caller", key: "send:rtc:offer" },
  { label: "callee receives the offer", side: "callee", key: "recv:rtc:offer" },
  { label: "callee call:accept answered", side: "callee", key: "reply:call:accept" },
  { label: "callee camera open (getUserMedia resolves)", side: "callee", key: "gumEnd" },
  { label: "callee GET /api/rtc/ice-servers answered", side: "callee", key: "iceFetchEnd" },
  { label: "callee RTCPeerConnection created", side: "callee", key: "pcCreated" },
  { label: "callee sends the answer", side: "callee", key: "send:rtc:answer" },
  { label: "caller answer handed to setRemoteDescription", side: "caller", key: "srdStart:answer" },
  { label: "caller answer applied", side: "caller", key: "srd:answer" },
  { label: "caller first local candidate", side: "caller", key: "cand:host" },
  { label: "caller first relay candidate", side: "caller", key: "cand:relay" },
  { label: "callee ICE connected", side: "callee", key: "ice:connected" },
  { label: "caller ICE connected", side: "caller", key: "ice:connected" },
  { label: "callee DTLS done (connectionState connected)", side: "callee", key: "conn:connected" },
  { label: "caller DTLS done (connectionState connected)", side: "caller", key: "conn:connected" },
  { label: "callee first video frame encoded", side: "callee", key: "outFrameEncoded" },
  { label: "caller first video frame encoded", side: "caller", key: "outFrameEncoded" },
  { label: "caller first video RTP packet in", side: "caller", key: "inVideoPacket" },
  { label: "caller first frame decoded", side: "caller", key: "inFrameDecoded" },
  { label: "caller remote <video> first frame (rVFC)", side: "caller", key: "rvfcFirstFrame" },
  { label: "callee first video RTP packet in", side: "callee", key: "inVideoPacket" },
  { label: "callee first frame decoded", side: "callee", key: "inFrameDecoded" },
];

export const at = (s: CallSample, side: "caller" | "callee", key: string) => (side === "caller" ? s.callerMarks : s.calleeMarks)[key]! - s.calleeMarks["click:Accept"]!;

/** Segments of the caller's critical path (accept → caller's first decoded frame); they add up to it. */
export const SEGMENTS: { label: string; from: [Milestone["side"], string] | null; to: [Milestone["side"], string] }[] = [
  { label: "Accept → caller hears call:accepted (callee → server → caller)", from: null, to: ["caller", "recv:call:accepted"] },
  { label: "→ caller starts GET /api/rtc/ice-servers (call view renders first)", from: ["caller", "recv:call:accepted"], to: ["caller", "iceFetchStart"] },
  { label: "→ caller has the ICE servers (HTTP round trip)", from: ["caller", "iceFetchStart"], to: ["caller", "iceFetchEnd"] },
  { label: "→ caller sends its offer (new RTCPeerConnection, addTrack, createOffer + setLocalDescription)", from: ["caller", "iceFetchEnd"], to: ["caller", "send:rtc:offer"] },
  { label: "→ callee sends its answer (waits for call:accept reply, its camera, its ICE-servers fetch; then answers)", from: ["caller", "send:rtc:offer"], to: ["callee", "send:rtc:answer"] },
  { label: "→ answer reaches the caller's RTCPeerConnection (server relay)", from: ["callee", "send:rtc:answer"], to: ["caller", "srdStart:answer"] },
  { label: "→ caller ICE connected (setRemoteDescription, connectivity checks)", from: ["caller", "srdStart:answer"], to: ["caller", "ice:connected"] },
  { label: "→ caller DTLS done", from: ["caller", "ice:connected"], to: ["caller", "conn:connected"] },
  { label: "→ last packet of the first frame at the caller (callee's encoder starts, first keyframe paced out; rVFC receiveTime)", from: ["caller", "conn:connected"], to: ["caller", "rvfcReceived"] },
  { label: "→ decoded (rVFC receiveTime + processingDuration)", from: ["caller", "rvfcReceived"], to: ["caller", "rvfcDecoded"] },
  { label: "→ visible to getStats (framesDecoded > 0; libwebrtc's 50 ms stats cache + poll)", from: ["caller", "rvfcDecoded"], to: ["caller", "inFrameDecoded"] },
];

export function segmentDist(samples: CallSample[], sg: (typeof SEGMENTS)[number]): Dist {
  return seg(samples, (s) => at(s, sg.to[0], sg.to[1]) - (sg.from ? at(s, sg.from[0], sg.from[1]) : 0));
}

export const ms = (n: number) => fmt(n, 0);
export const triple = (d: Dist) => `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.max)}`;
