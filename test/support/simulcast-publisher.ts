/**
 * A werift peer publishing a camera in three simulcast layers (rid l, m, h) as a browser does,
 * each on its own SSRC, a keyframe on a layer only when the SFU asks for one (as an encoder
 * does): test/sfuSimulcast.test.ts, on the test's thread or on one of its own
 * (support/publisher-worker.ts). VP8 descriptors only, no encoder; a packet's last byte names
 * its layer.
 */
import { PictureLossIndication, RTCPeerConnection, RTP_EXTENSION_URI, RtcpPayloadSpecificFeedback, RtpHeader, serializeSdesMid, serializeSdesRTPStreamID, useSdesMid, useSdesRTPStreamId } from "werift";
import { extensionId } from "../../src/server/sfu/werift-media";

export const RIDS = ["l", "m", "h"] as const;
export type Rid = (typeof RIDS)[number];
export const SSRC: Record<Rid, number> = { l: 1001, m: 1002, h: 1003 };

/** A peer with a sendonly video transceiver that can carry rids. */
export function publisherPeer(): RTCPeerConnection {
  const pc = new RTCPeerConnection({ iceUseIpv6: false, headerExtensions: { video: [useSdesMid(), useSdesRTPStreamId()] } });
  pc.addTransceiver("video", { direction: "sendonly" });
  return pc;
}

/** The publisher's offer as a browser sending camera simulcast words it. */
export const withSimulcast = (sdp: string) => sdp.replace(/(m=video[^]*?)(?=\r\nm=|\r\n$)/, `$1${RIDS.map((r) => `\r\na=rid:${r} send`).join("")}\r\na=simulcast:send ${RIDS.join(";")}`);

/**
 * Sends a packet on every layer every `everyMs`: a VP8 delta frame, or a keyframe once the SFU
 * asked for one, `padding` bytes long beyond its headers. Returns the SSRCs keyframes were asked
 * for, in order, and a stop function.
 */
export function publishLayers(pc: RTCPeerConnection, { everyMs = 33, padding = 0 } = {}): { plis: number[]; stop: () => void } {
  const video = pc.getTransceivers()[0]!;
  const transport = video.sender.dtlsTransport;
  const plis: number[] = [];
  const asked = new Set<number>();
  transport.onRtcp.subscribe((p) => {
    if (p instanceof RtcpPayloadSpecificFeedback && p.feedback.count === PictureLossIndication.count) {
      plis.push(p.feedback.mediaSsrc);
      asked.add(p.feedback.mediaSsrc);
    }
  });
  const midId = extensionId(video, RTP_EXTENSION_URI.sdesMid)!;
  const ridId = extensionId(video, RTP_EXTENSION_URI.sdesRTPStreamID)!;
  const payloadType = video.codecs[0]!.payloadType;
  let n = 0;
  const timer = setInterval(() => {
    for (const rid of RIDS) {
      const key = asked.delete(SSRC[rid]);
      const extensions = [
        { id: midId, payload: serializeSdesMid(video.mid!) },
        { id: ridId, payload: serializeSdesRTPStreamID(rid) },
      ];
      const header = new RtpHeader({ ssrc: SSRC[rid], payloadType, sequenceNumber: n & 0xffff, timestamp: n * 3000, marker: true, extensions });
      const payload = Buffer.concat([Buffer.from([0x10, key ? 0x00 : 0x01, 0, 0, 0, 0, 0]), Buffer.alloc(padding), Buffer.from([rid.charCodeAt(0)])]);
      void transport.sendRtp(payload, header).catch(() => {});
    }
    n++;
  }, everyMs);
  return { plis, stop: () => clearInterval(timer) };
}
