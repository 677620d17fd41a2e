import { describe, expect, test } from "bun:test";
import { Downlink, PROBE_MS } from "../src/server/sfu/downlink";
import { SentSeqs } from "../src/server/sfu/sent-seqs";

describe("a subscriber's downlink, from the loss it reports", () => {
  test("is weak from the first heavy loss until it stays free of loss for the hold, then probed", () => {
    const d = new Downlink(10_000, 80_000);
    expect(d.weak(0)).toBe(false);
    d.lossy(1_000);
    expect(d.weak(1_000)).toBe(true);
    d.lossy(3_000);
    expect(d.weak(12_999)).toBe(true);
    expect(d.weak(13_000)).toBe(false);
  });

  test("a probe met by loss doubles the hold, up to the most; one that holds for the probe window brings it back", () => {
    const d = new Downlink(10_000, 40_000);
    let now = 0;
    d.lossy(now);
    for (const hold of [20_000, 40_000, 40_000]) {
      now += d.hold;
      expect(d.weak(now)).toBe(false);
      d.lossy(now + 1_000);
      now += 1_000;
      expect(d.hold).toBe(hold);
      expect(d.weak(now + hold - 1)).toBe(true);
    }
    now += d.hold;
    expect(d.weak(now)).toBe(false);
    expect(d.weak(now + PROBE_MS)).toBe(false);
    expect(d.hold).toBe(10_000);
    // Loss long after a probe that held is a new weak spell, with the first hold.
    d.lossy(now + 60_000);
    expect(d.hold).toBe(10_000);
    expect(d.weak(now + 69_999)).toBe(true);
  });
});

describe("the loss a subscriber of the embedded SFU reports, less the packets it was never sent", () => {
  /** Sends `from` … `to` (16-bit, wrapping) but those `skip` names. */
  function sent(from: number, count: number, skip: (seq: number) => boolean = () => false): SentSeqs {
    const s = new SentSeqs();
    for (let i = 0; i < count; i++) if (!skip((from + i) & 0xffff)) s.sent((from + i) & 0xffff);
    return s;
  }

  test("a gap the SFU left (its process stalled, or the publisher's packets never came) is no loss of the subscriber's link", () => {
    // 1 … 100 but 41 … 90 sent: the subscriber lost exactly those 50 of its span of 100.
    const s = sent(1, 100, (seq) => seq > 40 && seq <= 90);
    expect(s.loss(0.5, 100)).toBe(0);
  });

  test("loss among the packets that were sent counts, as a share of them", () => {
    expect(sent(1, 100).loss(0.2, 100)).toBeCloseTo(0.2);
    // 50 never sent, 60 reported lost: 10 of the 50 sent.
    expect(sent(1, 100, (seq) => seq > 40 && seq <= 90).loss(0.6, 100)).toBeCloseTo(0.2);
  });

  test("each report judges the span since the one before it; a packet sent late fills its gap", () => {
    const s = sent(1, 50);
    expect(s.loss(0, 50)).toBe(0);
    for (let seq = 51; seq <= 100; seq++) if (seq % 2 === 0) s.sent(seq);
    // Half of 51 … 100 never sent, and all of it reported lost: none of it the link's.
    expect(s.loss(0.5, 100)).toBe(0);
    // The next span: 101 … 150, of which 121 … 130 come late (a retransmission) and are lost then.
    for (let seq = 101; seq <= 150; seq++) if (seq <= 120 || seq > 130) s.sent(seq);
    for (let seq = 121; seq <= 130; seq++) s.sent(seq);
    expect(s.loss(0.2, 150)).toBeCloseTo(0.2);
  });

  test("sequence numbers wrap, and a number sent a lap before is not taken for one sent now", () => {
    const s = sent(65_500, 100, (seq) => seq >= 65_530 || seq < 10);
    // Its span is 65 500 … 63 (wrapped), 16 of the 100 never sent.
    expect(s.loss(0.16, 63)).toBeCloseTo(0);
    for (let seq = 64; seq < 40_000; seq++) s.sent(seq);
    expect(s.loss(0, 39_999)).toBe(0);
    for (let i = 40_000; i <= 65_536 + 3_000; i++) s.sent(i & 0xffff);
    expect(s.loss(0, 3_000)).toBe(0);
    // 20 000 … 29 000 went out a lap ago, not in this one: their loss is no loss of the link.
    for (let seq = 3_001; seq <= 30_000; seq++) if (seq < 20_000 || seq > 29_000) s.sent(seq);
    expect(s.loss(9_001 / 27_000, 30_000)).toBeCloseTo(0);
  });

  test("a report naming no new packets, or going back, is taken as it is", () => {
    const s = sent(1, 100);
    expect(s.loss(0, 100)).toBe(0);
    expect(s.loss(0.5, 100)).toBe(0.5);
    expect(s.loss(0.5, 0)).toBe(0.5);
  });
});
