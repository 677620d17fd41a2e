/** (a) DM latency, one message in flight: send → ack (A's reply) and send → delivered (B's socket). */
import { cpuWindow, dist, serverRss, type CpuShare, type Dist, type ServerHandle } from "../lib/harness";
import { CONTENT, MSG_TIMEOUT_MS, type Options } from "./options";
import type { Fixture } from "./setup";
import { bump, openAll } from "./sock";

export interface LatencyResult {
  deliver: Dist;
  ack: Dist;
  errors: Map<string, number>;
  cpu: CpuShare;
  rss: number;
}

export async function phaseDmLatency(srv: ServerHandle, fx: Fixture, o: Options, withDb: boolean): Promise<LatencyResult> {
  const [A, B] = await openAll(srv.base, [fx.dm.a, fx.dm.b]);
  const conversationId = fx.dm.conversationId;
  const deliver: number[] = [];
  const ack: number[] = [];
  const errors = new Map<string, number>();
  let waiting: { clientId: string; resolve: (t: number) => void } | null = null;
  B!.onEvent = (f, t) => {
    if (f.type === "message:new" && waiting && f.message?.clientId === waiting.clientId) {
      const w = waiting;
      waiting = null;
      w.resolve(t);
    }
  };
  let closeCpu: (() => CpuShare) | null = null;
  for (let i = 0; i < o.dmWarm + o.dmN; i++) {
    if (i === o.dmWarm) closeCpu = cpuWindow(srv.proc.pid, withDb);
    const clientId = `dm-${i}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), MSG_TIMEOUT_MS)));
    let sent = 0;
    const acked = new Promise<{ t: number; ok: boolean; code?: string }>((res) => {
      sent = A!.sendFrame({ type: "message:send", conversationId, clientId, content: CONTENT + i }, (f, t) => res({ t, ok: f.ok === true, code: f.error?.code }));
    });
    const delivered = new Promise<number>((resolve) => (waiting = { clientId, resolve }));
    const r = await Promise.race([Promise.all([acked, delivered]), timeout]);
    clearTimeout(timer);
    if (r === "timeout") {
      waiting = null;
      bump(errors, "timeout");
      if ((errors.get("timeout") ?? 0) >= 5) throw new Error(`(a) 5 messages timed out${A!.closedWith ? ` (${A!.closedWith})` : ""}`);
      continue;
    }
    const [a, tDel] = r;
    if (!a.ok) {
      bump(errors, a.code ?? "error");
      continue;
    }
    if (i >= o.dmWarm) {
      ack.push(a.t - sent);
      deliver.push(tDel - sent);
    }
  }
  const cpu = closeCpu!();
  const rss = await serverRss(srv.base);
  A!.close();
  B!.close();
  return { deliver: dist(deliver), ack: dist(ack), errors, cpu, rss };
}
