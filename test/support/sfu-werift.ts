/**
 * The embedded SFU in this process with its events recorded, for suites whose clients are werift
 * peers (no browser): test/sfuSubscribeOffer.test.ts, test/sfuJoinSignals.test.ts, test/sfuForwarding.test.ts.
 */
import type { RTCPeerConnection } from "werift";
import { WeriftSfu } from "../../src/server/sfu/werift";
import type { SfuEvent } from "../../src/server/sfu/sfu";
import type { SfuSignalOut } from "../../src/shared/sfu";
import { until } from "./browser";

export async function recordedSfu(callId: string) {
  const sfu = new WeriftSfu();
  const events: SfuEvent[] = [];
  sfu.on((e) => void events.push(e));
  await sfu.open(callId);
  /** The signals the SFU sent participant `id`, in order. */
  const to = (id: string): SfuSignalOut[] => events.flatMap((e) => (e.type === "signal" && e.to === id ? [e.signal] : []));
  /** Whether `id`'s `link` has connected. */
  const connected = (id: string, link: "publish" | "subscribe") =>
    events.some((e) => e.type === "connection" && e.participantId === id && e.link === link && e.state === "connected");
  return { sfu, events, to, connected };
}

/** A werift client's SDP as a browser's reads: its candidates trickle, so it does not say it has no more. */
export const asBrowser = (sdp: string) => sdp.replace(/^a=end-of-candidates\r?\n/gm, "");

type Recorded = Awaited<ReturnType<typeof recordedSfu>>;

/**
 * Publishes `pc`'s sendonly transceivers (audio as the microphone, video as the camera) as `id`
 * and applies the SFU's answer and candidates; resolves once the publish link connected.
 */
export async function publishThrough(
  { sfu, events, to, connected }: Recorded,
  callId: string,
  id: string,
  pc: RTCPeerConnection,
  /** Edits the offer the SFU gets (what the client says it sends), not the one the client applies. */
  edit = (sdp: string) => sdp,
): Promise<void> {
  await pc.setLocalDescription(await pc.createOffer());
  const sources = Object.fromEntries(pc.getTransceivers().map((t) => [t.mid!, t.kind === "audio" ? "microphone" : "camera"] as const));
  await sfu.signal(callId, id, { kind: "offer", link: "publish", sdp: edit(asBrowser(pc.localDescription!.sdp)), sources });
  await pc.setRemoteDescription({ type: "answer", sdp: to(id).find((s) => s.kind === "answer")!.sdp });
  for (const s of to(id)) if (s.kind === "ice" && s.link === "publish" && s.candidate) await pc.addIceCandidate(s.candidate);
  await until(`${id}'s publish link to connect`, async () => connected(id, "publish"), 30_000);
  await until(`${id}'s tracks published`, async () => events.filter((e) => e.type === "track" && e.participantId === id && e.published).length === pc.getTransceivers().length, 30_000);
}

/**
 * Answers every subscribe offer the SFU sends `id` with `pc`, in order, and passes it the SFU's
 * subscribe candidates; returns a stop function.
 */
export function subscribeThrough({ sfu, to }: Recorded, callId: string, id: string, pc: RTCPeerConnection): () => void {
  let seen = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const signals = to(id);
      for (const s of signals.slice(seen)) {
        if (s.kind === "offer") {
          await pc.setRemoteDescription({ type: "offer", sdp: s.sdp });
          await pc.setLocalDescription(await pc.createAnswer());
          await sfu.signal(callId, id, { kind: "answer", link: "subscribe", sdp: asBrowser(pc.localDescription!.sdp), version: s.version });
        } else if (s.kind === "ice" && s.link === "subscribe" && s.candidate) await pc.addIceCandidate(s.candidate);
      }
      seen = signals.length;
    } finally {
      busy = false;
    }
  }, 50);
  return () => clearInterval(timer);
}
