/**
 * A simulcast publisher (support/simulcast-publisher.ts) on a thread of its own, so it keeps
 * sending while the test stalls its own thread's event loop, and with it the SFU's: as a browser
 * keeps sending to an SFU whose process stalls. test/sfuSimulcast.test.ts drives it.
 */
import type { RTCIceCandidateInit } from "werift";
import { publishLayers, publisherPeer } from "./simulcast-publisher";

declare const self: Worker;

/** The test to the worker. */
export type PublisherCommand =
  | { type: "offer" }
  | { type: "answer"; sdp: string; candidates: RTCIceCandidateInit[]; everyMs: number; padding: number }
  | { type: "close" };

/** The worker to the test. */
export type PublisherReport = { type: "offer"; sdp: string; mid: string } | { type: "sending" } | { type: "closed" };

const pc = publisherPeer();
let stop = () => {};
const report = (r: PublisherReport) => self.postMessage(r);

self.onmessage = async (e: MessageEvent<PublisherCommand>) => {
  const command = e.data;
  if (command.type === "offer") {
    await pc.setLocalDescription(await pc.createOffer());
    report({ type: "offer", sdp: pc.localDescription!.sdp, mid: pc.getTransceivers()[0]!.mid! });
  } else if (command.type === "answer") {
    await pc.setRemoteDescription({ type: "answer", sdp: command.sdp });
    for (const c of command.candidates) await pc.addIceCandidate(c);
    stop = publishLayers(pc, { everyMs: command.everyMs, padding: command.padding }).stop;
    report({ type: "sending" });
  } else {
    stop();
    await pc.close();
    report({ type: "closed" });
  }
};
