/**
 * A joiner's signals through the embedded SFU are not held up: a candidate werift cannot use at
 * once (an mDNS name it tries to resolve for 10 s) delays neither link's next signal, and the
 * SFU's subscribe offer puts all its m-lines on one transport. Clients here are werift peers in
 * this process.
 */
import { expect, test } from "bun:test";
import { RTCPeerConnection } from "werift";
import type { SfuIceCandidate } from "../src/shared/sfu";
import { until } from "./support/browser";
import { asBrowser, recordedSfu } from "./support/sfu-werift";

/** A host candidate behind an mDNS name, as a browser without camera or microphone permission sends. */
const MDNS: SfuIceCandidate = { candidate: "candidate:1 1 udp 2122260223 0b7a2d1e-3c4f-4a5b-8c6d-7e8f9a0b1c2d.local 50000 typ host generation 0", sdpMid: "0", sdpMLineIndex: 0 };

async function publishOffer(kinds: ("audio" | "video")[]) {
  const pc = new RTCPeerConnection({ iceUseIpv6: false });
  for (const kind of kinds) pc.addTransceiver(kind, { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  const sources = Object.fromEntries(pc.getTransceivers().map((t) => [t.mid!, t.kind === "audio" ? "microphone" : "camera"] as const));
  return { pc, sdp: asBrowser(pc.localDescription!.sdp), sources };
}

test("an mDNS candidate on either link holds up neither the joiner's publish answer nor its subscribe answer, and its subscribe link connects", async () => {
  const { sfu, events, to, connected } = await recordedSfu("c");
  await sfu.join("c", "a");
  const a = await publishOffer(["audio", "video"]);
  await sfu.signal("c", "a", { kind: "offer", link: "publish", sdp: a.sdp, sources: a.sources });
  await a.pc.setRemoteDescription({ type: "answer", sdp: to("a").find((s) => s.kind === "answer")!.sdp });
  await until("a's tracks published", async () => events.filter((e) => e.type === "track" && e.published).length === 2, 30_000);

  await sfu.join("c", "b");
  const b = await publishOffer(["audio"]);
  const started = performance.now();
  // One before the publish offer (held until it is applied), one after it, one on the subscribe link.
  await sfu.signal("c", "b", { kind: "ice", link: "publish", candidate: MDNS });
  await sfu.signal("c", "b", { kind: "offer", link: "publish", sdp: b.sdp, sources: b.sources });
  await sfu.signal("c", "b", { kind: "ice", link: "publish", candidate: MDNS });
  expect(to("b").some((s) => s.kind === "answer")).toBe(true);

  await until("b's subscribe offer", async () => to("b").some((s) => s.kind === "offer"), 30_000);
  const offer = to("b").find((s) => s.kind === "offer")!;
  if (offer.kind !== "offer") throw new Error("not an offer");
  const subscriber = new RTCPeerConnection({ iceUseIpv6: false });
  await subscriber.setRemoteDescription({ type: "offer", sdp: offer.sdp });
  await subscriber.setLocalDescription(await subscriber.createAnswer());
  const answer = asBrowser(subscriber.localDescription!.sdp);
  await sfu.signal("c", "b", { kind: "answer", link: "subscribe", sdp: answer, version: offer.version });
  await sfu.signal("c", "b", { kind: "ice", link: "subscribe", candidate: MDNS });
  await sfu.signal("c", "b", { kind: "answer", link: "subscribe", sdp: answer, version: offer.version });
  // werift gives up on an mDNS name after 10 s: everything above was taken well before that.
  expect(performance.now() - started).toBeLessThan(5_000);

  for (const s of to("b")) if (s.kind === "ice" && s.link === "subscribe" && s.candidate) await subscriber.addIceCandidate(s.candidate);
  await until("b's subscribe link to connect", async () => connected("b", "subscribe"), 30_000);
  await Promise.all([a.pc.close(), b.pc.close(), subscriber.close()]);
  await sfu.close();
}, 120_000);

test("the SFU's subscribe offer bundles every m-line on one transport: one set of ICE credentials, one candidate per address", async () => {
  const { sfu, events, to } = await recordedSfu("c");
  const publishers = [];
  for (const id of ["a", "b"]) {
    await sfu.join("c", id);
    const p = await publishOffer(["audio", "video"]);
    await sfu.signal("c", id, { kind: "offer", link: "publish", sdp: p.sdp, sources: p.sources });
    publishers.push(p.pc);
  }
  await until("a's and b's tracks published", async () => events.filter((e) => e.type === "track" && e.published).length === 4, 30_000);
  await sfu.join("c", "late");
  await until("the joiner's subscribe offer", async () => to("late").some((s) => s.kind === "offer"), 30_000);
  const offer = to("late").find((s) => s.kind === "offer")!;
  const mLines = offer.sdp.match(/^m=/gm)!.length;
  expect(mLines).toBe(4);
  expect(new Set(offer.sdp.match(/^a=ice-ufrag:.*$/gm)).size).toBe(1);
  expect(offer.sdp).toMatch(new RegExp(`^a=group:BUNDLE( \\S+){${mLines}}\\s*$`, "m"));
  const trickled = to("late").filter((s) => s.kind === "ice" && s.link === "subscribe");
  const addresses = trickled.map((s) => (s.kind === "ice" ? s.candidate?.candidate.split(" ")[4] : ""));
  // One transport: each address once, not once per m-line.
  expect(addresses.length).toBeGreaterThan(0);
  expect(new Set(addresses).size).toBe(addresses.length);
  await Promise.all(publishers.map((pc) => pc.close()));
  await sfu.close();
}, 120_000);
