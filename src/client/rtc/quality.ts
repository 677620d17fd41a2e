/**
 * Connection quality from getStats, sampled every 2 s: round-trip time, packet loss, bitrate
 * and jitter for what we receive and what we send, folded into 0–4 bars the way call apps show
 * it. The scoring is pure (statsSample / bars) so it can be tested without a browser.
 */

export interface LinkQuality {
  /** 0 (nothing gets through) to 4 (excellent). */
  bars: number;
  rttMs: number | null;
  lossPct: number | null;
  bitrateKbps: number | null;
  jitterMs: number | null;
}

export interface CallQuality {
  inbound: LinkQuality;
  outbound: LinkQuality;
  /** The selected path goes through a TURN relay. */
  relayed: boolean;
}

/** Running totals, kept between samples to turn counters into rates. */
export interface Totals {
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  lostIn: number;
}

type Stat = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function bars(rttMs: number | null, lossPct: number | null, jitterMs: number | null): number {
  let b = 4;
  if (rttMs !== null) b -= rttMs > 800 ? 3 : rttMs > 400 ? 2 : rttMs > 200 ? 1 : 0;
  if (lossPct !== null) b -= lossPct > 10 ? 3 : lossPct > 5 ? 2 : lossPct > 2 ? 1 : 0;
  if (jitterMs !== null && jitterMs > 50) b -= 1;
  // Media is flowing (or we would not be here): that is worth at least one bar.
  return Math.max(1, b);
}

const DEAD: LinkQuality = { bars: 0, rttMs: null, lossPct: null, bitrateKbps: null, jitterMs: null };

/** One sample from a stats report and the previous totals. */
export function statsSample(report: Iterable<Stat>, prev: Totals | null, now: number): { quality: CallQuality; totals: Totals } {
  const stats = [...report];
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === "transport" && typeof s.selectedCandidatePairId === "string");
  const pair =
    (transport && byId.get(transport.selectedCandidatePairId as string)) ??
    stats.find((s) => s.type === "candidate-pair" && s.nominated === true && s.state === "succeeded");
  const rtt = num(pair?.currentRoundTripTime);
  const local = pair ? byId.get(pair.localCandidateId as string) : undefined;

  const totals: Totals = { at: now, bytesIn: 0, bytesOut: 0, packetsIn: 0, lostIn: 0 };
  let jitter: number | null = null;
  let remoteLoss: number | null = null;
  let remoteJitter: number | null = null;
  for (const s of stats) {
    if (s.type === "inbound-rtp") {
      totals.bytesIn += num(s.bytesReceived) ?? 0;
      totals.packetsIn += num(s.packetsReceived) ?? 0;
      totals.lostIn += Math.max(0, num(s.packetsLost) ?? 0);
      const j = num(s.jitter);
      if (j !== null) jitter = Math.max(jitter ?? 0, j * 1000);
    } else if (s.type === "outbound-rtp") {
      totals.bytesOut += num(s.bytesSent) ?? 0;
    } else if (s.type === "remote-inbound-rtp") {
      const f = num(s.fractionLost);
      if (f !== null) remoteLoss = Math.max(remoteLoss ?? 0, f * 100);
      const j = num(s.jitter);
      if (j !== null) remoteJitter = Math.max(remoteJitter ?? 0, j * 1000);
    }
  }
  if (!pair) return { quality: { inbound: DEAD, outbound: DEAD, relayed: false }, totals };

  const secs = prev ? (now - prev.at) / 1000 : 0;
  const rate = (cur: number, old: number | undefined) => (secs > 0 && old !== undefined ? Math.max(0, ((cur - old) * 8) / secs / 1000) : null);
  const received = prev ? totals.packetsIn - prev.packetsIn : 0;
  const lost = prev ? totals.lostIn - prev.lostIn : 0;
  const lossIn = prev && received + lost > 0 ? (lost / (received + lost)) * 100 : null;
  const rttMs = rtt === null ? null : Math.round(rtt * 1000);
  const inBitrate = rate(totals.bytesIn, prev?.bytesIn);
  const inbound: LinkQuality = {
    // Nothing arrived in a whole interval while connected: the other side's media is not reaching us.
    bars: inBitrate === 0 && received === 0 ? 0 : bars(rttMs, lossIn, jitter),
    rttMs,
    lossPct: lossIn === null ? null : Math.round(lossIn * 10) / 10,
    bitrateKbps: inBitrate === null ? null : Math.round(inBitrate),
    jitterMs: jitter === null ? null : Math.round(jitter),
  };
  const outBitrate = rate(totals.bytesOut, prev?.bytesOut);
  const outbound: LinkQuality = {
    bars: bars(rttMs, remoteLoss, remoteJitter),
    rttMs,
    lossPct: remoteLoss === null ? null : Math.round(remoteLoss * 10) / 10,
    bitrateKbps: outBitrate === null ? null : Math.round(outBitrate),
    jitterMs: remoteJitter === null ? null : Math.round(remoteJitter),
  };
  return { quality: { inbound, outbound, relayed: local?.candidateType === "relay" }, totals };
}

/** Polls a peer connection's stats every `intervalMs` while started. */
export class QualityMonitor {
  #timer: ReturnType<typeof setInterval> | undefined;
  #totals: Totals | null = null;
  #pc: RTCPeerConnection | null = null;

  constructor(
    private readonly getPc: () => RTCPeerConnection | null,
    private readonly onSample: (q: CallQuality) => void,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#sample(), this.intervalMs);
  }

  async #sample(): Promise<void> {
    const pc = this.getPc();
    if (!pc) return;
    // A new peer connection (after a reconnect) starts its counters from zero.
    if (pc !== this.#pc) {
      this.#pc = pc;
      this.#totals = null;
    }
    try {
      const report = await pc.getStats();
      const { quality, totals } = statsSample(report.values() as Iterable<Stat>, this.#totals, performance.now());
      this.#totals = totals;
      if (this.#timer) this.onSample(quality);
    } catch {
      // A closed connection has no stats; the next sample sees the new one.
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
