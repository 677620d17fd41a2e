/**
 * Calls in DMs and group DMs (rung), voice channels (joined): ringing, answering, joining,
 * leaving, the reconnect grace period and participant flags. Rings every device of each invitee,
 * lets the first accepting device win, keeps a call through a grace period when a participant's
 * socket drops. Only the call log (system messages) reaches the database.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import type { CallInfo, CallMedia, CallState } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import { toPublic } from "../social/users";
import type { ConversationRow } from "../store/store";
import type { DeviceActor } from "./core";
import { JoinedCalls, reply, type Joined } from "./join";
import * as M from "./model";
import type { CallRecord, Sweep } from "./registry";

export type { CallTimings, DeviceActor } from "./core";

export type { Joined } from "./join";

export class CallService extends JoinedCalls {

  async invite(actor: DeviceActor, conversationId: string, media: CallMedia): Promise<{ callId: string }> {
    const conv = await this.conversations.requireMember(actor, conversationId);
    if (conv.kind === "dm" && conv.dm_key) return this.#ringDm(actor, conv, media);
    if (conv.kind === "group") return this.#ringGroup(actor, conv, media);
    throw new AppError("FORBIDDEN", "Voice channels are joined, not rung: use call:join");
  }

  async #ringDm(actor: DeviceActor, conv: ConversationRow, media: CallMedia): Promise<{ callId: string }> {
    await this.conversations.assertWritable(conv, "You cannot call this user");
    const calleeId = conv.dm_key!.split(":").find((id) => id !== actor.userId)!;
    const call = M.start({ id: newId(), conversationId: conv.id, kind: "dm", media, starter: await this.person(actor, "member"), invite: [calleeId] }, this.clock());
    const created = await this.registry.create(call);
    if (!created.ok) {
      const busy = "busyUserId" in created ? created.busyUserId : (await this.registry.ofUser(actor.userId)) ? actor.userId : calleeId;
      if (busy === actor.userId) throw new AppError("CONFLICT", "You are already in a call");
      await this.toUsers([actor.userId], { type: "call:busy", conversationId: conv.id, userId: calleeId });
      throw new AppError("BUSY", "They are in another call");
    }
    const [caller, callee] = await Promise.all([this.store.accounts.userById(actor.userId), this.store.accounts.userById(calleeId)]);
    await this.toUsers([calleeId], { type: "call:incoming", callId: call.id, conversationId: conv.id, from: toPublic(caller!), media });
    await this.toUsers([actor.userId], { type: "call:ringing", callId: call.id, conversationId: conv.id, to: toPublic(callee!), media });
    this.#armRing(call, [calleeId]);
    return { callId: call.id };
  }

  async #ringGroup(actor: DeviceActor, conv: ConversationRow, media: CallMedia): Promise<{ callId: string }> {
    const starter = await this.person(actor, "host");
    let invite = (await this.store.chat.memberIds(conv.id)).filter((u) => u !== actor.userId);
    // Members already in a call are skipped; a race on one of them drops just that one and retries.
    const busy = await Promise.all(invite.map((u) => this.registry.ofUser(u)));
    invite = invite.filter((_, i) => !busy[i]);
    for (let attempt = 0; attempt < 8; attempt++) {
      const call = M.start({ id: newId(), conversationId: conv.id, kind: "group", media, starter, invite }, this.clock());
      const created = await this.registry.create(call);
      if (created.ok) {
        await this.#ring(actor, call, invite);
        return { callId: call.id };
      }
      if ("existingCallId" in created) throw new AppError("CONFLICT", "A call is already running here: join it", { callId: created.existingCallId });
      if (created.busyUserId === actor.userId) throw new AppError("CONFLICT", "You are already in a call");
      invite = invite.filter((u) => u !== created.busyUserId);
    }
    throw new AppError("CONFLICT", "The call kept changing; try again");
  }

  /** Rings `userIds` (already in `call.invited`): every device of each, with the snapshot. */
  async #ring(actor: Actor, call: CallRecord, userIds: string[]): Promise<void> {
    const from = toPublic((await this.store.accounts.userById(actor.userId))!);
    const state = M.toState(call);
    await this.toUsers(userIds, { type: "call:incoming", callId: call.id, conversationId: call.conversationId, from, media: call.media, kind: call.kind, call: state });
    await this.toConnections(this.others(call), { type: "call:state", call: state });
    this.#armRing(call, userIds);
  }

  /**
   * Each invitee's ring times out on its own, ringMs after it began (re-armed on resume, and swept
   * by sweepRings, as the node that armed it may be gone); a re-ring (new rungAt) outlives an old timer.
   */
  #armRing(call: CallRecord, userIds: string[]) {
    for (const userId of userIds) {
      const rungAt = call.invited.find((i) => i.userId === userId)?.rungAt;
      if (rungAt === undefined) continue;
      this.timers.set(`ring:${call.id}:${userId}`, Math.max(0, rungAt + this.timings.ringMs - this.clock()), () => this.#ringOver(call.id, userId, rungAt));
    }
  }

  /** The ring of `userId` that began at `rungAt` is over: unless answered, declined or rung again, it times out. */
  async #ringOver(callId: string, userId: string, rungAt: number): Promise<void> {
    const next = await this.mutateCall(callId, (c) => (c.invited.find((i) => i.userId === userId)?.rungAt === rungAt ? M.uninvite(c, userId) : undefined));
    if (next && !(await this.endIfOver(next, "timeout", [userId]))) await this.publish(next);
  }

  /**
   * Rings more people into a running call; in a DM call, moves it to a new group DM first (the
   * adder's friends only, the group's cap). Only a participant's own socket may add; in a group
   * DM call only its members can be rung again.
   */
  async add(actor: DeviceActor, callId: string, userIds: string[]): Promise<{ call: CallState }> {
    const { call } = this.bound(actor, await this.registry.get(callId));
    const present = new Set(M.members(call));
    const wanted = [...new Set(userIds)].filter((u) => !present.has(u));
    if (!wanted.length) throw new AppError("VALIDATION_ERROR", "Everyone named is already in this call or being rung");
    let conversationId = call.conversationId;
    if (call.kind === "dm") {
      // Refused before the group exists: a busy person would leave an empty group behind.
      const busy = (await Promise.all(wanted.map((u) => this.registry.ofUser(u)))).findIndex((c) => c !== undefined);
      if (busy >= 0) throw new AppError("BUSY", "They are in another call", { userId: wanted[busy] });
      const partner = call.participants.find((p) => p.id !== actor.userId)!.id;
      conversationId = (await this.conversations.createGroup(actor, { memberIds: [partner, ...wanted] })).id;
    } else if (call.kind === "group") {
      const members = new Set(await this.store.chat.memberIds(call.conversationId));
      const outsiders = wanted.filter((u) => !members.has(u));
      if (outsiders.length) throw new AppError("FORBIDDEN", "Only members of this group can be added to its call", { userIds: outsiders });
    } else throw new AppError("FORBIDDEN", "People join this call by themselves");
    const next = (await this.mutateCall(callId, (c) => M.invite({ ...c, conversationId, kind: "group" }, wanted, this.clock())))!;
    await this.#ring(actor, next, wanted.filter((u) => next.invited.some((i) => i.userId === u)));
    // A DM call just became the group's: its members not in it get the "Join" cue.
    await this.presence(next, next.participants);
    return { call: M.toState(next) };
  }

  #requireInvolved(actor: Actor, call: CallRecord | undefined): CallRecord {
    if (!call || !M.members(call).includes(actor.userId)) throw new AppError("NOT_FOUND", "No such call");
    return call;
  }

  async accept(actor: DeviceActor, callId: string): Promise<Joined> {
    const call = this.#requireInvolved(actor, await this.registry.get(callId));
    if (!call.invited.some((i) => i.userId === actor.userId)) {
      if (call.kind === "dm" && call.hostId === actor.userId) throw new AppError("FORBIDDEN", "Only the callee can accept");
      throw new AppError("CONFLICT", "This call was already answered");
    }
    const me = await this.person(actor, "member");
    const next = (await this.mutateCall(callId, (c) => M.join(c, me, c.media, this.clock(), this.timings.meshMax)))!;
    this.timers.clear(`ring:${callId}:${actor.userId}`);
    if (call.kind === "dm") await this.toUsers([call.hostId!], { type: "call:accepted", callId, by: actor.userId });
    else await this.toConnections(this.others(next, actor.userId), { type: "call:participant-joined", callId, userId: actor.userId, participant: M.participantOf(next, actor.userId), version: next.version });
    // Every other device of the callee stops ringing.
    await this.bus.publish({ type: "deliver", to: { users: [actor.userId], exceptConnection: actor.connectionId }, event: { type: "call:answered-elsewhere", callId } });
    await this.publish(next);
    return reply(next);
  }

  async reject(actor: DeviceActor, callId: string): Promise<void> {
    const call = this.#requireInvolved(actor, await this.registry.get(callId));
    if (!call.invited.some((i) => i.userId === actor.userId) || (call.kind === "dm" && call.state !== "ringing")) {
      throw new AppError("CONFLICT", "Only a ringing call can be declined");
    }
    const next = await this.mutateCall(callId, (c) => (c.invited.some((i) => i.userId === actor.userId) ? M.uninvite(c, actor.userId) : undefined));
    if (!next) return;
    this.timers.clear(`ring:${callId}:${actor.userId}`);
    const rejected = { type: "call:rejected", callId, by: actor.userId } as const;
    if (call.kind === "dm") await this.toUsers([call.hostId!], { type: "call:rejected", callId });
    else await this.toConnections(this.others(next), rejected);
    await this.bus.publish({ type: "deliver", to: { users: [actor.userId], exceptConnection: actor.connectionId }, event: { type: "call:answered-elsewhere", callId } });
    if (!(await this.endIfOver(next, "declined", [actor.userId]))) await this.publish(next);
  }

  async cancel(actor: DeviceActor, callId: string): Promise<void> {
    const call = this.#requireInvolved(actor, await this.registry.get(callId));
    if (call.hostId !== actor.userId || call.state !== "ringing") throw new AppError("CONFLICT", "Only a ringing call can be cancelled");
    await this.end(callId, "cancelled");
  }

  /**
   * While it rings, ending is cancelling (caller, any device) or declining (callee, any device).
   * Once active, only the socket bound to the call may hang up: another device of the same
   * user is not in the call and gets FORBIDDEN. In a group call, ending is leaving.
   */
  async hangUp(actor: DeviceActor, callId: string): Promise<void> {
    const call = this.#requireInvolved(actor, await this.registry.get(callId));
    if (call.invited.some((i) => i.userId === actor.userId)) return this.reject(actor, callId);
    if (call.state === "ringing" && call.hostId === actor.userId) return this.cancel(actor, callId);
    return this.leave(actor, callId);
  }

  /** How many people are in a conversation's call now (room previews). */
  async liveIn(conversationId: string): Promise<number> {
    return (await this.registry.ofConversation(conversationId))?.participants.length ?? 0;
  }

  /** Leaves (a DM call ends for both), or stops knocking. Only the socket bound to the call (or knocking) may. */
  async leave(actor: DeviceActor, callId: string): Promise<void> {
    const current = await this.registry.get(callId);
    if (current?.lobby.some((w) => w.id === actor.userId && w.connectionId === actor.connectionId)) return void (await this.unknock(callId, actor.userId, actor.connectionId));
    const { call, me } = this.bound(actor, current);
    if (call.kind === "dm") return this.end(callId, "hangup");
    const next = (await this.mutateCall(callId, (c) => (c.participants.some((p) => p.id === me.id) ? M.leave(c, me.id) : undefined)))!;
    if (!next) return;
    this.timers.clear(`grace:${callId}:${me.id}`);
    if (await this.endIfOver(next, "left", [actor.userId])) return;
    await this.toConnections(this.others(next), { type: "call:participant-left", callId, userId: me.id, reason: "left", version: next.version });
    await this.publish(next);
  }

  /** The user's live call, if any (for hello): the 1:1 view and the snapshot. */
  async current(actor: Actor): Promise<{ call: CallInfo | null; callState: CallState | null }> {
    const call = await this.registry.ofUser(actor.userId);
    return { call: (call && M.toInfo(call)) ?? null, callState: call ? M.toState(call) : null };
  }

  /** After a reconnect or page reload: the user's live call, re-bound to this socket. */
  async resume(actor: DeviceActor): Promise<{ call: CallInfo | null; state: CallState | null }> {
    let wasAway = false;
    let ringing: CallRecord | undefined;
    const next = await this.mutate(
      () => this.registry.ofUser(actor.userId),
      (call) => {
        const mine = call.participants.find((p) => p.id === actor.userId);
        // Still ringing for this user: show the incoming call again, changing nothing.
        if (!mine) return void (ringing = call);
        wasAway = mine.disconnectedAt !== null || mine.connectionId !== actor.connectionId;
        // Only the same sign-in (the reloaded tab) may take the call back, not another device.
        return M.rebind(call, actor.userId, actor.sessionId, actor.connectionId);
      },
    );
    if (ringing) {
      this.#armRing(ringing, [actor.userId]);
      return this.#resumed(ringing);
    }
    if (!next) return { call: null, state: null };
    this.timers.clear(`grace:${next.id}:${actor.userId}`);
    this.#armRing(next, next.invited.map((i) => i.userId));
    if (wasAway) {
      await this.toConnections(this.others(next, actor.userId), { type: "call:participant-joined", callId: next.id, userId: actor.userId, participant: M.participantOf(next, actor.userId), version: next.version });
      await this.publish(next);
    }
    return this.#resumed(next);
  }

  /** A reloaded 1:1 client reads `call` as its call: only DM calls fill it. */
  #resumed(call: CallRecord) {
    return { call: M.toInfo(call) ?? null, state: M.toState(call) };
  }

  /** The 1:1 media frame: relayed as is, and folded into the participant's flags. */
  async setMedia(actor: DeviceActor, callId: string, media: { audio: boolean; video: boolean; screen: boolean }): Promise<void> {
    const { me } = this.bound(actor, await this.registry.get(callId));
    const next = await this.mutateCall(callId, (c) => M.setFlags(c, me.id, { muted: !media.audio, video: media.video, screen: media.screen }));
    await this.toConnections(this.others(next!, me.id), { type: "call:media", callId, userId: me.id, ...media });
    await this.publish(next!);
  }

  async update(actor: DeviceActor, callId: string, flags: M.Flags): Promise<void> {
    const { me } = this.bound(actor, await this.registry.get(callId));
    const next = (await this.mutateCall(callId, (c) => M.setFlags(c, me.id, flags)))!;
    await this.toConnections(this.others(next, me.id), { type: "call:participant-updated", callId, participant: M.participantOf(next, me.id)!, version: next.version });
    await this.publish(next);
  }

  async react(actor: DeviceActor, callId: string, emoji: string): Promise<void> {
    const { call, me } = this.bound(actor, await this.registry.get(callId));
    await this.toConnections(this.others(call), { type: "call:reaction", callId, from: me.id, emoji });
  }

  /** A socket closed: if it carried a call, hold the call for the grace period; if it knocked, it leaves the lobby. */
  async handleDisconnect(userId: string, connectionId: string): Promise<void> {
    const knockedAt = this.waiting.get(connectionId);
    if (knockedAt) await this.unknock(knockedAt, userId, connectionId);
    const next = await this.mutate(
      () => this.registry.ofUser(userId),
      (call) => M.markAway(call, userId, connectionId, this.clock()),
    );
    if (!next) return;
    if (next.state === "active") {
      await this.toConnections(this.others(next, userId), { type: "call:participant-reconnecting", callId: next.id, userId });
      await this.publish(next);
    }
    this.timers.set(`grace:${next.id}:${userId}`, this.timings.graceMs, () => this.#graceOver(next.id, userId));
  }

  /** The grace period of `userId` in this call is over: if still away, they leave (a DM call ends). */
  async #graceOver(callId: string, userId: string): Promise<void> {
    const now = await this.registry.get(callId);
    if (now?.participants.find((p) => p.id === userId)?.disconnectedAt == null) return;
    // A caller gone while ringing has nothing to come back to but the same call: cancel it.
    if (now.kind === "dm" || now.state === "ringing") return this.end(now.id, now.state === "ringing" ? "cancelled" : "disconnected", now.version);
    const left = await this.mutateCall(now.id, (c) => (c.participants.find((p) => p.id === userId)?.disconnectedAt != null ? M.leave(c, userId) : undefined));
    if (!left || (await this.endIfOver(left, "disconnected", [userId]))) return;
    await this.toConnections(this.others(left), { type: "call:participant-left", callId: left.id, userId, reason: "disconnected", version: left.version });
    await this.publish(left);
  }

  /**
   * Ends the grace periods whose timer is gone: armed on a node that then stopped or died (a
   * SIGTERM drain closes sockets, so it arms them just before exiting). Every node runs this every
   * few seconds; each overdue call is claimed, so one node acts on it. Overdue means away for the
   * grace period plus `slackMs`, which leaves a live timer the first go.
   */
  async sweepAway(slackMs: number): Promise<void> {
    const due = this.clock() - this.timings.graceMs - slackMs;
    await this.#sweep(this.registry.awayBefore(due, SWEEP_BATCH), "grace", async (call) => {
      for (const p of call.participants) if (p.disconnectedAt !== null && p.disconnectedAt <= due) await this.#graceOver(call.id, p.id);
    });
  }

  /**
   * Times out the rings whose timer is gone, as sweepAway does grace periods: a ring is armed by
   * the node that rang, and when that node dies with nobody away to resume (and re-arm it) on a
   * live node, the callee's phone would ring until the call's TTL.
   */
  async sweepRings(slackMs: number): Promise<void> {
    const due = this.clock() - this.timings.ringMs - slackMs;
    await this.#sweep(this.registry.rungBefore(due, SWEEP_BATCH), "ring", async (call) => {
      for (const i of call.invited) if (i.rungAt <= due) await this.#ringOver(call.id, i.userId, i.rungAt);
    });
  }

  /** Acts on each listed call that this node claims, as it is now. */
  async #sweep(listed: Promise<string[]>, sweep: Sweep, act: (call: CallRecord) => Promise<void>): Promise<void> {
    for (const callId of await listed) {
      if (!(await this.registry.claimSweep(callId, sweep, SWEEP_CLAIM_MS))) continue;
      const call = await this.registry.get(callId);
      if (call) await act(call);
    }
  }
}

/** Calls one sweep looks at; more wait for the next. */
const SWEEP_BATCH = 100;
/** Long enough for one sweep to act on a call; if it failed, a node tries again after this. */
const SWEEP_CLAIM_MS = 10_000;

