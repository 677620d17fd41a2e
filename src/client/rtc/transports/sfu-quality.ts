/**
 * Connection quality per participant in an SFU call. Every participant arrives on the one
 * subscribe link, so each gets a sample of their own from it: the link's shared round trip,
 * only their inbound streams (loss, jitter, bitrate), and what we send on the publish link.
 */
import { statsSample, type CallQuality, type Totals } from "../quality";
import type { SfuLinks } from "../sfu-links";

type Stat = Record<string, unknown> & { type: string; id: string };

export class SfuQualityMonitor {
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #totals = new Map<string, Totals>();

  constructor(
    private readonly links: SfuLinks,
    private readonly peers: () => Iterable<string>,
    private readonly onSample: (peer: string, quality: CallQuality) => void,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.#sample(), this.intervalMs);
  }

  async #sample(): Promise<void> {
    const l = this.links;
    let sub: RTCStatsReport, pub: RTCStatsReport;
    try {
      [sub, pub] = await Promise.all([l.subscriber.getStats(), l.publisher.getStats()]);
    } catch {
      return;
    }
    // Whose stream each receiving track is: the SFU names the publisher per mid.
    const owner = new Map<string, string>();
    for (const t of l.subscriber.getTransceivers()) {
      const info = l.tracks.find((i) => i.mid === t.mid);
      if (info) owner.set(t.receiver.track.id, info.participantId);
    }
    const shared: Stat[] = [];
    const inbound = new Map<string, Stat[]>();
    for (const s of sub.values() as Iterable<Stat>) {
      if (s.type !== "inbound-rtp") shared.push(s);
      else {
        const peer = owner.get(String(s.trackIdentifier));
        if (peer) inbound.set(peer, [...(inbound.get(peer) ?? []), s]);
      }
    }
    const sent = [...(pub.values() as Iterable<Stat>)].filter((s) => s.type === "outbound-rtp" || s.type === "remote-inbound-rtp");
    const now = performance.now();
    for (const peer of this.peers()) {
      const { quality, totals } = statsSample([...shared, ...(inbound.get(peer) ?? []), ...sent], this.#totals.get(peer) ?? null, now);
      this.#totals.set(peer, totals);
      if (this.#timer) this.onSample(peer, quality);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
