/**
 * 1:1 calls: ringing → active → ended. Rings every device of the callee, lets the first
 * accepting device win, relays signaling only between the two participants' sockets (with
 * `from` stamped here), and keeps a call through a 10 s grace period when a participant's
 * socket drops. Only the call log (system messages) reaches the database.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import type { CallEndReason, CallInfo, CallMedia, ServerEvent } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { ConversationService } from "../chat/conversations";
import type { MessageService } from "../chat/messages";
import type { Store } from "../store/store";
import { toPublic } from "../social/users";
import type { CallRecord, CallRegistry, Participant } from "./registry";

/** An actor on a particular socket: calls bind to devices, not just users. */
export interface DeviceActor extends Actor {
  connectionId: string;
}

export interface CallTimings {
  ringMs: number;
  graceMs: number;
}

type Signal =
  | { type: "rtc:offer" | "rtc:answer"; callId: string; to: string; channel: "main" | "screen"; sdp: string }
  | { type: "rtc:ice"; callId: string; to: string; channel: "main" | "screen"; candidate: unknown };

export class CallService {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly registry: CallRegistry,
    private readonly conversations: ConversationService,
    private readonly messages: MessageService,
    private readonly timings: CallTimings,
    private readonly clock: () => number = Date.now,
    /** Timer-driven endings have no caller to report to. */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  #toUsers(users: string[], event: ServerEvent) {
    return this.bus.publish({ type: "deliver", to: { users }, event });
  }

  #toConnections(connections: string[], event: ServerEvent) {
    return this.bus.publish({ type: "deliver", to: { connections }, event });
  }

  info(c: CallRecord): CallInfo {
    return {
      id: c.id,
      conversationId: c.conversationId,
      state: c.state,
      callerId: c.callerId,
      calleeId: c.calleeId,
      media: c.media,
      participants: c.participants.map((p) => p.userId),
      startedAt: new Date(c.createdAt).toISOString(),
      acceptedAt: c.acceptedAt === null ? null : new Date(c.acceptedAt).toISOString(),
    };
  }

  #timer(key: string, ms: number, fn: () => Promise<void>) {
    // A disconnect still being handled at shutdown must not arm a timer after close().
    if (this.#closed) return;
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        fn().catch((err) => this.onError(err));
      }, ms),
    );
  }

  #clearTimer(key: string) {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  async invite(actor: DeviceActor, conversationId: string, media: CallMedia): Promise<{ callId: string }> {
    const conv = await this.conversations.requireMember(actor, conversationId);
    if (conv.kind !== "dm" || !conv.dm_key) throw new AppError("FORBIDDEN", "1:1 calls happen in direct conversations");
    if (await this.conversations.readOnly(conv)) throw new AppError("FORBIDDEN", "You cannot call this user");
    const calleeId = conv.dm_key.split(":").find((id) => id !== actor.userId)!;
    const call: CallRecord = {
      id: newId(),
      conversationId,
      callerId: actor.userId,
      calleeId,
      media,
      state: "ringing",
      createdAt: this.clock(),
      acceptedAt: null,
      participants: [{ userId: actor.userId, sessionId: actor.sessionId, connectionId: actor.connectionId, disconnectedAt: null }],
      version: 0,
    };
    const created = await this.registry.create(call);
    if (!created.ok) {
      if (created.busyUserId === actor.userId) throw new AppError("CONFLICT", "You are already in a call");
      await this.#toUsers([actor.userId], { type: "call:busy", conversationId, userId: calleeId });
      throw new AppError("BUSY", "They are in another call");
    }
    const [caller, callee] = await Promise.all([this.store.accounts.userById(actor.userId), this.store.accounts.userById(calleeId)]);
    await this.#toUsers([calleeId], { type: "call:incoming", callId: call.id, conversationId, from: toPublic(caller!), media });
    await this.#toUsers([actor.userId], { type: "call:ringing", callId: call.id, conversationId, to: toPublic(callee!), media });
    // The timer lives on this node; whichever node takes the accept, the state check decides.
    this.#timer(`ring:${call.id}`, this.timings.ringMs, async () => {
      const now = await this.registry.get(call.id);
      if (now?.state === "ringing") await this.#end(call.id, "timeout", now.version);
    });
    return { callId: call.id };
  }

  async #requireCall(actor: Actor, callId: string): Promise<CallRecord> {
    const call = await this.registry.get(callId);
    if (!call || (call.callerId !== actor.userId && call.calleeId !== actor.userId)) throw new AppError("NOT_FOUND", "No such call");
    return call;
  }

  async accept(actor: DeviceActor, callId: string): Promise<{ call: CallInfo }> {
    const call = await this.#requireCall(actor, callId);
    if (call.calleeId !== actor.userId) throw new AppError("FORBIDDEN", "Only the callee can accept");
    if (call.state !== "ringing") throw new AppError("CONFLICT", "This call was already answered");
    const next: CallRecord = {
      ...call,
      state: "active",
      acceptedAt: this.clock(),
      participants: [...call.participants, { userId: actor.userId, sessionId: actor.sessionId, connectionId: actor.connectionId, disconnectedAt: null }],
    };
    if (!(await this.registry.update(next))) throw new AppError("CONFLICT", "This call was already answered");
    this.#clearTimer(`ring:${callId}`);
    await this.#toUsers([call.callerId], { type: "call:accepted", callId, by: actor.userId });
    // Every other device of the callee stops ringing.
    await this.bus.publish({ type: "deliver", to: { users: [actor.userId], exceptConnection: actor.connectionId }, event: { type: "call:answered-elsewhere", callId } });
    return { call: this.info(next) };
  }

  async reject(actor: DeviceActor, callId: string): Promise<void> {
    const call = await this.#requireCall(actor, callId);
    if (call.calleeId !== actor.userId || call.state !== "ringing") throw new AppError("CONFLICT", "Only a ringing call can be declined");
    await this.#toUsers([call.callerId], { type: "call:rejected", callId });
    await this.#end(callId, "rejected");
  }

  async cancel(actor: DeviceActor, callId: string): Promise<void> {
    const call = await this.#requireCall(actor, callId);
    if (call.callerId !== actor.userId || call.state !== "ringing") throw new AppError("CONFLICT", "Only a ringing call can be cancelled");
    await this.#end(callId, "cancelled");
  }

  /**
   * While it rings, ending is cancelling (caller, any device) or declining (callee, any device).
   * Once active, only the socket bound to the call may hang up: another device of the same
   * user is not in the call and gets FORBIDDEN.
   */
  async hangUp(actor: DeviceActor, callId: string): Promise<void> {
    const call = await this.#requireCall(actor, callId);
    if (call.state === "ringing") return call.callerId === actor.userId ? this.cancel(actor, callId) : this.reject(actor, callId);
    this.#bound(actor, call);
    await this.#end(callId, "hangup");
  }

  /** The user's live call, if any (for hello). */
  async current(actor: Actor): Promise<CallInfo | null> {
    const call = await this.registry.ofUser(actor.userId);
    return call ? this.info(call) : null;
  }

  /** After a reconnect or page reload: the user's live call, re-bound to this socket. */
  async resume(actor: DeviceActor): Promise<{ call: CallInfo | null }> {
    let wasAway = false;
    let ringing: CallRecord | undefined;
    const next = await this.#mutateUserCall(actor.userId, (call) => {
      const mine = call.participants.find((p) => p.userId === actor.userId);
      // Still ringing for this user: show the incoming call again, changing nothing.
      if (!mine) return void (ringing = call);
      // Only the same sign-in (the reloaded tab) may take the call back, not another device.
      if (mine.sessionId !== actor.sessionId) return;
      wasAway = mine.disconnectedAt !== null || mine.connectionId !== actor.connectionId;
      return { ...call, participants: call.participants.map((p): Participant => (p === mine ? { ...p, connectionId: actor.connectionId, disconnectedAt: null } : p)) };
    });
    if (ringing) return { call: this.info(ringing) };
    if (!next) return { call: null };
    this.#clearTimer(`grace:${next.id}:${actor.userId}`);
    if (wasAway) {
      const others = next.participants.filter((p) => p.userId !== actor.userId).map((p) => p.connectionId);
      await this.#toConnections(others, { type: "call:participant-joined", callId: next.id, userId: actor.userId });
    }
    return { call: this.info(next) };
  }

  async setMedia(actor: DeviceActor, callId: string, media: { audio: boolean; video: boolean; screen: boolean }): Promise<void> {
    const call = await this.#requireParticipant(actor, callId);
    const others = call.participants.filter((p) => p.userId !== actor.userId).map((p) => p.connectionId);
    await this.#toConnections(others, { type: "call:media", callId, userId: actor.userId, ...media });
  }

  async #requireParticipant(actor: DeviceActor, callId: string): Promise<CallRecord> {
    return this.#bound(actor, await this.registry.get(callId));
  }

  /** The call, if it is active and this very socket is in it. */
  #bound(actor: DeviceActor, call: CallRecord | undefined): CallRecord {
    const me = call?.participants.find((p) => p.userId === actor.userId && p.connectionId === actor.connectionId);
    if (!call || !me || call.state !== "active") throw new AppError("FORBIDDEN", "You are not in this call");
    return call;
  }

  /** Relays an rtc:* frame to the other participant's socket, stamping `from`. */
  async relay(actor: DeviceActor, signal: Signal): Promise<void> {
    const call = await this.#requireParticipant(actor, signal.callId);
    const target = call.participants.find((p) => p.userId === signal.to && p.userId !== actor.userId);
    if (!target) throw new AppError("FORBIDDEN", "That user is not in this call");
    const event: ServerEvent =
      signal.type === "rtc:ice"
        ? { type: signal.type, callId: call.id, from: actor.userId, channel: signal.channel, candidate: signal.candidate as never }
        : { type: signal.type, callId: call.id, from: actor.userId, channel: signal.channel, sdp: signal.sdp };
    await this.#toConnections([target.connectionId], event);
  }

  /** A socket closed: if it carried a call, hold the call for the grace period. */
  async handleDisconnect(userId: string, connectionId: string): Promise<void> {
    const next = await this.#mutateUserCall(userId, (call) => {
      const mine = call.participants.find((p) => p.userId === userId && p.connectionId === connectionId);
      if (!mine) return;
      return { ...call, participants: call.participants.map((p) => (p === mine ? { ...p, disconnectedAt: this.clock() } : p)) };
    });
    if (!next) return;
    if (next.state === "active") {
      const others = next.participants.filter((p) => p.userId !== userId).map((p) => p.connectionId);
      await this.#toConnections(others, { type: "call:participant-reconnecting", callId: next.id, userId });
    }
    // A caller gone while ringing has nothing to come back to but the same call: cancel it.
    this.#timer(`grace:${next.id}:${userId}`, this.timings.graceMs, async () => {
      const now = await this.registry.get(next.id);
      if (now?.participants.find((p) => p.userId === userId)?.disconnectedAt == null) return;
      await this.#end(now.id, now.state === "ringing" ? "cancelled" : "disconnected", now.version);
    });
  }

  /**
   * Read-modify-write of the user's call, retried when another node or device changed it in
   * between. `change` returns the new record, or nothing to leave the call alone.
   */
  async #mutateUserCall(userId: string, change: (call: CallRecord) => CallRecord | undefined): Promise<CallRecord | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const call = await this.registry.ofUser(userId);
      const next = call && change(call);
      if (!next) return undefined;
      if (await this.registry.update(next)) return next;
    }
    throw new AppError("CONFLICT", "The call kept changing; try again");
  }

  async #end(callId: string, reason: CallEndReason, expectedVersion?: number): Promise<void> {
    const call = await this.registry.remove(callId, expectedVersion);
    if (!call) return;
    for (const key of [`ring:${callId}`, `grace:${callId}:${call.callerId}`, `grace:${callId}:${call.calleeId}`]) this.#clearTimer(key);
    await this.#toUsers([call.callerId, call.calleeId], { type: "call:ended", callId, reason });
    await this.messages.system(call.conversationId, await this.#logLine(call, reason));
  }

  async #logLine(call: CallRecord, reason: CallEndReason): Promise<string> {
    const kind = call.media.video ? "video call" : "voice call";
    if (call.acceptedAt === null) {
      if (reason === "rejected") return `Declined ${kind}`;
      const caller = await this.store.accounts.userById(call.callerId);
      return `Missed ${kind} from ${caller?.display_name ?? "someone"}`;
    }
    const secs = Math.round((this.clock() - call.acceptedAt) / 1000);
    const duration = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
    return `${kind[0]!.toUpperCase()}${kind.slice(1)} ended · ${duration}`;
  }

  /** Cancels timers; live calls die with the process. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
