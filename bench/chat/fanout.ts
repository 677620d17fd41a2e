/**
 * Fan-out measurement shared by (c) the 50-member group and (d) the space channel: one sender,
 * every other member on its own socket; messages one in flight (the next when all receivers have
 * it), then pipelined (W in flight). Per delivery = send → that receiver's arrival.
 */
import { cpuWindow, dist, serverRss, type CpuShare, type Dist, type ServerHandle } from "../lib/harness";
import { CONTENT, MSG_TIMEOUT_MS, type Options } from "./options";
import type { Fixture } from "./setup";
import { bump, errText, openAll, type Sock } from "./sock";

export interface FanoutResult {
  mode: "one in flight" | "pipelined";
  messages: number;
  deliveriesPerS: number;
  messagesPerS: number;
  perDelivery: Dist;
  /** Send → the last receiver got it. */
  allDelivered: Dist;
  /** Last receiver − first receiver, per message. */
  spread: Dist;
  missingDeliveries: number;
  errors: Map<string, number>;
  cpu: CpuShare;
  rss: number;
}

export interface FanoutPlan {
  /** Names the phase in errors, e.g. "(c)". */
  label: string;
  /** clientId prefix. */
  tag: string;
  /** Unmeasured messages, one in flight, before each mode. */
  warm: number;
  single: number;
  pipelined: number;
  window: number;
}

/** Runs both modes with sockets already open (and hello done); the caller closes them. */
export async function measureFanout(srv: ServerHandle, S: Sock, receivers: Sock[], conversationId: string, plan: FanoutPlan, withDb: boolean): Promise<FanoutResult[]> {
  const need = receivers.length;

  interface Track {
    t0: number;
    first: number;
    last: number;
    got: number;
    acked: boolean;
    measured: boolean;
    done?: () => void;
  }
  const tracks = new Map<string, Track>();
  let perDelivery: number[] = [];
  let allDelivered: number[] = [];
  let spread: number[] = [];
  let lastArrival = 0;
  const complete = (tr: Track) => {
    if (tr.got === need && tr.acked && tr.done) {
      const d = tr.done;
      tr.done = undefined;
      d();
    }
  };
  for (const R of receivers) {
    R.onEvent = (f, t) => {
      if (f.type !== "message:new" || f.message?.conversationId !== conversationId) return;
      const tr = tracks.get(f.message.clientId);
      if (!tr) return;
      if (tr.got === 0) tr.first = t;
      tr.last = t;
      tr.got++;
      lastArrival = t;
      if (tr.measured) perDelivery.push(t - tr.t0);
      if (tr.got === need) {
        if (tr.measured) {
          allDelivered.push(t - tr.t0);
          spread.push(tr.last - tr.first);
        }
        complete(tr);
      }
    };
  }

  const errors = new Map<string, number>();
  /** Sends one message; resolves when it is acked and all receivers have it (or on timeout). */
  const sendTracked = (clientId: string, measured: boolean): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const tr: Track = { t0: 0, first: 0, last: 0, got: 0, acked: false, measured };
      const timer = setTimeout(() => {
        tr.done = undefined;
        bump(errors, "timeout");
        resolve(false);
      }, MSG_TIMEOUT_MS);
      tr.done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      tracks.set(clientId, tr);
      tr.t0 = S.sendFrame({ type: "message:send", conversationId, clientId, content: CONTENT + clientId }, (f) => {
        if (!f.ok) {
          bump(errors, f.error?.code ?? "error");
          clearTimeout(timer);
          tr.done = undefined;
          resolve(false);
          return;
        }
        tr.acked = true;
        complete(tr);
      });
    });

  const results: FanoutResult[] = [];
  const run = async (mode: FanoutResult["mode"], window: number, count: number, tag: string) => {
    // Warm-up, one in flight, not measured.
    for (let i = 0; i < plan.warm; i++) await sendTracked(`${plan.tag}-${tag}-w${i}`, false);
    perDelivery = [];
    allDelivered = [];
    spread = [];
    errors.clear();
    const closeCpu = cpuWindow(srv.proc.pid, withDb);
    const t0 = performance.now();
    let next = 0;
    let timeouts = 0;
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < count && timeouts < 5) {
          const i = next++;
          if (!(await sendTracked(`${plan.tag}-${tag}-${i}`, true))) timeouts++;
        }
      }),
    );
    if (timeouts >= 5) throw new Error(`${plan.label} ${mode}: 5 messages failed or timed out: ${errText(errors)}`);
    const wall = (Math.max(lastArrival, t0) - t0) / 1000;
    const cpu = closeCpu();
    const rss = await serverRss(srv.base);
    results.push({
      mode,
      messages: count,
      deliveriesPerS: perDelivery.length / wall,
      messagesPerS: count / wall,
      perDelivery: dist(perDelivery),
      allDelivered: dist(allDelivered),
      spread: dist(spread),
      missingDeliveries: count * need - perDelivery.length,
      errors: new Map(errors),
      cpu,
      rss,
    });
  };
  await run("one in flight", 1, plan.single, "s");
  await run("pipelined", plan.window, plan.pipelined, "p");
  return results;
}

/** (c) Fan-out to the group: its owner sends, the other members receive. */
export async function phaseFanout(srv: ServerHandle, fx: Fixture, o: Options, withDb: boolean): Promise<FanoutResult[]> {
  const [S] = await openAll(srv.base, [fx.group.owner]);
  const receivers = await openAll(srv.base, fx.group.members);
  const plan = { label: "(c)", tag: "fan", warm: o.fanWarm, single: o.fanN, pipelined: o.fanPipeN, window: o.fanWindow };
  const results = await measureFanout(srv, S!, receivers, fx.group.conversationId, plan, withDb);
  S!.close();
  receivers.forEach((r) => r.close());
  return results;
}
