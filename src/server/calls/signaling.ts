/**
 * Signaling relay: rtc:* frames go from a socket bound to a call to one other participant's
 * socket, with `from` stamped here. Both ends must be participants of the same call; anything
 * else is refused with FORBIDDEN and reaches no one. (SFU calls signal with sfu:* frames, which
 * check membership through `requireParticipant` the same way.)
 */
import { AppError } from "../../shared/errors";
import type { ClientFrame, ServerEvent } from "../../shared/protocol";
import type { Bus } from "../bus/bus";
import type { DeviceActor } from "./core";
import { bound, type Participant } from "./model";
import type { CallRecord, CallRegistry } from "./registry";

export type Signal = Extract<ClientFrame, { type: "rtc:offer" | "rtc:answer" | "rtc:ice" }>;

export class SignalingRelay {
  constructor(
    private readonly registry: CallRegistry,
    private readonly bus: Bus,
  ) {}

  /** The call and the actor's place in it, if this very socket is in the active call. */
  async requireParticipant(actor: DeviceActor, callId: string): Promise<{ call: CallRecord; me: Participant }> {
    return bound(await this.registry.get(callId), actor.userId, actor.connectionId);
  }

  async relay(actor: DeviceActor, signal: Signal): Promise<void> {
    const { call, me } = await this.requireParticipant(actor, signal.callId);
    const target = call.participants.find((p) => p.id === signal.to && p.id !== me.id);
    if (!target) throw new AppError("FORBIDDEN", call.topology === "sfu" ? "This call goes through the SFU: use sfu:* frames" : "That user is not in this call");
    const base = { callId: call.id, from: me.id, channel: signal.channel };
    const event: ServerEvent = signal.type === "rtc:ice" ? { type: "rtc:ice", ...base, candidate: signal.candidate } : { type: signal.type, ...base, sdp: signal.sdp };
    await this.bus.publish({ type: "deliver", to: { connections: [target.connectionId] }, event });
  }
}
