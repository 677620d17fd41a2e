/** Call quality scoring from getStats samples (the pure part of src/client/rtc/quality.ts). */
import { describe, expect, test } from "bun:test";
import { bars, statsSample } from "../src/client/rtc/quality";

const report = (o: { rtt: number; packets: number; lost: number; bytes: number; jitter: number; relay?: boolean }) => [
  { id: "T", type: "transport", selectedCandidatePairId: "P" },
  { id: "P", type: "candidate-pair", localCandidateId: "L", currentRoundTripTime: o.rtt, nominated: true, state: "succeeded" },
  { id: "L", type: "local-candidate", candidateType: o.relay ? "relay" : "host" },
  { id: "V", type: "inbound-rtp", kind: "video", packetsReceived: o.packets, packetsLost: o.lost, bytesReceived: o.bytes, jitter: o.jitter },
  { id: "O", type: "outbound-rtp", kind: "video", bytesSent: o.bytes },
  { id: "R", type: "remote-inbound-rtp", kind: "video", fractionLost: 0, jitter: 0.002 },
];

describe("call quality", () => {
  test("bars fall with round-trip time, loss and jitter, but never below one while media flows", () => {
    expect(bars(20, 0, 5)).toBe(4);
    expect(bars(250, 0, 5)).toBe(3);
    expect(bars(500, 3, 5)).toBe(1);
    expect(bars(900, 20, 80)).toBe(1);
    expect(bars(null, null, null)).toBe(4);
  });

  test("rates and loss come from the difference between two samples", () => {
    const first = statsSample(report({ rtt: 0.03, packets: 1000, lost: 0, bytes: 1_000_000, jitter: 0.004 }), null, 0);
    expect(first.quality.inbound.bitrateKbps).toBeNull();
    const second = statsSample(report({ rtt: 0.03, packets: 1900, lost: 100, bytes: 1_250_000, jitter: 0.004, relay: true }), first.totals, 2000);
    expect(second.quality.inbound).toEqual({ bars: 2, rttMs: 30, lossPct: 10, bitrateKbps: 1000, jitterMs: 4 });
    expect(second.quality.outbound.bitrateKbps).toBe(1000);
    expect(second.quality.relayed).toBe(true);
  });

  test("no selected candidate pair means no connection", () => {
    const { quality } = statsSample([{ id: "V", type: "inbound-rtp", packetsReceived: 5 }], null, 0);
    expect(quality.inbound.bars).toBe(0);
    expect(quality.outbound.bars).toBe(0);
  });
});
