/**
 * Child process of bench/sfu.ts: synthetic SFU clients on werift, kept out of the SFU's process
 * so its CPU figure is the SFU's alone. Publishers send a VP8-shaped RTP stream (30 fps,
 * ~500 kbit/s, a keyframe every 2 s and on PLI); every client (publishers too, as in a call)
 * subscribes and counts what arrives per track.
 * Talks to the parent over Bun's IPC: {add}, {signal} in; {signal}, {counts} out.
 */
import { RTCPeerConnection, RtpHeader, RtpPacket, type RTCRtpTransceiver } from "werift";
import type { SfuSignalIn, SfuSignalOut } from "../../src/shared/sfu";
import { surviveUnreachablePeers } from "../../src/server/sfu/werift-media";

surviveUnreachablePeers();

type In = { type: "add"; id: string; role: "publisher" | "subscriber" } | { type: "signal"; to: string; signal: SfuSignalOut } | { type: "counts" };

const FPS = 30;
const PACKET_BYTES = 1000;
const DELTA_PACKETS = 2;
const KEY_PACKETS = 6;
const KEY_EVERY = 2 * FPS;

const pcs = new Map<string, { pub?: RTCPeerConnection; sub?: RTCPeerConnection }>();
/** subscriber id → packets received per track. */
const counts = new Map<string, number[]>();
const send = (m: unknown) => process.send!(m);
const out = (from: string, signal: SfuSignalIn) => send({ type: "signal", from, signal });

async function publisher(id: string) {
  subscriber(id);
  const pc = new RTCPeerConnection({ iceUseIpv6: false });
  const t = pc.addTransceiver("video", { direction: "sendonly" });
  pcs.get(id)!.pub = pc;
  await pc.setLocalDescription(await pc.createOffer());
  out(id, { kind: "offer", link: "publish", sdp: pc.localDescription!.sdp, sources: { [t.mid!]: "camera" } });
  stream(t);
}

function stream(t: RTCRtpTransceiver) {
  let seq = 0;
  let ts = 0;
  let frame = 0;
  let keyWanted = true;
  t.sender.onPictureLossIndication.subscribe(() => (keyWanted = true));
  setInterval(() => {
    const key = keyWanted || frame % KEY_EVERY === 0;
    keyWanted = false;
    const n = key ? KEY_PACKETS : DELTA_PACKETS;
    for (let i = 0; i < n; i++) {
      const payload = Buffer.alloc(PACKET_BYTES);
      // VP8 payload descriptor: S=1 on the frame's first packet; then the VP8 header's P bit (0 = keyframe).
      payload[0] = i === 0 ? 0x10 : 0x00;
      if (i === 0) payload[1] = key ? 0x00 : 0x01;
      const header = new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: ts >>> 0, marker: i === n - 1, payloadType: 96 });
      void t.sender.sendRtp(new RtpPacket(header, payload)).catch(() => {});
    }
    frame++;
    ts += 90000 / FPS;
  }, 1000 / FPS);
}

function subscriber(id: string) {
  const pc = new RTCPeerConnection({ iceUseIpv6: false });
  pcs.set(id, { sub: pc });
  const mine: number[] = [];
  counts.set(id, mine);
  pc.onTrack.subscribe((track) => {
    const i = mine.push(0) - 1;
    track.onReceiveRtp.subscribe(() => mine[i]!++);
  });
}

/** One queue per client: a slow client must not hold up the others' answers (their ICE would time out). */
const queues = new Map<string, Promise<void>>();
process.on("message", (m: In) => {
  const key = m.type === "counts" ? "" : m.type === "add" ? m.id : m.to;
  const queue = queues.get(key) ?? Promise.resolve();
  queues.set(key, queue.then(async () => {
    if (m.type === "add") return m.role === "publisher" ? publisher(m.id) : subscriber(m.id);
    if (m.type === "counts") return void send({ type: "counts", counts: Object.fromEntries(counts) });
    const { pub, sub } = pcs.get(m.to) ?? {};
    const s = m.signal;
    if (s.kind === "answer" && pub) await pub.setRemoteDescription({ type: "answer", sdp: s.sdp });
    else if (s.kind === "offer" && sub) {
      await sub.setRemoteDescription({ type: "offer", sdp: s.sdp });
      await sub.setLocalDescription(await sub.createAnswer());
      out(m.to, { kind: "answer", link: "subscribe", sdp: sub.localDescription!.sdp });
    } else if (!pub && !sub) console.warn(`signal for unknown client ${m.to}`);
    // Candidates: werift puts its gathered ones in every SDP it makes, so trickle adds nothing here.
  }));
});
send({ type: "ready" });
