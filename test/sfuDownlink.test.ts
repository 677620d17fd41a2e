import { describe, expect, test } from "bun:test";
import { Downlink, PROBE_MS } from "../src/server/sfu/downlink";

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
