/**
 * werift peer-connection settings and the few RTP/RTCP helpers the embedded SFU needs.
 * Video is VP8 only: the SFU must spot keyframes to switch simulcast layers cleanly, and every
 * browser sends VP8 simulcast. No RTX and no transport-cc: the SFU answers NACKs from its own
 * packet cache and steers publishers with REMB (Chromium did not raise its estimate from
 * werift's TWCC feedback alone). A subscriber's weak link shows as loss in its receiver reports
 * (a receive-side estimate would only follow the low rate it is already sent), less the packets
 * the SFU never sent it (sent-seqs.ts).
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTP_EXTENSION_URI,
  ReceiverEstimatedMaxBitrate,
  RtcpRrPacket,
  RtcpPayloadSpecificFeedback,
  Vp8RtpPayload,
  deserializeAudioLevelIndication,
  useAudioLevelIndication,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useSdesRTPStreamId,
  type RTCRtpSender,
  type RTCRtpTransceiver,
  type RtpPacket,
} from "werift";
import { Socket } from "node:dgram";
import type { SfuNetwork } from "../config";
import type { SfuIceCandidate } from "../../shared/sfu";
import type { SfuLink } from "./sfu";

/**
 * werift binds its UDP sockets without an "error" listener. On Bun an ICMP port-unreachable
 * (the peer's tab closed while we still send to it) arrives as a recvmsg ECONNREFUSED "error"
 * event, and an unheard "error" kills the process. Every UDP socket bound without a listener
 * gets one that ignores it: ICE consent checks then notice the peer is gone.
 */
export function surviveUnreachablePeers(): void {
  const proto = Socket.prototype as Socket & { parleyGuarded?: boolean };
  if (proto.parleyGuarded) return;
  proto.parleyGuarded = true;
  const bind = proto.bind;
  proto.bind = function (this: Socket, ...args: unknown[]) {
    if (this.listenerCount("error") === 0) this.on("error", () => {});
    return (bind as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof proto.bind;
}

function codecs() {
  return {
    audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })],
    video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
  };
}

/**
 * Publish links read rid (simulcast demux); both carry mid and RFC 6464 audio levels. `network`
 * adds the node's announced address to the interface addresses werift offers (its sockets
 * listen on every interface, so traffic sent to a 1:1-NATed public address reaches them) and
 * pins the UDP ports.
 *
 * Two settings keep a link's setup off the join's critical path. max-bundle: our subscribe
 * offers put every m-line on one ICE/DTLS transport from the start (werift otherwise makes,
 * gathers and signals one per m-line until the answer bundles them — six for a joiner seeing
 * three people). A zero STUN gather timeout: werift asks a STUN server (Google's, unless told
 * another) for a server-reflexive address on every gather and setLocalDescription waits for it,
 * up to 5 s where that server is unreachable; now the host candidates go out at once and a
 * reflexive one follows as a trickled candidate if it comes.
 */
export function createPeer(link: SfuLink, network: SfuNetwork = {}): RTCPeerConnection {
  const video = link === "publish" ? [useSdesMid(), useSdesRTPStreamId()] : [useSdesMid()];
  return new RTCPeerConnection({
    codecs: codecs(),
    headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()], video },
    iceUseIpv6: false,
    iceAdditionalHostAddresses: network.announcedIp ? [network.announcedIp] : undefined,
    icePortRange: network.portRange,
    bundlePolicy: "max-bundle",
    iceStunGatherTimeout: 0,
  });
}

/**
 * Applies a client's candidate without waiting for it: werift resolves an mDNS one (a browser
 * that has no camera or microphone permission hides its address behind `<uuid>.local`) for up to
 * 10 s, which a server never can, and the link's next signal must not wait on it. Its checks
 * reach us anyway, and answering them teaches werift the address (a peer-reflexive candidate).
 */
export function addCandidate(pc: RTCPeerConnection, candidate: SfuIceCandidate): void {
  void pc.addIceCandidate(candidate).catch(() => {});
}

