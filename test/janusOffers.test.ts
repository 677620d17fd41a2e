import { describe, expect, test } from "bun:test";
import { JanusMember, type SubscribeOffer } from "../src/server/sfu/janus-member";
import { OFFER_WAIT_MAX_MS, OFFER_WAIT_MS } from "../src/server/sfu/offer-repeat";

const sdp = (mids: string[]) => `v=0\r\n${mids.map((m) => `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:${m}\r\n`).join("")}`;
const offer = (version: number, mids: string[]): SubscribeOffer => ({ kind: "offer", link: "subscribe", sdp: sdp(mids), tracks: [], version });

describe("a Janus subscriber's pending subscribe offer", () => {
  test("is sent again while unanswered, after 5 s and then twice as long each time up to 30 s; a new offer starts the waits over", () => {
    const m = new JanusMember("me");
    expect(m.repeatDue(0)).toBeNull();
    const first = offer(1, ["0", "1"]);
    m.offering(first, 0);
    expect(m.repeatDue(OFFER_WAIT_MS - 1)).toBeNull();
    const due: number[] = [];
    for (let t = 0; t <= 100_000; t += 100) if (m.repeatDue(t)) due.push(t);
    expect(due).toEqual([5_000, 15_000, 35_000, 65_000, 95_000]);
    expect(OFFER_WAIT_MAX_MS).toBe(30_000);
    m.offering(offer(2, ["0", "1", "2"]), 100_000);
    expect(m.repeatDue(100_000 + OFFER_WAIT_MS)?.version).toBe(2);
    m.offer = null;
    expect(m.repeatDue(1_000_000)).toBeNull();
  });

  test("is answered only by an answer naming its version (or none) with its m-lines: a late answer to an earlier offer, or to the previous links' one, is not taken for it", () => {
    const m = new JanusMember("me");
    expect(m.answers({ sdp: sdp(["0"]) })).toBe(false);
    m.offering(offer(7, ["0", "1"]), 0);
    expect(m.answers({ sdp: sdp(["0", "1"]), version: 7 })).toBe(true);
    expect(m.answers({ sdp: sdp(["0", "1"]) })).toBe(true);
    expect(m.answers({ sdp: sdp(["0", "1"]), version: 6 })).toBe(false);
    expect(m.answers({ sdp: sdp(["0"]) })).toBe(false);
  });
});
