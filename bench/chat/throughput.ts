/**
 * (b) Pipelined persisted throughput: P sender/receiver pairs, each sender keeping W sends in
 * flight for D seconds after a warm-up; then every pair's history is paged through REST to check
 * that each acknowledged message is stored exactly once and nothing else is.
 */
import { api, cpuWindow, dist, mapLimit, serverRss, sleep, type CpuShare, type Dist, type ServerHandle } from "../lib/harness";
import { CONTENT, DRAIN_MS, type Options } from "./options";
import type { Fixture } from "./setup";
import { bump, openAll } from "./sock";

export interface ThroughputResult {
  ackedPerS: number;
  deliveredPerS: number;
  ack: Dist;
  deliver: Dist;
  errors: Map<string, number>;
  totalAcked: number;
  totalDelivered: number;
  drained: boolean;
  verify: { stored: number; ackedStoredOnce: number; missing: number; duplicates: number; unacked: number; ok: boolean; ms: number };
  cpu: CpuShare;
  rss: number;
}

/** Which node each pair's sockets connect to (bench/cluster.ts spreads them); by default all on `srv`. */
export interface Placement {
  sender: (pair: number) => ServerHandle;
  receiver: (pair: number) => ServerHandle;
  servers: ServerHandle[];
}

/**
 * `tag` prefixes this phase's clientIds, and the exactly-once check counts only messages carrying
 * it: bench/cluster.ts runs several phases over the same pairs, each checked on its own.
 */
export async function phaseThroughput(srv: ServerHandle, fx: Pick<Fixture, "pairs">, o: Pick<Options, "window" | "tpWarmS" | "durationS">, withDb: boolean, placement?: Placement, tag = "tp"): Promise<ThroughputResult> {
  const where = placement ?? { sender: () => srv, receiver: () => srv, servers: [srv] };
  const senders = (await Promise.all(fx.pairs.map((p, i) => openAll(where.sender(i).base, [p.sender])))).flat();
  const receivers = (await Promise.all(fx.pairs.map((p, i) => openAll(where.receiver(i).base, [p.receiver])))).flat();
  const errors = new Map<string, number>();
  const ackLat: number[] = [];
  const delLat: number[] = [];
  let stopping = false;
  let inWindow = false;
  let ackedInWindow = 0;
  let deliveredInWindow = 0;
  let totalAcked = 0;
  let totalDelivered = 0;
  let inFlight = 0;
  const acked = fx.pairs.map(() => new Set<string>());
  const sentAt = fx.pairs.map(() => new Map<string, number>());
  const deliveredCount = fx.pairs.map(() => 0);
  let onDrained: (() => void) | null = null;
  const settledAll = () => inFlight === 0 && totalDelivered >= totalAcked;

  fx.pairs.forEach((pair, p) => {
    const S = senders[p]!;
    const R = receivers[p]!;
    let seq = 0;
    const sendOne = () => {
      const clientId = `${tag}-${p}-${seq++}`;
      inFlight++;
      const t0 = S.sendFrame({ type: "message:send", conversationId: pair.conversationId, clientId, content: CONTENT + seq }, (f, t) => {
        inFlight--;
        if (f.ok) {
          acked[p]!.add(clientId);
          totalAcked++;
          if (inWindow) {
            ackedInWindow++;
            ackLat.push(t - t0);
          }
        } else bump(errors, f.error?.code ?? "error");
        if (!stopping) sendOne();
        else if (onDrained && settledAll()) onDrained();
      });
      sentAt[p]!.set(clientId, t0);
    };
    R.onEvent = (f, t) => {
      if (f.type !== "message:new" || f.message?.conversationId !== pair.conversationId) return;
      deliveredCount[p]!++;
      totalDelivered++;
      if (inWindow) {
        deliveredInWindow++;
        const t0 = sentAt[p]!.get(f.message.clientId);
        if (t0 !== undefined) delLat.push(t - t0);
      }
      if (stopping && onDrained && settledAll()) onDrained();
    };
    for (let i = 0; i < o.window; i++) sendOne();
  });

  await sleep(o.tpWarmS * 1000);
  const closeCpu = cpuWindow(where.servers.map((s) => s.proc.pid), withDb);
  inWindow = true;
  const w0 = performance.now();
  await sleep(o.durationS * 1000);
  inWindow = false;
  const windowS = (performance.now() - w0) / 1000;
  const cpu = closeCpu();
  stopping = true;
  const rssP = serverRss(srv.base);
  const drained = settledAll() || (await Promise.race([new Promise<boolean>((r) => (onDrained = () => r(true))), sleep(DRAIN_MS).then(() => false)]));
  const rss = await rssP;
  await sleep(200); // let any straggling deliveries land before the sockets close
  for (const s of [...senders, ...receivers]) if (s.closedWith) bump(errors, `socket ${s.closedWith}`);
  senders.forEach((s) => s.close());
  receivers.forEach((s) => s.close());

  // Correctness: page each pair's history back to the start through REST and count every clientId.
  const v0 = performance.now();
  const verify = { stored: 0, ackedStoredOnce: 0, missing: 0, duplicates: 0, unacked: 0, ok: true, ms: 0 };
  await mapLimit(fx.pairs, 4, async (pair, p) => {
    const seen = new Map<string, number>();
    let before: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const q = before ? `?limit=100&before=${before}` : "?limit=100";
      const { messages, hasMore } = await api<{ messages: Array<{ id: string; clientId: string | null; authorId: string | null }>; hasMore: boolean }>(
        srv.base,
        pair.sender.cookie,
        `/api/conversations/${pair.conversationId}/messages${q}`,
      );
      for (const m of messages) {
        if (m.authorId !== pair.sender.id || m.clientId === null || !m.clientId.startsWith(`${tag}-`)) continue;
        verify.stored++;
        seen.set(m.clientId, (seen.get(m.clientId) ?? 0) + 1);
      }
      if (!hasMore || messages.length === 0) break;
      before = messages[0]!.id;
    }
    for (const id of acked[p]!) {
      const n = seen.get(id) ?? 0;
      if (n === 0) verify.missing++;
      else if (n === 1) verify.ackedStoredOnce++;
      else verify.duplicates++;
    }
    for (const [id, n] of seen) {
      if (!acked[p]!.has(id)) verify.unacked++;
      if (n > 1 && !acked[p]!.has(id)) verify.duplicates++;
    }
  });
  verify.ms = performance.now() - v0;
  verify.ok = verify.missing === 0 && verify.duplicates === 0 && verify.ackedStoredOnce === totalAcked && (drained ? verify.unacked === 0 : true);

  return {
    ackedPerS: ackedInWindow / windowS,
    deliveredPerS: deliveredInWindow / windowS,
    ack: dist(ackLat),
    deliver: dist(delLat),
    errors,
    totalAcked,
    totalDelivered,
    drained,
    verify,
    cpu,
    rss,
  };
}
