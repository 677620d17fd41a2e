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
    this.#timer(`ring:${call.id}`, this.timings.ringMs, () => this.#end(call.id, "timeout"));
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
    if (!(await this.registry.update(next, "ringing"))) throw new AppError("CONFLICT", "This call was already answered");
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

  async hangUp(actor: DeviceActor, callId: string): Promise<void> {
    await this.#requireCall(actor, callId);
    await this.#end(callId, "hangup");
  }

  /** The user's live call, if any (for hello). */
  async current(actor: Actor): Promise<CallInfo | null> {
    const call = await this.registry.ofUser(actor.userId);
    return call ? this.info(call) : null;
  }

  /** After a reconnect or page reload: the user's live call, re-bound to this socket. */
  async resume(actor: DeviceActor): Promise<{ call: CallInfo | null }> {
    const call = await this.registry.ofUser(actor.userId);
    if (!call) return { call: null };
    const mine = call.participants.find((p) => p.userId === actor.userId);
    if (!mine) {
      // Still ringing for this user: show the incoming call again.
      return { call: this.info(call) };
    }
    // Only the same sign-in (the reloaded tab) may take the call back, not another device.
    if (mine.sessionId !== actor.sessionId) return { call: null };
    const wasAway = mine.disconnectedAt !== null || mine.connectionId !== actor.connectionId;
    const next: CallRecord = {
      ...call,
      participants: call.participants.map((p): Participant => (p === mine ? { ...p, connectionId: actor.connectionId, disconnectedAt: null } : p)),
    };
    if (!(await this.registry.update(next, call.state))) return { call: null };
    this.#clearTimer(`grace:${call.id}:${actor.userId}`);
    if (wasAway) {
      const others = next.participants.filter((p) => p.userId !== actor.userId).map((p) => p.connectionId);
      await this.#toConnections(others, { type: "call:participant-joined", callId: call.id, userId: actor.userId });
    }
    return { call: this.info(next) };
  }

  async setMedia(actor: DeviceActor, callId: string, media: { audio: boolean; video: boolean; screen: boolean }): Promise<void> {
    const call = await this.#requireParticipant(actor, callId);
    const others = call.participants.filter((p) => p.userId !== actor.userId).map((p) => p.connectionId);
    await this.#toConnections(others, { type: "call:media", callId, userId: actor.userId, ...media });
  }

  async #requireParticipant(actor: DeviceActor, callId: string): Promise<CallRecord> {
    const call = await this.registry.get(callId);
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
    const call = await this.registry.ofUser(userId);
    const mine = call?.participants.find((p) => p.userId === userId && p.connectionId === connectionId);
    if (!call || !mine) return;
    if (call.state === "ringing") {
      // The caller's device went away while ringing: nothing to resume into.
      this.#timer(`grace:${call.id}:${userId}`, this.timings.graceMs, () => this.#end(call.id, "cancelled"));
      return;
    }
    const next: CallRecord = { ...call, participants: call.participants.map((p) => (p === mine ? { ...p, disconnectedAt: this.clock() } : p)) };
    if (!(await this.registry.update(next, call.state))) return;
    const others = next.participants.filter((p) => p.userId !== userId).map((p) => p.connectionId);
    await this.#toConnections(others, { type: "call:participant-reconnecting", callId: call.id, userId });
    this.#timer(`grace:${call.id}:${userId}`, this.timings.graceMs, async () => {
      const now = await this.registry.get(call.id);
      if (now?.participants.find((p) => p.userId === userId)?.disconnectedAt != null) await this.#end(call.id, "disconnected");
    });
  }

  async #end(callId: string, reason: CallEndReason): Promise<void> {
    const call = await this.registry.remove(callId);
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
