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
import { ThrottledWarn, type Logger } from "../obs/log";
import { Serial } from "./serial";
import type { Sfu } from "./sfu";

export interface SfuBridgeOptions {
  /** How long one SFU step (open, join, leave, close, signal) may take before it counts as failed. */
  stepTimeoutMs: number;
}

export class SfuBridge {
  /** callId → participant id → its socket's connection id, for calls with a room. */
  readonly #rooms = new Map<string, Map<string, string>>();
  /** callId → the call version its room last followed. */
  readonly #versions = new Map<string, number>();
  /** callId → participant id → the DTLS fingerprint of their last publish offer (which client links they use). */
  readonly #fingerprints = new Map<string, Map<string, string>>();
  /**
   * Syncs run one at a time, across all calls: a signal's sync must not overtake one still
   * joining its sender, and a record read before a newer one was applied must not undo it (drop
   * someone just joined). Each step in it is bounded, so one that never answers (a hung Janus
   * request) fails after stepTimeoutMs instead of stalling every call behind it.
   */
  readonly #syncs = new Serial();
  readonly #refusals: ThrottledWarn;
  readonly #off: () => void;

  constructor(
    private readonly sfu: Sfu,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly options: SfuBridgeOptions,
  ) {
    this.#refusals = new ThrottledWarn(log);
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

  /** One SFU step, bounded by stepTimeoutMs; the step itself is not cancelled (all are idempotent). */
  #step<T>(step: string, callId: string, run: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError("UNAVAILABLE", `The SFU did not answer ${step} within ${this.options.stepTimeoutMs} ms`, undefined, 1)), this.options.stepTimeoutMs);
    });
    return Promise.race([run(), timeout]).finally(() => clearTimeout(timer));
  }

  /** A step of a sync that failed: logged, and the sync goes on with the other participants. */
  #failed(step: string, callId: string, participantId: string | undefined, err: unknown): void {
    this.log.error("sfu step failed", { step, callId, participantId, error: String(err) });
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
      try {
        await this.#step("open", call.id, () => this.sfu.open(call.id));
      } catch (err) {
        // No room yet: the next sync of this call (a signal's, at the latest) tries again.
        this.#versions.delete(call.id);
        return this.#failed("open", call.id, undefined, err);
      }
      room = new Map();
      this.#rooms.set(call.id, room);
    }
    const present = new Map(call.participants.filter((p) => p.disconnectedAt === null).map((p) => [p.id, p.connectionId]));
    for (const id of [...room.keys()]) {
      // Gone, or back on another socket (a reloaded page): its old links are dead either way.
      if (present.get(id) !== room.get(id)) {
        room.delete(id);
        this.#fingerprints.get(call.id)?.delete(id);
        await this.#step("leave", call.id, () => this.sfu.leave(call.id, id)).catch((err) => this.#failed("leave", call.id, id, err));
      }
    }
    for (const [id, connection] of present) {
      if (room.has(id)) continue;
      room.set(id, connection);
      try {
        await this.#step("join", call.id, () => this.sfu.join(call.id, id));
      } catch (err) {
        // Not in the room then: the next sync joins them again (join is idempotent).
        if (room.get(id) === connection) room.delete(id);
        this.#failed("join", call.id, id, err);
      }
    }
  }

  /** The calls with a room here. */
  callIds(): string[] {
    return [...this.#rooms.keys()];
  }

  end(callId: string): Promise<void> {
    return this.#syncs.run(async () => {
      this.#versions.delete(callId);
      this.#fingerprints.delete(callId);
      if (this.#rooms.delete(callId)) await this.#step("close", callId, () => this.sfu.close(callId)).catch((err) => this.#failed("close", callId, undefined, err));
    });
  }

  /** A participant's signal; `call` and `participantId` come from the membership check. */
  async signal(call: CallRecord, participantId: string, signal: SfuSignalIn): Promise<void> {
    if (call.topology !== "sfu") throw new AppError("CONFLICT", "This call does not go through the SFU");
    await this.sync(call);
    if (signal.kind === "offer") await this.#syncs.run(() => this.#freshLinks(call.id, participantId, signal.sdp));
    await this.#step(`${signal.kind} signal`, call.id, () => this.sfu.signal(call.id, participantId, signal));
  }

  /**
   * A publish offer with a new DTLS fingerprint comes from new client links (its page was told the
   * room moved, or started over; each RTCPeerConnection makes its own certificate): its place in
   * the room starts over too, as the SFU's links to it cannot be renegotiated onto another peer.
   * A repeated or renegotiating offer keeps them, and so does an ICE restart (new ICE
   * credentials, same certificate), which a loaded client makes on the links it already has.
   */
  async #freshLinks(callId: string, participantId: string, sdp: string): Promise<void> {
    const fingerprint = /^a=fingerprint:(.+?)\s*$/m.exec(sdp)?.[1];
    const room = this.#rooms.get(callId);
    if (!fingerprint || !room?.has(participantId)) return;
    const known = this.#fingerprints.get(callId) ?? new Map<string, string>();
    this.#fingerprints.set(callId, known);
    const before = known.get(participantId);
    known.set(participantId, fingerprint);
    if (before === undefined || before === fingerprint) return;
    await this.#step("leave", callId, () => this.sfu.leave(callId, participantId)).catch((err) => this.#failed("leave", callId, participantId, err));
    await this.#step("join", callId, () => this.sfu.join(callId, participantId)).catch((err) => {
      // Not in the room then: the next sync joins them again, as after any failed join.
      room.delete(participantId);
      this.#failed("join", callId, participantId, err);
    });
  }

  /**
   * An sfu:signal frame refused (not a participant, no room, bad SDP, a timeout…): a warning once
   * per reason per minute. A message's detail after ":" (an SDP parser's words) is not a new reason.
   */
  refused(err: unknown, fields: { callId: string; userId: string; kind: string }): void {
    const reason = err instanceof AppError ? `${err.code} ${err.message.split(":")[0]}` : "INTERNAL";
    this.#refusals.warn(reason, "sfu:signal refused", { ...fields, error: err instanceof Error ? err.message : String(err) });
  }

  async close(): Promise<void> {
    this.#off();
    this.#rooms.clear();
    this.#versions.clear();
    this.#fingerprints.clear();
    await this.sfu.close();
  }
}
