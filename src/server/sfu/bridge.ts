/**
 * Between the call service and the Sfu: keeps each call's SFU room in step with the call
 * (sync after every committed change — idempotent, so a repeated or late change is harmless),
 * hands participants' signals to the SFU and delivers its events to their sockets. Only calls
 * whose topology is "sfu" have a room; the switch there is decided by the call service.
 */
import { AppError } from "../../shared/errors";
import type { SfuServerEvent, SfuSignalIn } from "../../shared/sfu";
import type { Bus } from "../bus/bus";
import type { CallRecord } from "../calls/model";
import { Serial } from "./serial";
import type { Sfu } from "./sfu";

export class SfuBridge {
  /** callId → participant id → its socket's connection id, for calls with a room. */
  readonly #rooms = new Map<string, Map<string, string>>();
  /** callId → the call version its room last followed. */
  readonly #versions = new Map<string, number>();
  /**
   * Syncs run one at a time: a signal's sync must not overtake one still joining its sender, and
   * a record read before a newer one was applied must not undo it (drop someone just joined).
   */
  readonly #syncs = new Serial();
  readonly #off: () => void;

  constructor(
    private readonly sfu: Sfu,
    private readonly bus: Bus,
  ) {
    this.#off = sfu.on((e) => {
      const room = this.#rooms.get(e.callId);
      if (!room) return;
      if (e.type === "signal") {
        const connection = room.get(e.to);
        if (connection) void this.#deliver([connection], { type: "sfu:signal", callId: e.callId, signal: e.signal });
      } else if (e.type === "speaker") {
        void this.#deliver([...room.values()], { type: "sfu:speaker", callId: e.callId, participantId: e.participantId, levels: e.levels });
      }
    });
  }

  #deliver(connections: string[], event: SfuServerEvent) {
    return this.bus.publish({ type: "deliver", to: { connections }, event }).catch(() => {});
  }

  sync(call: CallRecord): Promise<void> {
    return this.#syncs.run(() => this.#sync(call));
  }

  async #sync(call: CallRecord): Promise<void> {
    if (call.topology !== "sfu" || call.state !== "active") return;
    if (call.version < (this.#versions.get(call.id) ?? 0)) return;
    this.#versions.set(call.id, call.version);
    let room = this.#rooms.get(call.id);
    if (!room) {
      room = new Map();
      this.#rooms.set(call.id, room);
      await this.sfu.open(call.id);
    }
    const present = new Map(call.participants.filter((p) => p.disconnectedAt === null).map((p) => [p.id, p.connectionId]));
    for (const id of [...room.keys()]) {
      // Gone, or back on another socket (a reloaded page): its old links are dead either way.
      if (present.get(id) !== room.get(id)) {
        room.delete(id);
        await this.sfu.leave(call.id, id);
      }
    }
    for (const [id, connection] of present) {
      if (room.has(id)) continue;
      room.set(id, connection);
      await this.sfu.join(call.id, id);
    }
  }

  end(callId: string): Promise<void> {
    return this.#syncs.run(async () => {
      this.#versions.delete(callId);
      if (this.#rooms.delete(callId)) await this.sfu.close(callId);
    });
  }

  /** A participant's signal; `call` and `participantId` come from the membership check. */
  async signal(call: CallRecord, participantId: string, signal: SfuSignalIn): Promise<void> {
    if (call.topology !== "sfu") throw new AppError("CONFLICT", "This call does not go through the SFU");
    await this.sync(call);
    await this.sfu.signal(call.id, participantId, signal);
  }

  async close(): Promise<void> {
    this.#off();
    this.#rooms.clear();
    this.#versions.clear();
    await this.sfu.close();
  }
}
