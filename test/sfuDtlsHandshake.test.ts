/**
 * A subscribe link's DTLS handshake completes when handshake records reach the SFU late or out of
 * order, as they do when the SFU process stalls while the browser's retransmits queue on the
 * link's several ICE sockets. Both ends are werift peers in this process; the SFU side's ICE
 * connection is tapped to hold back, copy and reorder the subscriber's (the DTLS client's)
 * ClientHellos, which werift's DTLS server let wedge the handshake for good.
 */
import { expect, test } from "bun:test";
import { keepEarlyDtls } from "../src/server/sfu/werift-dtls";
import { createPeer } from "../src/server/sfu/werift-media";
import { until } from "./support/browser";
import { subscribeTo } from "./support/werift-subscriber";

/** The handshake message of a datagram's first record, if it is an unencrypted one. */
function handshake(data: Buffer): { type: number; seq: number } | undefined {
  if (data.length < 25 || data[0] !== 22 || data.readUInt16BE(3) !== 0) return undefined;
  return { type: data[13]!, seq: data.readUInt16BE(17) };
}

/** The first record of `hello` (one whole ClientHello) as a record holding bytes [from, to) of its body. */
function fragment(hello: Buffer, from: number, to: number): Buffer {
  const body = hello.subarray(25, 25 + hello.readUIntBE(14, 3));
  const out = Buffer.alloc(25 + to - from);
  hello.copy(out, 0, 0, 11); // type, version, epoch, record sequence number
  out.writeUInt16BE(12 + to - from, 11);
  hello.copy(out, 13, 13, 19); // msg_type, length, message_seq
  out.writeUIntBE(from, 19, 3);
  out.writeUIntBE(to - from, 22, 3);
  body.copy(out, 25, from, to);
  return out;
}

/**
 * An SFU-side subscribe link and a subscriber connecting to it. `tap` sees each datagram the
 * SFU's ICE connection receives and delivers it (or not) with `deliver`; `sent` sees what it sends.
 */
async function connect(tap: (data: Buffer, deliver: (d: Buffer) => void) => void, sent: (data: Buffer, deliver: (d: Buffer) => void) => void = () => {}) {
  const sfu = createPeer("subscribe");
  sfu.addTransceiver("audio", { direction: "sendonly" });
  await sfu.setLocalDescription(await sfu.createOffer());
  keepEarlyDtls(sfu);
  const transport = sfu.dtlsTransports[0]!;
  const connection = transport.iceTransport.connection;
  const onData = connection.onData;
  const execute = onData.execute.bind(onData);
  const deliver = (d: Buffer) => execute(d);
  onData.execute = ((data: Buffer) => tap(data, deliver)) as typeof onData.execute;
  const send = connection.send.bind(connection);
  connection.send = (data: Buffer) => {
    sent(data, deliver);
    return send(data);
  };

  const subscriber = await subscribeTo(sfu);
  const connected = () => transport.state === "connected" && subscriber.dtlsTransports[0]?.state === "connected";
  return { connected, close: () => Promise.all([sfu.close(), subscriber.close()]) };
}

test("a stale first ClientHello that reaches the SFU after its ServerHello went out leaves the handshake to complete", async () => {
  let first: Buffer | undefined;
  let replayed = false;
  const link = await connect(
    (data, deliver) => {
      if (!first && handshake(data)?.type === 1) first = Buffer.from(data);
      deliver(data);
    },
    (data, deliver) => {
      // The copy of the cookieless ClientHello arrives right behind flight 4, as one queued on
      // another ICE socket is read after the stall that let the second one through first.
      if (replayed || handshake(data)?.type !== 2) return;
      replayed = true;
      setTimeout(() => deliver(first!), 0);
    },
  );
  await until("both ends' DTLS to connect", async () => link.connected(), 10_000);
  expect(replayed).toBe(true);
  await link.close();
}, 30_000);

test("a ClientHello whose fragments arrive out of order, a stale one's among them, is reassembled from its own fragments", async () => {
  let first: Buffer | undefined;
  let reordered = false;
  const link = await connect((data, deliver) => {
    const h = handshake(data);
    if (h?.type === 1 && h.seq === 0) first ??= Buffer.from(data);
    if (h?.type !== 1 || h.seq !== 1) return deliver(data);
    // The second ClientHello in two fragments, its last first and a fragment of the first
    // ClientHello between them; its retransmits are lost, so these must do.
    if (reordered) return;
    reordered = true;
    const length = data.readUIntBE(14, 3);
    deliver(fragment(data, 20, length));
    deliver(fragment(first!, 0, 20));
    deliver(fragment(data, 0, 20));
  });
  await until("both ends' DTLS to connect", async () => link.connected(), 10_000);
  expect(reordered).toBe(true);
  await link.close();
}, 30_000);
