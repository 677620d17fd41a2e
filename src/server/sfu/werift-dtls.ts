/**
 * Guards for werift's DTLS server (a subscribe link: the browser, answerer of our actpass offer,
 * is the DTLS client). werift 0.25 takes every handshake record at face value, and a record that
 * comes late or out of order — the SFU process stalled while the browser's retransmits queued on
 * the link's several ICE sockets, each read in its own turn — could wedge the handshake for good:
 * ICE connected, the browser's DTLS "connecting" forever, werift sure it had connected.
 */
import { DtlsServer, type RTCPeerConnection } from "werift";

type Handshake = Parameters<DtlsServer["handleFragmentHandshake"]>[0][number];

/** RFC 7983: a first byte of 20–63 is a DTLS record. */
const isDtlsRecord = (data: Buffer) => data.length > 0 && data[0]! >= 20 && data[0]! <= 63;
const keeping = new WeakSet<object>();

/**
 * Keeps the DTLS records that reach a link before werift's DTLS transport has started and hands
 * them to it when it starts, its handshake guarded (`guardHandshake`). When this process stalls,
 * the browser's ClientHello arrives before werift's own ICE agent reports connected, werift's
 * DTLS server does not exist yet and the record was dropped — the browser sent it again ~1 s
 * later, in 9 of 16 measured late joins. Call after each setLocalDescription; transports already
 * started or already watched are left alone.
 */
export function keepEarlyDtls(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) {
    if (transport.state !== "new" || keeping.has(transport)) continue;
    keeping.add(transport);
    const connection = transport.iceTransport.connection;
    const early: Buffer[] = [];
    const listener = connection.onData.subscribe((data) => {
      if (transport.state === "new" && isDtlsRecord(data) && early.length < 16) early.push(data);
    });
    const started = transport.onStateChange.subscribe((state) => {
      if (state === "new") return;
      listener.unSubscribe();
      started.unSubscribe();
      if (state !== "connecting") return;
      // start() makes its DTLS socket in the same turn, right after announcing "connecting".
      queueMicrotask(() => {
        if (transport.dtls instanceof DtlsServer) guardHandshake(transport.dtls);
        for (const data of early) connection.onData.execute(data);
      });
    });
  }
}

/** A ClientHello's cookie is empty in the first one (flight 1), the server's in the second (flight 3). */
function hasCookie(hello: Handshake): boolean {
  const body = hello.fragment; // version 2, random 32, session id (1 + n), cookie (1 + n)
  const sessionIdLength = body[34] ?? 0;
  return (body[35 + sessionIdLength] ?? 0) > 0;
}

/**
 * Two fixes to werift's DtlsServer, both seen wedging a Chromium subscribe link:
 *
 * - A ClientHello that can only be a stale retransmit is ignored: a cookieless one once flight 4
 *   (ServerHello … ServerHelloDone) is out, any once past it. werift answered a cookieless one at
 *   any time with flight 2, which draws a new random and ECDH key pair — the browser then derived
 *   its keys from the ServerKeyExchange it already had, werift from the new pair: werift's
 *   ChangeCipherSpec/Finished failed the browser's decryption, and DTLS drops such records
 *   silently, so the browser retransmitted flight 5 and werift resent the same Finished forever.
 *   Once connected, werift treated any ClientHello as a renegotiation and reset its state.
 * - Fragments are reassembled per message (type, sequence number, length). Chromium's
 *   ClientHello (1.4 kB with its post-quantum key share) comes in two fragments, each possibly on
 *   another ICE socket; werift released every buffered fragment once the last one buffered ended a
 *   message and merged all of one type, so fragments of a stale ClientHello mixed into the next
 *   one gave a message nobody sent: a wrong transcript, again keys the browser did not share.
 */
function guardHandshake(server: DtlsServer): void {
  const pending = new Map<string, Handshake[]>();
  server.handleFragmentHandshake = (messages) => {
    const complete: Handshake[] = [];
    for (const m of messages) {
      if (m.fragment_offset === 0 && m.fragment_length === m.length) {
        complete.push(m);
        continue;
      }
      const key = `${m.msg_type}/${m.message_seq}/${m.length}`;
      const parts = [...(pending.get(key) ?? []), m].sort((a, b) => a.fragment_offset - b.fragment_offset);
      let covered = 0;
      for (const p of parts) if (p.fragment_offset <= covered) covered = Math.max(covered, p.fragment_offset + p.fragment_length);
      pending.delete(key);
      if (covered >= m.length) {
        const FragmentedHandshake = m.constructor as unknown as { assemble(fragments: Handshake[]): Handshake };
        complete.push(FragmentedHandshake.assemble(parts));
        continue;
      }
      // A message never completed (its other fragments lost for good) must not grow without end.
      if (pending.size >= 16) pending.delete(pending.keys().next().value!);
      pending.set(key, parts);
    }
    return complete;
  };
  const handle = server.onHandleHandshakes;
  server.onHandleHandshakes = (assembled) =>
    handle(
      assembled.filter((h) => {
        if (h.msg_type !== 1) return true; // client_hello
        const flight = server.dtls.flight;
        return !server.connected && flight <= 4 && (flight < 4 || hasCookie(h));
      }),
    );
}
