/**
 * The embedded SFU in this process with its events recorded, for suites whose clients are werift
 * peers (no browser): test/sfuSubscribeOffer.test.ts, test/sfuJoinSignals.test.ts.
 */
import { WeriftSfu } from "../../src/server/sfu/werift";
import type { SfuEvent } from "../../src/server/sfu/sfu";
import type { SfuSignalOut } from "../../src/shared/sfu";

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
