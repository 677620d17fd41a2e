/**
 * (d) Fan-out in a space channel: o.chMembers members each on their own socket (all in this
 * process), the owner posts in #general, everyone else receives.
 */
import { readFileSync } from "node:fs";
import { serverRss, waitForQuiet, type ServerHandle } from "../lib/harness";
import { measureFanout, type FanoutResult } from "./fanout";
import type { Options } from "./options";
import { setupChannel } from "./setup";
import { openAll } from "./sock";

export interface ChannelResult {
  members: number;
  /** Wall seconds of the setup steps. */
  registerS: number;
  joinS: number;
  openS: number;
  /** Server RSS with every member's socket open, before the first message. */
  setupRss: number;
  modes: FanoutResult[];
}

/** The soft open-file limit of this process (Bun raises it to the hard limit at start; the server inherits the same). */
function fileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  return Number(line?.split(/\s{2,}/)[1]) || 1024;
}

/**
 * Fails early when either process would run out of descriptors: the load generator holds one
 * socket per member, and the server accepts connections up to 90 % of its limit less 64.
 */
export function checkFileLimit(o: Options): void {
  const need = Math.ceil((o.chMembers + 128) / 0.9) + 64;
  const have = fileLimit();
  if (have < need) {
    throw new Error(
      `(d) needs ${need} open files for ${o.chMembers} sockets but the limit is ${have}: raise the hard limit (ulimit -Hn ${need}, as root) ` +
        `or lower --channel-members`,
    );
  }
}

export async function phaseChannelFanout(srv: ServerHandle, o: Options, withDb: boolean, log: (s: string) => void): Promise<ChannelResult> {
  const fx = await setupChannel(srv.base, o, log);
  const t = performance.now();
  const [S] = await openAll(srv.base, [fx.owner]);
  const receivers = await openAll(srv.base, fx.members, 32);
  const openS = (performance.now() - t) / 1000;
  const setupRss = await serverRss(srv.base);
  log(`  ${o.chMembers} registered in ${fx.registerS.toFixed(1)} s, joined in ${fx.joinS.toFixed(1)} s, sockets + hello in ${openS.toFixed(1)} s`);
  await waitForQuiet(Math.min(o.quietWaitS, 30), 2);
  const plan = { label: "(d)", tag: "ch", warm: o.chWarm, single: o.chN, pipelined: o.chPipeN, window: o.chWindow };
  const modes = await measureFanout(srv, S!, receivers, fx.channelId, plan, withDb);
  S!.close();
  receivers.forEach((r) => r.close());
  return { members: o.chMembers, registerS: fx.registerS, joinS: fx.joinS, openS, setupRss, modes };
}
