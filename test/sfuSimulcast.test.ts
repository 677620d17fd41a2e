/**
 * Simulcast through the embedded SFU: each subscriber is sent the layer it asks for, and one
 * whose receiver reports heavy loss drops to the lowest layer, the SFU asking the publisher for
 * that layer's keyframe to switch on — but not for the packets the SFU itself never read while
 * its process stalled. The publisher is a werift peer that sends three layers
 * (support/simulcast-publisher.ts); subscribers are werift peers too.
 */
import { afterEach, expect, test } from "bun:test";
import { RTCPeerConnection, RtcpReceiverInfo, RtcpRrPacket, useSdesMid } from "werift";
import type { PublisherCommand, PublisherReport } from "./support/publisher-worker";
import { until } from "./support/browser";
import { publishLayers, publisherPeer, SSRC, withSimulcast } from "./support/simulcast-publisher";
import { asBrowser, publishThrough, recordedSfu, subscribeThrough } from "./support/sfu-werift";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

type Recorded = Awaited<ReturnType<typeof recordedSfu>>;

/**
 * Publishes as `id` from a publisher on a thread of its own (support/publisher-worker.ts),
 * sending a packet of `padding` bytes on each layer every `everyMs`.
 */
async function publishFromWorker(r: Recorded, id: string, everyMs: number, padding: number): Promise<void> {
  const worker = new Worker(new URL("./support/publisher-worker.ts", import.meta.url).href);
  const ask = (command: PublisherCommand) => {
    const reply = new Promise<PublisherReport>((resolve) => worker.addEventListener("message", (e) => resolve(e.data), { once: true }));
    worker.postMessage(command);
    return reply;
  };
  cleanup.push(async () => {
    await ask({ type: "close" });
    worker.terminate();
  });
  const offer = await ask({ type: "offer" });
  if (offer.type !== "offer") throw new Error(`the publisher answered ${offer.type}`);
  await r.sfu.signal("c", id, { kind: "offer", link: "publish", sdp: withSimulcast(asBrowser(offer.sdp)), sources: { [offer.mid]: "camera" } });
  const signals = r.to(id);
  const candidates = signals.flatMap((s) => (s.kind === "ice" && s.link === "publish" && s.candidate ? [s.candidate] : []));
  await ask({ type: "answer", sdp: signals.find((s) => s.kind === "answer")!.sdp, candidates, everyMs, padding });
  await until(`${id}'s publish link to connect`, async () => r.connected(id, "publish"), 30_000);
}

/** Packets lost on `pc`'s video so far, as its receiver counts them (and reports them to the SFU). */
async function packetsLost(pc: RTCPeerConnection): Promise<number> {
  let lost = 0;
  for (const s of (await pc.getStats()).values() as Iterable<{ type: string; packetsLost?: number }>) if (s.type === "inbound-rtp") lost += s.packetsLost ?? 0;
  return lost;
}

/** Joins `id` as a subscriber; returns the layers it was sent, in order, and its receiver. */
async function subscriber(r: Recorded, id: string) {
  const pc = new RTCPeerConnection({ iceUseIpv6: false, headerExtensions: { video: [useSdesMid()] } });
  cleanup.push(() => pc.close());
  const layers: string[] = [];
  /** The highest sequence number received, as its receiver reports name it. */
  let highest = 0;
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      layers.push(String.fromCharCode(rtp.payload.at(-1)!));
      highest = rtp.header.sequenceNumber;
    }),
  );
  await r.sfu.join("c", id);
  cleanup.push(subscribeThrough(r, "c", id, pc));
  await until(`${id}'s subscribe link to connect`, async () => r.connected(id, "subscribe"), 30_000);
  return { pc, layers, highest: () => highest };
}

test("each subscriber is sent the simulcast layer it asks for; one reporting heavy loss is switched to the lowest, on a keyframe the SFU asks the publisher for", async () => {
  const r = await recordedSfu("c");
  cleanup.push(() => r.sfu.close());
  await r.sfu.join("c", "a");
  const publisher = publisherPeer();
  cleanup.push(() => publisher.close());
  await publishThrough(r, "c", "a", publisher, withSimulcast);
  const { plis, stop } = publishLayers(publisher);
  cleanup.push(stop);

  const high = await subscriber(r, "b");
  const low = await subscriber(r, "d");
  await r.sfu.signal("c", "d", { kind: "layer", publisherId: "a", source: "camera", layer: "low" });
  await until("b sent the top layer and d the lowest", async () => high.layers.at(-1) === "h" && low.layers.at(-1) === "l", 10_000);
  await Bun.sleep(1_000);
  expect(new Set(high.layers.slice(-10))).toEqual(new Set(["h"]));
  expect(new Set(low.layers.slice(-10))).toEqual(new Set(["l"]));

  const lowPlis = plis.filter((s) => s === SSRC.l).length;
  const receiver = high.pc.getTransceivers()[0]!.receiver;
  const rr = new RtcpRrPacket({ ssrc: receiver.rtcpSsrc, reports: [new RtcpReceiverInfo({ ssrc: receiver.tracks[0]!.ssrc!, fractionLost: 128, highestSequence: high.highest() })] });
  await receiver.dtlsTransport.sendRtcp([rr]);
  await until("b switched to the lowest layer", async () => high.layers.at(-1) === "l", 10_000);
  expect(plis.filter((s) => s === SSRC.l).length).toBeGreaterThan(lowPlis);
}, 90_000);

test("a subscriber keeps the top layer when the SFU's process stalls: the packets it never read, missing from the subscriber's stream, are not its link's loss", async () => {
  const r = await recordedSfu("c");
  cleanup.push(() => r.sfu.close());
  await r.sfu.join("c", "a");
  // ~300 packets of 1 KB a second: a socket's default buffer holds well under a second of them.
  await publishFromWorker(r, "a", 10, 1_000);
  const b = await subscriber(r, "b");
  await until("b sent the top layer", async () => b.layers.at(-1) === "h", 30_000);
  await Bun.sleep(2_000);
  const lostBefore = await packetsLost(b.pc);
  const from = b.layers.length;

  // This thread, the SFU's, stalls as a loaded machine's did (1–8 s); the publisher's thread
  // goes on sending and the kernel drops what the SFU's socket cannot hold.
  Bun.sleepSync(4_000);
  // Receiver reports come every 0.5–1.5 s, and one marked weak would switch within a second.
  await Bun.sleep(5_000);

  const lost = (await packetsLost(b.pc)) - lostBefore;
  const view = r.sfu.forwarding("c", "b");
  const sent = Object.entries(Object.groupBy(b.layers.slice(from), (l) => l)).map(([l, n]) => `${n!.length} ${l}`);
  const links = r.events.flatMap((e) => (e.type === "connection" ? [`${e.participantId}/${e.link} ${e.state}`] : []));
  const seen = `b lost ${lost} packets in the stall; got ${sent.join(", ")} since; the SFU forwards ${JSON.stringify(view)}; links ${links.join(", ")}`;
  // The stall did leave the subscriber's stream short, its receiver counting them lost: at full
  // rate ~350 of the top layer's 400, but on a loaded machine the publisher's thread starves too
  // (23 seen at load 15). 20 in one gap is still > 10 % of the ≤ 150 a report covers: weak before.
  expect(lost, seen).toBeGreaterThan(20);
  expect(new Set(b.layers.slice(from)), seen).toEqual(new Set(["h"]));
  expect(view, seen).toMatchObject([{ weak: false, current: "h" }]);
}, 90_000);
