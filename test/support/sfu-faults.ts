/**
 * Faults injected into the embedded SFU of a node in this process, for the browser tests of how
 * a page recovers its SFU links.
 */
import { RTCDtlsTransport } from "werift";
import type { Sfu, SfuSignalIn } from "../../src/server/sfu/sfu";

type Start = RTCDtlsTransport["start"];

/**
 * The SFU's DTLS on `participantId`'s first subscribe link never starts, so its handshake never
 * completes: the browser's ICE connects, its ClientHellos go unanswered and the link stays
 * "connecting" (as seen in CI when werift's DTLS server stalled). The link is told apart by the
 * ICE username of the participant's first subscribe answer; later links (fresh ones, with new
 * credentials) are left alone. Returns what undoes it.
 */
export function stallFirstSubscribeDtls(sfu: Sfu, participantId: string): { stalled: () => boolean; restore: () => void } {
  let ufrag: string | null = null;
  let stalled = false;
  const signal = sfu.signal;
  sfu.signal = (callId: string, id: string, s: SfuSignalIn) => {
    if (ufrag === null && id === participantId && s.kind === "answer" && s.link === "subscribe") ufrag = /^a=ice-ufrag:(\S+)/m.exec(s.sdp)?.[1] ?? null;
    return signal.call(sfu, callId, id, s);
  };
  const proto = RTCDtlsTransport.prototype;
  const start: Start = proto.start;
  proto.start = function (this: RTCDtlsTransport) {
    if (ufrag !== null && this.iceTransport.connection.remoteUsername === ufrag) {
      stalled = true;
      return new Promise<void>(() => {});
    }
    return start.call(this);
  };
  return {
    stalled: () => stalled,
    restore: () => {
      proto.start = start;
      sfu.signal = signal;
    },
  };
}
