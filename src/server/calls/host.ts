/**
 * Host powers: a room's host, or a space's owner and admins in its voice channels, may mute
 * someone, ask them to unmute, take them out (kept out until admitted again), end the call for
 * everyone, lock it, and let lobby waiters in or turn them away. In voice channels the space's
 * ranks apply: an admin cannot act on the owner or another admin. Group DM and 1:1 calls have
 * no host powers.
 */
import { AppError } from "../../shared/errors";
import type { CallEndReason, HostAction } from "../../shared/calls";
import { mayModerate, type SpaceRole } from "../../shared/permissions";
import { CallCore, type DeviceActor } from "./core";
import * as M from "./model";
import type { CallRecord } from "./registry";

export class HostedCalls extends CallCore {
  /** Whether the user may act as host in this call (or, before it runs, in this room / voice channel). */
  protected async mayHost(call: Pick<CallRecord, "kind" | "hostId" | "spaceId">, userId: string | null): Promise<boolean> {
    if (userId === null) return false;
    if (call.kind === "room") return call.hostId === userId;
    return call.kind === "voice" && call.spaceId !== null && ["owner", "admin"].includes((await this.store.spaces.role(call.spaceId, userId)) ?? "");
  }

  /** The call, if this socket is in it and its user may act as host there, with their space role (voice). */
  async #requireHost(actor: DeviceActor, callId: string): Promise<{ call: CallRecord; role: SpaceRole | undefined }> {
    const { call } = this.bound(actor, await this.registry.get(callId));
    if (actor.guest || !(await this.mayHost(call, actor.userId))) throw new AppError("FORBIDDEN", "Only the host can do that");
    return { call, role: call.spaceId ? await this.store.spaces.role(call.spaceId, actor.userId) : undefined };
  }

  /** The sockets of everyone in the call who may host it: they hear knocks. */
  protected async hostConnections(call: CallRecord): Promise<string[]> {
    const hosts = await Promise.all(call.participants.map((p) => this.mayHost(call, p.userId)));
    return call.participants.filter((_, i) => hosts[i]).map((p) => p.connectionId);
  }

  async moderate(actor: DeviceActor, callId: string, action: HostAction, participantId: string): Promise<void> {
    const { call, role } = await this.#requireHost(actor, callId);
    const target = call.participants.find((p) => p.id === participantId);
    if (!target) throw new AppError("NOT_FOUND", "Nobody by that id is in this call");
    if (call.kind === "voice" && target.id !== actor.userId) {
      const theirs = target.userId ? await this.store.spaces.role(call.spaceId!, target.userId) : undefined;
      if (!mayModerate(role, "kick", theirs)) throw new AppError("FORBIDDEN", "You can only act on members below your role");
    }
    const told = { type: "call:moderated", callId, action, by: actor.userId } as const;
    if (action === "ask-unmute") return this.toConnections([target.connectionId], told);
    const next = await this.mutateCall(callId, (c) => (action === "mute" ? M.setFlags(c, participantId, { muted: true }) : M.remove(c, participantId)));
    await this.toConnections([target.connectionId], told);
    if (action === "mute") {
      await this.toConnections(this.others(next!, participantId), { type: "call:participant-updated", callId, participant: M.participantOf(next!, participantId)!, version: next!.version });
    } else {
      this.timers.clear(`grace:${callId}:${participantId}`);
      if (await this.endIfOver(next!, "left")) return;
      await this.toConnections(this.others(next!), { type: "call:participant-left", callId, userId: participantId, reason: "removed", version: next!.version });
    }
    await this.publish(next!);
  }

  async endForAll(actor: DeviceActor, callId: string): Promise<void> {
    const { call } = await this.#requireHost(actor, callId);
    await this.end(call.id, "ended-by-host");
  }

  /** Ends a conversation's running call for everyone in it (a room was deleted). */
  async endIn(conversationId: string, reason: CallEndReason): Promise<void> {
    const call = await this.registry.ofConversation(conversationId);
    if (call) await this.end(call.id, reason);
  }

  /** Locks or unlocks the call; a room keeps the setting for its next calls too. */
  async lock(actor: DeviceActor, callId: string, locked: boolean): Promise<{ call: ReturnType<typeof M.toState> }> {
    const { call } = await this.#requireHost(actor, callId);
    if (call.roomId) await this.store.rooms.setLocked(call.roomId, locked);
    const next = (await this.mutateCall(callId, (c) => M.setLocked(c, locked)))!;
    await this.publish(next);
    return { call: M.toState(next) };
  }

  /** A room's settings changed over REST: its running call (if any) follows the lock. */
  async lockConversation(conversationId: string, locked: boolean): Promise<void> {
    const running = await this.registry.ofConversation(conversationId);
    if (!running || running.locked === locked) return;
    const next = await this.mutateCall(running.id, (c) => M.setLocked(c, locked));
    if (next) await this.publish(next);
  }

  /** Lets a waiter in (or lifts a removal): they hear `call:admitted` and join with call:join. */
  admit(actor: DeviceActor, callId: string, participantId: string): Promise<void> {
    return this.#answerKnock(actor, callId, participantId, M.admit, "call:admitted");
  }

  deny(actor: DeviceActor, callId: string, participantId: string): Promise<void> {
    return this.#answerKnock(actor, callId, participantId, M.deny, "call:denied");
  }

  async #answerKnock(actor: DeviceActor, callId: string, id: string, change: (c: CallRecord, id: string) => CallRecord, answer: "call:admitted" | "call:denied"): Promise<void> {
    await this.#requireHost(actor, callId);
    let waiter: M.Waiter | undefined;
    const next = (await this.mutateCall(callId, (c) => {
      waiter = c.lobby.find((w) => w.id === id);
      return change(c, id);
    }))!;
    if (waiter) await this.toConnections([waiter.connectionId], { type: answer, callId });
    await this.publish(next);
  }
}