/** werift's ICE agent, as far as keepConsent uses it (queryConsent is private in its types). */
interface IceAgent {
  state: string;
  nominated?: { packetsReceived: number };
  queryConsent(): void;
}

/** A link's consent is renewed at most this often, well inside werift's 30 s expiry. */
const CONSENT_RENEW_MS = 10_000;
const heard = new WeakMap<IceAgent, { packets: number; renewedAt: number }>();

/**
 * Renews the ICE consent (RFC 7675) of a link whose peer sent us media or RTCP since the last
 * call. werift's own consent checks give each answer 0.5–1 s; on a starved machine (six pages
 * and the server on two cores: event-loop stalls of 1–8 s measured, the process getting ~5 % of
 * a core in them) the browser's answer comes or is read after that, every check counts as lost,
 * and 30 s later werift stops sending on the link for good — a subscriber's whole link froze, a
 * publisher no longer got our keyframe requests. SRTP/SRTCP from the peer on the selected pair
 * says as much as a check's answer: it is there and talking to us. A peer that went quiet
 * (a closed tab) is left to expire as before.
 */
export function keepConsent(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) {
    const agent = transport.connection as unknown as IceAgent;
    const packets = agent.nominated?.packetsReceived;
    if (packets === undefined || (agent.state !== "connected" && agent.state !== "completed")) continue;
    const last = heard.get(agent);
    if (last && (last.packets === packets || Date.now() - last.renewedAt < CONSENT_RENEW_MS)) continue;
    agent.queryConsent();
    heard.set(agent, { packets, renewedAt: Date.now() });
  }
}

/** The negotiated id of a header extension on a transceiver, if any. */
export function extensionId(transceiver: RTCRtpTransceiver, uri: string): number | undefined {
  return transceiver.headerExtensions.find((e) => e.uri === uri)?.id;
}

export const AUDIO_LEVEL_URI = RTP_EXTENSION_URI.audioLevelIndication;

/** RFC 6464 level of a packet as 0 (silence, -127 dBov) … 1 (0 dBov), or undefined without one. */
export function audioLevel(rtp: RtpPacket, id: number | undefined): number | undefined {
  if (id === undefined) return undefined;
  const ext = rtp.header.extensions.find((e) => e.id === id);
  if (!ext) return undefined;
  return 1 - deserializeAudioLevelIndication(ext.payload).level / 127;
}

export function isVp8Keyframe(rtp: RtpPacket): boolean {
  try {
    const p = Vp8RtpPayload.deSerialize(rtp.payload);
    return p.isKeyframe && p.sBit === 1 && p.pid === 0;
  } catch {
    return false;
  }
}

/** REMB (draft-alvestrand-rmcat-remb): the ceiling we ask a publisher's encoder to use. */
export function remb(senderSsrc: number, mediaSsrcs: number[], bitrate: number): RtcpPayloadSpecificFeedback {
  let exp = 0;
  let mantissa = Math.floor(bitrate);
  while (mantissa >= 1 << 18) {
    mantissa >>= 1;
    exp++;
  }
  return new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc,
      mediaSsrc: 0,
      brExp: exp,
      brMantissa: mantissa,
      ssrcNum: mediaSsrcs.length,
      ssrcFeedbacks: mediaSsrcs,
    }),
  });
}

/** What a subscriber's RTCP receiver report says of one stream it gets, if it is one naming it. */
export function receiverReport(packet: unknown, ssrc: number): { fraction: number; highest: number } | undefined {
  if (!(packet instanceof RtcpRrPacket)) return undefined;
  const report = packet.reports.find((r) => r.ssrc === ssrc);
  return report && { fraction: report.fractionLost / 256, highest: report.highestSequence };
}

/**
 * The sequence number `sender` gave the last packet it sent (werift rewrites it as it sends:
 * private in its types). Read right after sendRtp(): werift numbers a packet before its first await.
 */
export function lastSentSeq(sender: RTCRtpSender): number | undefined {
  return (sender as unknown as { sequenceNumber?: number }).sequenceNumber;
}
