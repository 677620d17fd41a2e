/**
 * Tells the SFU what share of the packets it sends us is lost, every SFU_LOSS_REPORT_MS while
 * any is: heavy loss has it send us only the lowest simulcast layers for a while. Janus does
 * not act on our RTCP receiver reports, so this is how a weak downlink reaches it; the embedded
 * SFU reads those instead (they let it leave out packets it never sent, which count here too). Counted over every stream on the subscribe link, from getStats().
 */
import { SFU_LOSS_REPORT_MS } from "../../../shared/sfu";

type Counts = { lost: number; received: number };

export class SfuLossReporter {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Inbound stream id → its packets lost and received at the last sample. */
  #counts = new Map<string, Counts>();

  constructor(
    private readonly subscriber: RTCPeerConnection,
    private readonly report: (fraction: number) => void,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.#sample(), SFU_LOSS_REPORT_MS);
  }

  async #sample(): Promise<void> {
    let stats: RTCStatsReport;
    try {
      stats = await this.subscriber.getStats();
    } catch {
      return;
    }
    const counts = new Map<string, Counts>();
    let lost = 0;
    let received = 0;
    for (const s of stats.values() as Iterable<Record<string, unknown> & { id: string; type: string }>) {
      if (s.type !== "inbound-rtp") continue;
      // packetsLost may dip below zero (duplicates) and drop when a stream is replaced.
      const now = { lost: Math.max(0, Number(s.packetsLost ?? 0)), received: Number(s.packetsReceived ?? 0) };
      const before = this.#counts.get(s.id) ?? { lost: 0, received: 0 };
      counts.set(s.id, now);
      lost += Math.max(0, now.lost - before.lost);
      received += Math.max(0, now.received - before.received);
    }
    this.#counts = counts;
    if (lost > 0 && this.#timer) this.report(lost / (lost + received));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
