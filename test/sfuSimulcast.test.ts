/**
 * Simulcast through the embedded SFU: each subscriber is sent the layer it asks for, and one
 * whose receiver reports heavy loss drops to the lowest layer, the SFU asking the publisher for
 * that layer's keyframe to switch on. The publisher is a werift peer that says it sends three
 * layers (rid l, m, h) and sends them itself, each on its own SSRC, a keyframe on a layer only
 * when asked for one (as an encoder does); subscribers are werift peers too.
 */
import { afterEach, expect, test } from "bun:test";
import {
  PictureLossIndication,
  RTCPeerConnection,
  RTP_EXTENSION_URI,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtpHeader,
  serializeSdesMid,
  serializeSdesRTPStreamID,
  useSdesMid,
  useSdesRTPStreamId,
} from "werift";
import { extensionId } from "../src/server/sfu/werift-media";
import { until } from "./support/browser";
import { publishThrough, recordedSfu, subscribeThrough } from "./support/sfu-werift";

const RIDS = ["l", "m", "h"] as const;
type Rid = (typeof RIDS)[number];
const SSRC: Record<Rid, number> = { l: 1001, m: 1002, h: 1003 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The publisher's offer as a browser sending camera simulcast words it. */
const withSimulcast = (sdp: string) => sdp.replace(/(m=video[^]*?)(?=\r\nm=|\r\n$)/, `$1${RIDS.map((r) => `\r\na=rid:${r} send`).join("")}\r\na=simulcast:send ${RIDS.join(";")}`);

/** Sends every layer every 33 ms: a VP8 delta frame, or a keyframe once the SFU asked for one; the last byte names the layer. */
function publishLayers(pc: RTCPeerConnection) {
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
      const header = new RtpHeader({ ssrc: SSRC[rid], payloadType, sequenceNumber: n, timestamp: n * 3000, marker: true, extensions });
      const payload = Buffer.from([0x10, key ? 0x00 : 0x01, 0, 0, 0, 0, 0, rid.charCodeAt(0)]);
      void transport.sendRtp(payload, header).catch(() => {});
    }
    n++;
  }, 33);
  cleanup.push(() => clearInterval(timer));
  return plis;
}

/** Joins `id` as a subscriber; returns the layers it was sent, in order, and its receiver. */
async function subscriber(r: Awaited<ReturnType<typeof recordedSfu>>, id: string) {
  const pc = new RTCPeerConnection({ iceUseIpv6: false, headerExtensions: { video: [useSdesMid()] } });
  cleanup.push(() => pc.close());
  const layers: string[] = [];
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => void layers.push(String.fromCharCode(rtp.payload.at(-1)!))));
  await r.sfu.join("c", id);
  cleanup.push(subscribeThrough(r, "c", id, pc));
  await until(`${id}'s subscribe link to connect`, async () => r.connected(id, "subscribe"), 30_000);
  return { pc, layers };
}

test("each subscriber is sent the simulcast layer it asks for; one reporting heavy loss is switched to the lowest, on a keyframe the SFU asks the publisher for", async () => {
  const r = await recordedSfu("c");
  cleanup.push(() => r.sfu.close());
  await r.sfu.join("c", "a");
  const publisher = new RTCPeerConnection({ iceUseIpv6: false, headerExtensions: { video: [useSdesMid(), useSdesRTPStreamId()] } });
  cleanup.push(() => publisher.close());
  publisher.addTransceiver("video", { direction: "sendonly" });
  await publishThrough(r, "c", "a", publisher, withSimulcast);
  const plis = publishLayers(publisher);

  const high = await subscriber(r, "b");
  const low = await subscriber(r, "d");
  await r.sfu.signal("c", "d", { kind: "layer", publisherId: "a", source: "camera", layer: "low" });
  await until("b sent the top layer and d the lowest", async () => high.layers.at(-1) === "h" && low.layers.at(-1) === "l", 10_000);
  await Bun.sleep(1_000);
  expect(new Set(high.layers.slice(-10))).toEqual(new Set(["h"]));
  expect(new Set(low.layers.slice(-10))).toEqual(new Set(["l"]));

  const lowPlis = plis.filter((s) => s === SSRC.l).length;
  const receiver = high.pc.getTransceivers()[0]!.receiver;
  const rr = new RtcpRrPacket({ ssrc: receiver.rtcpSsrc, reports: [new RtcpReceiverInfo({ ssrc: receiver.tracks[0]!.ssrc!, fractionLost: 128 })] });
  await receiver.dtlsTransport.sendRtcp([rr]);
  await until("b switched to the lowest layer", async () => high.layers.at(-1) === "l", 10_000);
  expect(plis.filter((s) => s === SSRC.l).length).toBeGreaterThan(lowPlis);
}, 90_000);
