/**
 * What the embedded SFU does to the media it forwards, seen from both ends: keyframe requests
 * reach the publisher when a subscriber starts or loses a picture, the publisher is told how much
 * to send (REMB), and each subscriber gets packets carrying its own header-extension ids, with
 * the publisher's audio levels becoming active-speaker events. Clients are werift peers in this
 * process; the publisher's packets are made here (VP8 descriptors only, no encoder).
 */
import { afterEach, expect, test } from "bun:test";
import {
  RTCPeerConnection,
  RTP_EXTENSION_URI,
  RtpHeader,
  RtpPacket,
  deserializeAudioLevelIndication,
  serializeAudioLevelIndication,
  useAbsSendTime,
  useAudioLevelIndication,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  type RTCRtpTransceiver,
} from "werift";
import { extensionId } from "../src/server/sfu/werift-media";
import { until } from "./support/browser";
import { publishThrough, recordedSfu, subscribeThrough } from "./support/sfu-werift";

/** VP8 payload descriptor (S=1, partition 0) then a payload header: P=0 is a keyframe. */
const KEYFRAME = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
const DELTA = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00]);
/** RFC 6464 level in -dBov: 10 is loud speech (the SFU's 0 … 1 scale reads about 0.92). */
const LOUD = 10;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * A publisher whose extension ids differ from the ones the SFU offers subscribers: transport-cc
 * and abs-send-time take the ids the SFU gives mid and audio level.
 */
function publisherPeer() {
  const pc = new RTCPeerConnection({
    iceUseIpv6: false,
    headerExtensions: {
      audio: [useTransportWideCC(), useAbsSendTime(), useAudioLevelIndication(), useSdesMid()],
      video: [useSdesMid(), useSdesRTPStreamId()],
    },
  });
  const audio = pc.addTransceiver("audio", { direction: "sendonly" });
  const video = pc.addTransceiver("video", { direction: "sendonly" });
  return { pc, audio, video };
}

function subscriberPeer() {
  return new RTCPeerConnection({
    iceUseIpv6: false,
    headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()], video: [useSdesMid()] },
  });
}

/** Sends packets on `t` every `ms` until the test ends; `payload` picks each one's. */
function stream(t: RTCRtpTransceiver, ms: number, payload: (n: number) => { data: Buffer; extensions?: { id: number; payload: Buffer }[] }) {
  let n = 0;
  const timer = setInterval(() => {
    const { data, extensions = [] } = payload(n);
    const header = new RtpHeader({ sequenceNumber: n, timestamp: n * 3000, marker: true, extensions });
    void t.sender.sendRtp(new RtpPacket(header, data)).catch(() => {});
    n++;
  }, ms);
  cleanup.push(() => clearInterval(timer));
}

async function room() {
  const recorded = await recordedSfu("c");
  cleanup.push(() => recorded.sfu.close());
  await recorded.sfu.join("c", "a");
  const publisher = publisherPeer();
  cleanup.push(() => publisher.pc.close());
  return { ...recorded, publisher };
}

/** Joins `id` as a subscriber on `pc` (set up its track listeners first: tracks come with the offer). */
async function subscribe(recorded: Awaited<ReturnType<typeof recordedSfu>>, id: string, pc: RTCPeerConnection) {
  cleanup.push(() => pc.close());
  await recorded.sfu.join("c", id);
  cleanup.push(subscribeThrough(recorded, "c", id, pc));
  await until(`${id}'s subscribe link to connect`, async () => recorded.connected(id, "subscribe"), 30_000);
}

