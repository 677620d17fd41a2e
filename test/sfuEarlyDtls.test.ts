/**
 * A subscribe link's DTLS handshake does not lose the subscriber's first ClientHello when it
 * arrives before the SFU's own DTLS transport has started (the SFU process stalled behind its ICE
 * agent). Both ends are werift peers in this process; the stall is the SFU side's DTLS start
 * held back while the subscriber, already connected, sends its ClientHello.
 */
import { expect, test } from "bun:test";
import { keepEarlyDtls } from "../src/server/sfu/werift-dtls";
import { createPeer } from "../src/server/sfu/werift-media";
import { until } from "./support/browser";
import { subscribeTo } from "./support/werift-subscriber";

const STALL_MS = 800;

test("a ClientHello that reaches the SFU before its DTLS transport starts is answered as soon as it starts, not after the subscriber's retransmit", async () => {
  const sfu = createPeer("subscribe");
  sfu.addTransceiver("audio", { direction: "sendonly" });
  await sfu.setLocalDescription(await sfu.createOffer());
  keepEarlyDtls(sfu);

  const transport = sfu.dtlsTransports[0]!;
  const start = transport.start.bind(transport);
  let startedAt = 0;
  transport.start = async () => {
    await Bun.sleep(STALL_MS);
    startedAt = performance.now();
    return start();
  };
  let connectedAt = 0;
  transport.onStateChange.subscribe((state) => {
    if (state === "connected") connectedAt = performance.now();
  });

  let helloAt = 0;
  transport.iceTransport.connection.onData.subscribe((data) => {
    if (!helloAt && data[0] === 22) helloAt = performance.now();
  });

  const subscriber = await subscribeTo(sfu);

  await until("the SFU side's DTLS to connect", async () => connectedAt > 0, 30_000);
  // The subscriber's ClientHello (a handshake record) reached the SFU before its DTLS started; the
  // subscriber's retransmits come 0.5 s and 1.5 s after it, the stall outlasting the first.
  expect(helloAt).toBeGreaterThan(0);
  expect(helloAt).toBeLessThan(startedAt);
  expect(connectedAt - startedAt).toBeLessThan(500);
  await Promise.all([sfu.close(), subscriber.close()]);
}, 60_000);
