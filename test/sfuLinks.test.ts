/**
 * The embedded SFU's werift links against a peer that answers ICE checks late, as a browser on
 * a starved machine does (six pages and the server on two cores): the link must keep carrying
 * media. werift's own consent checks (RFC 7675) give each answer 0.5–1 s, count every late one
 * as lost, and 30 s later stop sending on the link for good (in sfuRoom a subscriber's whole
 * link froze, audio and video) — unless the SFU renews consent while the peer talks to it
 * (keepConsent, on every tick).
 */
import { afterEach, expect, test } from "bun:test";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { createPeer, keepConsent } from "../src/server/sfu/werift-media";

/** How late the peer's answers to ICE checks arrive. */
const ANSWER_DELAY_MS = 2_000;
/** Past werift's 30 s consent expiry, with a consent check's jitter on top. */
const WATCH_MS = 40_000;

type Stun = { messageClass: number };
type Protocol = { sendStun(message: Stun, addr: unknown): Promise<void> };

const peers: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((pc) => pc.close()));
});

/** From now on `pc` sends its STUN responses ANSWER_DELAY_MS late. */
function answerLate(pc: RTCPeerConnection): void {
  for (const ice of pc.iceTransports) {
    for (const protocol of (ice.connection as unknown as { protocols: Protocol[] }).protocols) {
      const send = protocol.sendStun.bind(protocol);
      protocol.sendStun = (message, addr) => {
        if (message.messageClass !== 0x100) return send(message, addr);
        return new Promise((resolve) => setTimeout(() => resolve(send(message, addr)), ANSWER_DELAY_MS));
      };
    }
  }
}

test("a subscribe link keeps sending to a peer that answers ICE checks 2 s late", async () => {
  const sfu = createPeer("subscribe");
  const browser = new RTCPeerConnection({ codecs: { audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })] }, iceUseIpv6: false });
  peers.push(sfu, browser);
  const track = new MediaStreamTrack({ kind: "audio" });
  sfu.addTransceiver(track, { direction: "sendonly" });
  let received = 0;
  browser.onTrack.subscribe((t) => void t.onReceiveRtp.subscribe(() => received++));

  await sfu.setLocalDescription(await sfu.createOffer());
  await browser.setRemoteDescription(sfu.localDescription!);
  await browser.setLocalDescription(await browser.createAnswer());
  await sfu.setRemoteDescription(browser.localDescription!);
  const connected = (pc: RTCPeerConnection) => pc.connectionState === "connected";
  for (let i = 0; i < 100 && !(connected(sfu) && connected(browser)); i++) await Bun.sleep(100);
  expect([sfu.connectionState, browser.connectionState]).toEqual(["connected", "connected"]);
  answerLate(browser);

  let sequenceNumber = 0;
  // The SFU's tick.
  const tick = setInterval(() => keepConsent(sfu), 500);
  const sending = setInterval(() => {
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: sequenceNumber++ & 0xffff, timestamp: sequenceNumber * 960, ssrc: 1 });
    track.writeRtp(new RtpPacket(header, Buffer.alloc(40)));
  }, 20);
  try {
    await Bun.sleep(WATCH_MS);
    const before = received;
    await Bun.sleep(2_000);
    expect(received).toBeGreaterThan(before + 20);
    expect(sfu.iceConnectionState).not.toBe("failed");
  } finally {
    clearInterval(sending);
    clearInterval(tick);
  }
}, 60_000);