test("a subscriber joining makes the SFU ask the publisher for a keyframe, and so does a subscriber's own PLI once it is being sent the picture", async () => {
  const r = await room();
  const { video } = r.publisher;
  let plis = 0;
  video.sender.onPictureLossIndication.subscribe(() => void plis++);
  let keyframe = false;
  await publishThrough(r, "c", "a", r.publisher.pc);
  // Delta frames only, until the SFU asks for a keyframe: then one.
  stream(video, 33, () => {
    const data = keyframe ? KEYFRAME : DELTA;
    keyframe = false;
    return { data };
  });
  await Bun.sleep(1_500);
  // Nobody subscribes yet: nothing to ask for.
  expect(plis).toBe(0);

  const subscriber = subscriberPeer();
  const frames: boolean[] = [];
  subscriber.onTrack.subscribe((track) => {
    if (track.kind === "video") track.onReceiveRtp.subscribe((rtp) => void frames.push(rtp.payload[1] === 0));
  });
  await subscribe(r, "b", subscriber);
  await until("a keyframe request to reach the publisher", async () => plis > 0, 10_000);
  keyframe = true;
  await until("the keyframe forwarded to the subscriber", async () => frames[0] === true, 10_000);
  // Started on its keyframe, the subscription asks for no more.
  await Bun.sleep(1_500);
  const settled = plis;
  await Bun.sleep(1_500);
  expect(plis).toBe(settled);

  const receiver = subscriber.getTransceivers().find((t) => t.kind === "video")!.receiver;
  const ssrc = receiver.tracks[0]!.ssrc!;
  await receiver.sendRtcpPLI(ssrc);
  await until("the subscriber's PLI relayed to the publisher", async () => plis > settled, 5_000);
}, 120_000);

test("the SFU tells a publisher how much video to send with REMB", async () => {
  const r = await room();
  await publishThrough(r, "c", "a", r.publisher.pc);
  stream(r.publisher.video, 33, () => ({ data: DELTA }));
  await until("a REMB to reach the publisher", async () => (r.publisher.video.sender.receiverEstimatedMaxBitrate ?? 0) > 0, 10_000);
  expect(Number(r.publisher.video.sender.receiverEstimatedMaxBitrate)).toBe(2_500_000);
}, 60_000);

test("a subscriber gets the publisher's audio with its own extension ids, not the publisher's, and the publisher's loud audio level makes it the active speaker", async () => {
  const r = await room();
  const { audio } = r.publisher;
  await publishThrough(r, "c", "a", r.publisher.pc);
  const levelId = extensionId(audio, RTP_EXTENSION_URI.audioLevelIndication)!;
  stream(audio, 20, () => ({ data: Buffer.alloc(20, 1), extensions: [{ id: levelId, payload: serializeAudioLevelIndication(LOUD) }] }));
  await until("a speaking", async () => r.events.some((e) => e.type === "speaker" && e.participantId === "a"), 10_000);

  const subscriber = subscriberPeer();
  const received: { id: number; payload: Buffer }[][] = [];
  subscriber.onTrack.subscribe((track) => {
    if (track.kind === "audio") track.onReceiveRtp.subscribe((rtp) => void received.push(rtp.header.extensions));
  });
  await subscribe(r, "b", subscriber);
  await until("audio forwarded to the subscriber", async () => received.length >= 5, 10_000);

  const t = subscriber.getTransceivers().find((t) => t.kind === "audio")!;
  const own = { level: extensionId(t, RTP_EXTENSION_URI.audioLevelIndication)!, mid: extensionId(t, RTP_EXTENSION_URI.sdesMid)! };
  // The ids differ on the two links, so a packet forwarded as it came would carry the wrong ones.
  expect(own.level).not.toBe(levelId);
  expect(own.mid).not.toBe(extensionId(audio, RTP_EXTENSION_URI.sdesMid));
  for (const extensions of received.slice(-5)) {
    expect(extensions.map((e) => e.id).sort()).toEqual([own.level, own.mid].sort());
    expect(deserializeAudioLevelIndication(extensions.find((e) => e.id === own.level)!.payload).level).toBe(LOUD);
    expect(extensions.find((e) => e.id === own.mid)!.payload.toString()).toBe(t.mid!);
  }
}, 60_000);
