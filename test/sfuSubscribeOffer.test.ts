/**
 * The embedded SFU's subscribe offers reach a client that missed one: an offer left unanswered is
 * sent again on a timer (not only when the client next offers), and the client's answer to the
 * repeat subscribes it. Clients here are werift peers in this process.
 */
import { expect, test } from "bun:test";
import { RTCPeerConnection } from "werift";
import { until } from "./support/browser";
import { recordedSfu } from "./support/sfu-werift";

test("a subscriber that ignores the first subscribe offer gets it again, and again while its answer names another offer; answering the repeat connects its subscribe link", async () => {
  const { sfu, to, connected } = await recordedSfu("c");
  await sfu.join("c", "a");
  await sfu.join("c", "b");

  const publisher = new RTCPeerConnection({ iceUseIpv6: false });
  publisher.addTransceiver("audio", { direction: "sendonly" });
  await publisher.setLocalDescription(await publisher.createOffer());
  const mid = publisher.getTransceivers()[0]!.mid!;
  await sfu.signal("c", "a", { kind: "offer", link: "publish", sdp: publisher.localDescription!.sdp, sources: { [mid]: "microphone" } });
  const answer = to("a").find((s) => s.kind === "answer")!;
  await publisher.setRemoteDescription({ type: "answer", sdp: answer.sdp });

  const offers = () => to("b").flatMap((s) => (s.kind === "offer" ? [s] : []));
  await until("b's first subscribe offer", async () => offers().length >= 1, 30_000);
  // b misses it; nothing else happens in the room, and b sends no publish offer.
  await until("b's subscribe offer repeated", async () => offers().length >= 2, 30_000);
  const [first, repeat] = offers();
  expect(repeat!.sdp).toBe(first!.sdp);
  expect(repeat!.version).toBe(first!.version);
  expect(repeat!.tracks).toEqual([{ mid: first!.tracks[0]!.mid, participantId: "a", source: "microphone" }]);

  const subscriber = new RTCPeerConnection({ iceUseIpv6: false });
  await subscriber.setRemoteDescription({ type: "offer", sdp: repeat!.sdp });
  await subscriber.setLocalDescription(await subscriber.createAnswer());
  // An answer naming another offer is stale: ignored, the offer still awaits its answer and is repeated.
  await sfu.signal("c", "b", { kind: "answer", link: "subscribe", sdp: subscriber.localDescription!.sdp, version: repeat!.version! + 1 });
  await until("b's subscribe offer repeated again", async () => offers().length >= 3, 60_000);
  await sfu.signal("c", "b", { kind: "answer", link: "subscribe", sdp: subscriber.localDescription!.sdp, version: repeat!.version });
  for (const s of to("b")) if (s.kind === "ice" && s.link === "subscribe" && s.candidate) await subscriber.addIceCandidate(s.candidate);
  await until("b's subscribe link to connect", async () => connected("b", "subscribe"), 30_000);
  const count = offers().length;
  await Bun.sleep(6_000);
  // Answered: no more repeats.
  expect(offers().length).toBe(count);
  await Promise.all([publisher.close(), subscriber.close()]);
  await sfu.close();
}, 120_000);
