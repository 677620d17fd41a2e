/**
 * Host actions: a room's host, or a space's owner and admins in its voice channels, may mute
 * someone, ask them to unmute, take them out (kept out until admitted again) or end the call
 * for everyone. Group DM and 1:1 calls have no host powers.
 */
import { AppError } from "../../shared/errors";
import type { CallEndReason, HostAction } from "../../shared/calls";
import { CallCore, type DeviceActor } from "./core";
import * as M from "./model";
import type { CallRecord } from "./registry";

export class HostedCalls extends CallCore {
  /** The call, if this socket is in it and its user may act as host there. */
  async #requireHost(actor: DeviceActor, callId: string): Promise<CallRecord> {
    const { call } = this.bound(actor, await this.registry.get(callId));
    const host =
      call.kind === "room"
        ? call.hostId === actor.userId
        : call.kind === "voice" && call.spaceId !== null && ["owner", "admin"].includes((await this.store.spaces.role(call.spaceId, actor.userId)) ?? "");
    if (!host) throw new AppError("FORBIDDEN", "Only the host can do that");
    return call;
  }

  async moderate(actor: DeviceActor, callId: string, action: HostAction, participantId: string): Promise<void> {
    const call = await this.#requireHost(actor, callId);
    const target = call.participants.find((p) => p.id === participantId);
    if (!target) throw new AppError("NOT_FOUND", "Nobody by that id is in this call");
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
    const call = await this.#requireHost(actor, callId);
    await this.end(call.id, "ended-by-host");
  }

  /** Ends a conversation's running call for everyone in it (a room was deleted). */
  async endIn(conversationId: string, reason: CallEndReason): Promise<void> {
    const call = await this.registry.ofConversation(conversationId);
    if (call) await this.end(call.id, reason);
  }
}
