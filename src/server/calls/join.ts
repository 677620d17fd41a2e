/**
 * Join-style calls (voice channels, rooms, a running group DM call): joining, starting one,
 * and the lobby — someone who may not walk in (a locked call, or removed earlier) knocks and
 * waits for a host. Guests join only their own room, and only while it allows guests.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { GUEST_SCOPE, type CallInfo, type CallMedia, type CallState, type Waiting } from "../../shared/calls";
import type { DeviceActor } from "./core";
import { HostedCalls } from "./host";
import * as M from "./model";
import type { CallRecord } from "./registry";

/** What answering or joining replies: the 1:1 view for DM calls (else the snapshot), and the snapshot. */
export interface Joined {
  call: CallInfo | CallState;
  state: CallState;
}

export function reply(call: CallRecord): Joined {
  const state = M.toState(call);
  return { call: M.toInfo(call) ?? state, state };
}


interface JoinScope {
  kind: "voice" | "room" | "group";
  spaceId: string | null;
  roomId: string | null;
  hostId: string | null;
  /** The room's lock, for the call it starts. */
  locked: boolean;
  /** The joiner may host here: they walk past the lock and hear knocks. */
  mayHost: boolean;
}

export class JoinedCalls extends HostedCalls {
  /** Sockets on this node knocking at a call's lobby (connection id → call id), to clean up when they close. */
  protected readonly waiting = new Map<string, string>();

  /** Where a join-style call lives: a voice channel, a room (anyone with the link, guests if allowed), a group DM. */
  protected async joinScope(actor: DeviceActor, conversationId: string): Promise<JoinScope> {
    const room = await this.store.rooms.byConversation(conversationId);
    if (actor.guest) {
      if (!room || room.id !== actor.guest.roomId || conversationId !== actor.guest.conversationId) throw new AppError("FORBIDDEN", GUEST_SCOPE);
      if (room.allow_guests !== 1) throw new AppError("FORBIDDEN", "The host does not allow guests in this room");
    }
    if (room) {
      if (!actor.guest) {
        await this.store.rooms.addMember(conversationId, actor.userId, new Date(this.clock()).toISOString());
        // The visitor's open sockets start getting the room's chat.
        await this.bus.publish({ type: "membership", userId: actor.userId, conversationId, joined: true });
      }
      return { kind: "room", spaceId: null, roomId: room.id, hostId: room.host_id, locked: room.locked === 1, mayHost: !actor.guest && room.host_id === actor.userId };
    }
    const conv = await this.conversations.requireMember(actor, conversationId);
    if (conv.kind === "channel" && conv.channel_kind === "voice") {
      const scope = { kind: "voice", spaceId: conv.space_id, roomId: null, hostId: null, locked: false } as const;
      return { ...scope, mayHost: await this.mayHost(scope, actor.userId) };
    }
    if (conv.kind === "group") return { kind: "group", spaceId: null, roomId: null, hostId: null, locked: false, mayHost: false };
    throw new AppError("FORBIDDEN", conv.kind === "dm" ? "Direct calls are rung: use call:invite" : "Only voice channels have calls");
  }

  /**
   * Joins a running group DM call, or a voice channel's or room's call (starting it if none
   * runs). Someone who may not walk in (a locked call, or removed earlier) knocks instead.
   */
  async join(actor: DeviceActor, conversationId: string, media?: CallMedia): Promise<Joined | Waiting> {
    const { mayHost, locked, ...scope } = await this.joinScope(actor, conversationId);
    const mine = await this.registry.ofUser(actor.userId);
    if (mine && mine.conversationId !== conversationId) throw new AppError("CONFLICT", "You are already in a call");
    const me = await this.person(actor, scope.hostId === actor.userId ? "host" : "member");
    const chosen = media ?? { audio: true, video: false };
    for (let attempt = 0; attempt < 8; attempt++) {
      const running = await this.registry.ofConversation(conversationId);
      if (!running) {
        if (scope.kind === "group") throw new AppError("NOT_FOUND", "No call is running here: start one with call:invite");
        if (locked && !mayHost) throw new AppError("CONFLICT", "This meeting is locked and has not started yet; try again once the host is in");
        const call = { ...M.start({ id: newId(), conversationId, ...scope, media: chosen, starter: me, invite: [] }, this.clock()), locked };
        const created = await this.registry.create(call);
        if (!created.ok && "busyUserId" in created) throw new AppError("CONFLICT", "You are already in a call");
        if (!created.ok) continue;
        await this.publish(call);
        return reply(call);
      }
      if (!M.mayEnter(running, me.id, mayHost)) {
        const waiting = await this.knock(running.id, me);
        if (waiting) return waiting;
        continue;
      }
      if (me.role === "guest" && running.participants.filter((p) => p.role === "guest").length >= this.timings.guestsPerRoom) {
        throw new AppError("LIMIT_REACHED", `This room holds at most ${this.timings.guestsPerRoom} guests`);
      }
      const next = await this.mutateCall(running.id, (c) => (M.mayEnter(c, me.id, mayHost) ? M.join(c, me, chosen, this.clock(), this.timings.meshMax) : undefined)).catch((err) => {
        if (err instanceof AppError && err.code === "BUSY") throw new AppError("CONFLICT", "You are already in a call");
        throw err;
      });
      if (!next) continue;
      this.timers.clear(`ring:${next.id}:${actor.userId}`);
      this.waiting.delete(actor.connectionId);
      await this.toConnections(this.others(next, actor.userId), { type: "call:participant-joined", callId: next.id, userId: actor.userId, participant: M.participantOf(next, actor.userId), version: next.version });
      await this.publish(next);
      return reply(next);
    }
    throw new AppError("CONFLICT", "The call kept changing; try again");
  }

  /** Puts the joiner in the lobby and tells the hosts; undefined if they may walk in after all. */
  protected async knock(callId: string, me: M.NewParticipant): Promise<Waiting | undefined> {
    const entry: M.Waiter = { id: me.id, name: me.name, since: this.clock(), connectionId: me.connectionId };
    const next = await this.mutateCall(callId, (c) => (M.mayEnter(c, me.id, false) ? undefined : M.knock(c, entry)));
    if (!next) return undefined;
    this.waiting.set(me.connectionId, callId);
    const waiter = M.toState(next).lobby.find((w) => w.id === me.id)!;
    await this.toConnections(await this.hostConnections(next), { type: "call:knock", callId, entry: waiter });
    await this.publish(next);
    return { call: null, state: null, waiting: true, callId, reason: next.banned.includes(me.id) ? "removed" : "locked" };
  }

  /** A waiter gives up: from call:leave, or their socket closed. */
  protected async unknock(callId: string, id: string, connectionId: string): Promise<boolean> {
    this.waiting.delete(connectionId);
    const next = await this.mutateCall(callId, (c) => M.unknock(c, id, connectionId));
    if (next) await this.publish(next);
    return next !== undefined;
  }
}
