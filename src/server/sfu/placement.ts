/**
 * SFU placement across nodes. A call's SFU room lives on one node, named in the call registry:
 * the first node that needs it (committing the change that moved the call to the SFU, or taking
 * a participant's first sfu:signal) places it on itself with a compare-and-set. Every other node
 * hands that node the call changes it commits (bus "sfu:sync") and its sockets' sfu:signal
 * frames (bus "sfu:signal"); the SFU's answers, candidates and speaker events reach the sockets
 * wherever they are, as every delivery does. When that node dies, the survivor cleaning up after
 * it takes its calls over with the same compare-and-set, opens their rooms and tells everyone in
 * them to open fresh SFU links (`sfu:moved`). A node that stops gracefully hands its rooms back
 * to nowhere the same way, and the participants' fresh links place them on a live node.
 */
import { AppError } from "../../shared/errors";
import type { SfuSignalIn } from "../../shared/sfu";
import type { Bus, BusEvent } from "../bus/bus";
import type { CallChange } from "../calls/core";
import type { CallRecord, CallRegistry } from "../calls/registry";
import type { Logger } from "../obs/log";
import type { SfuBridge } from "./bridge";

export class SfuPlacement {
  readonly #off: () => void;

  constructor(
    private readonly bridge: SfuBridge,
    private readonly registry: CallRegistry,
    private readonly bus: Bus,
    /** This node's id in the cluster (it changes if the node is evicted). */
    private readonly self: () => string,
    private readonly log: Logger,
  ) {
    this.#off = bus.subscribe((e) => {
      if ((e.type === "sfu:sync" || e.type === "sfu:signal") && e.node === this.self()) void this.#heard(e);
    });
  }

  /** The node holding the call's room, placed here if none yet; undefined when the call is gone. */
  async #place(call: CallRecord): Promise<string | undefined> {
    return call.sfuNode ?? (await this.registry.placeSfu(call.id, this.self(), null));
  }

  /** A change this node committed (CallService.watch): its room follows, here or on its node. */
  async changed(change: CallChange): Promise<void> {
    if (change.type === "ended") {
      await this.bridge.end(change.callId);
      if (change.sfuNode && change.sfuNode !== this.self()) await this.bus.publish({ type: "sfu:sync", node: change.sfuNode, callId: change.callId });
      return;
    }
    const call = change.call;
    if (call.topology !== "sfu" || call.state !== "active") return;
    const node = await this.#place(call);
    if (node === this.self()) await this.bridge.sync(call);
    else if (node) await this.bus.publish({ type: "sfu:sync", node, callId: call.id });
  }

  /** A participant's signal, taken on this node's socket (`call` and `participantId` come from the membership check). */
  async signal(call: CallRecord, participantId: string, signal: SfuSignalIn): Promise<void> {
    if (call.topology !== "sfu") throw new AppError("CONFLICT", "This call does not go through the SFU");
    const node = await this.#place(call);
    if (node === undefined) throw new AppError("NOT_FOUND", "No such call");
    if (node === this.self()) return this.bridge.signal(call, participantId, signal);
    await this.bus.publish({ type: "sfu:signal", node, callId: call.id, participantId, signal });
  }

  refused(err: unknown, fields: { callId: string; userId: string; kind: string }): void {
    this.bridge.refused(err, fields);
  }

  /** Another node's word for a room here: the call as the registry has it now decides. */
  async #heard(e: Extract<BusEvent, { type: "sfu:sync" | "sfu:signal" }>): Promise<void> {
    try {
      const call = await this.registry.get(e.callId);
      const ours = call !== undefined && call.topology === "sfu" && call.state === "active" && call.sfuNode === this.self();
      if (e.type === "sfu:sync") return void (await (ours ? this.bridge.sync(call) : this.bridge.end(e.callId)));
      if (!ours) throw new AppError("NOT_FOUND", "This call's SFU room is not on this node");
      await this.bridge.signal(call, e.participantId, e.signal);
    } catch (err) {
      if (e.type === "sfu:signal") this.bridge.refused(err, { callId: e.callId, userId: e.participantId, kind: e.signal.kind });
      else this.log.error("sfu sync failed", { callId: e.callId, error: String(err) });
    }
  }

  /** `node` died and this node cleans up after it: the rooms it held move here. */
  async adopt(node: string): Promise<void> {
    for (const callId of await this.registry.sfuCallsOf(node)) {
      if ((await this.registry.placeSfu(callId, this.self(), node)) !== this.self()) continue;
      const call = await this.registry.get(callId);
      if (!call) continue;
      await this.bridge.sync(call);
      // A socket that was on the dead node opens new links anyway when it resumes the call.
      const told = await this.#moved(call);
      this.log.info("took over a call's SFU room from a lost node", { callId, node, participants: told });
    }
  }

  /** Everyone in the call opens fresh SFU links: their links to its old node are gone. */
  async #moved(call: CallRecord): Promise<number> {
    const connections = call.participants.filter((p) => p.disconnectedAt === null).map((p) => p.connectionId);
    await this.bus.publish({ type: "deliver", to: { connections }, event: { type: "sfu:moved", callId: call.id } });
    return connections.length;
  }

  /**
   * This node stops (after its sockets were drained to other nodes): its rooms go back to
   * nowhere and their participants open fresh links, which place each room on a live node.
   */
  async #release(): Promise<void> {
    for (const callId of await this.registry.sfuCallsOf(this.self())) {
      if ((await this.registry.placeSfu(callId, null, this.self())) !== undefined) continue;
      const call = await this.registry.get(callId);
      if (call) this.log.info("handed a call's SFU room back on stopping", { callId, participants: await this.#moved(call) });
    }
  }

  /** This node was declared dead: a survivor took its rooms over, so the ones here only hold media nobody gets. */
  evicted(): void {
    for (const callId of this.bridge.callIds()) void this.bridge.end(callId);
  }

  async close(): Promise<void> {
    this.#off();
    await this.#release().catch((err) => this.log.warn("handing this node's SFU rooms back failed", { error: String(err) }));
    await this.bridge.close();
  }
}
