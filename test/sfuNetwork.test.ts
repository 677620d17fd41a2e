/**
 * Where clients reach a node's embedded SFU (SFU_ANNOUNCED_IP, SFU_PORT_RANGE): a client's
 * publish link, a werift peer in this process, is offered the announced address besides the
 * node's own, every candidate on a port of the range, and connects through them.
 */
import { describe, expect, test } from "bun:test";
import { RTCPeerConnection } from "werift";
import { WeriftSfu } from "../src/server/sfu/werift";
import type { SfuEvent } from "../src/server/sfu/sfu";
import { until } from "./support/browser";

const ANNOUNCED = "203.0.113.7";

describe("embedded SFU network settings", () => {
  test("the answer's candidates include the announced address, all on ports of the range, and the link connects", async () => {
    const low = 41_000 + Math.floor(Math.random() * 20_000);
    const range: [number, number] = [low, low + 40];
    const sfu = new WeriftSfu({ announcedIp: ANNOUNCED, portRange: range });
    const events: SfuEvent[] = [];
    sfu.on((e) => void events.push(e));
    await sfu.open("c");
    await sfu.join("c", "a");
    const client = new RTCPeerConnection({ iceUseIpv6: false });
    client.addTransceiver("audio", { direction: "sendonly" });
    await client.setLocalDescription(await client.createOffer());
    await until("the client's candidates", async () => client.iceGatheringState === "complete", 20_000);
    const mid = client.getTransceivers()[0]!.mid!;
    await sfu.signal("c", "a", { kind: "offer", link: "publish", sdp: client.localDescription!.sdp, sources: { [mid]: "microphone" } });

    const signals = () => events.flatMap((e) => (e.type === "signal" ? [e.signal] : []));
    await until("the SFU's answer", async () => signals().some((s) => s.kind === "answer"), 20_000);
    const answer = signals().find((s) => s.kind === "answer")!;
    // Gathered before the answer went out: every candidate is in it.
    const candidates = answer.sdp.split(/\r?\n/).filter((l) => l.startsWith("a=candidate:"));
    const parsed = candidates.map((l) => l.split(" ")).map((f) => ({ address: f[4]!, port: Number(f[5]) }));
    expect(parsed.map((c) => c.address)).toContain(ANNOUNCED);
    expect(parsed.length).toBeGreaterThan(1);
    for (const c of parsed) expect(c.port >= range[0] && c.port <= range[1]).toBe(true);

    await client.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    await until("the publish link to connect", async () => events.some((e) => e.type === "connection" && e.link === "publish" && e.state === "connected"), 30_000);
    await client.close();
    await sfu.close();
  });
});
