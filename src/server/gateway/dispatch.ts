/** Frame type → service call. Thin: every handler is one service call with the socket's actor. */
import type { CallService, DeviceActor } from "../calls/service";
import type { GuestScope } from "../calls/core";
import type { GuestHello } from "../../shared/calls";
import type { SignalingRelay } from "../calls/signaling";
import type { SfuPlacement } from "../sfu/placement";
import type { ClientFrame, ClientFrameType, Message } from "../../shared/protocol";
import { SerializedReply, type HelloService } from "../hello/service";
import { messageJson } from "../bus/wire";
import type { MessageService } from "../chat/messages";
import type { PresenceService } from "../social/presence";
import type { Membership } from "../cluster/membership";

export interface Services {
  hello: HelloService;
  presence: PresenceService;
  messages: MessageService;
  calls: CallService;
  signaling: SignalingRelay;
  sfu: Pick<SfuPlacement, "signal" | "refused">;
  membership: Membership;
}

/** A send's ack carries the message as the text its `message:new` was sent as (bus/wire.ts). */
const sent = (message: Message) => new SerializedReply(null, `"message":${messageJson(message)}`);

type Handler<K extends ClientFrameType> = (actor: DeviceActor, frame: Extract<ClientFrame, { type: K }>) => Promise<object | void>;

export function handlers(s: Services): { [K in ClientFrameType]: Handler<K> } {
  return {
    hello: (actor) => s.hello.hello(actor),
    "presence:heartbeat": (actor) => s.presence.handleHeartbeat(actor.userId, actor.connectionId),
    "presence:set": (actor, f) => s.presence.handleSet(actor.userId, f.status),
    "message:send": async (actor, f) =>
      sent(await s.messages.send(actor, { conversationId: f.conversationId, clientId: f.clientId, content: f.content, replyToId: f.replyToId, threadId: f.threadId, attachmentIds: f.attachmentIds })),
    "thread:read": (actor, f) => s.messages.threads.markRead(actor, f.threadId, f.messageId),
    "message:edit": async (actor, f) => ({ message: await s.messages.edit(actor, f.messageId, f.content) }),
    "message:delete": (actor, f) => s.messages.remove(actor, f.messageId),
    "reaction:add": (actor, f) => s.messages.reactions.add(actor, f.messageId, f.emoji),
    "reaction:remove": (actor, f) => s.messages.reactions.remove(actor, f.messageId, f.emoji),
    "typing:start": (actor, f) => s.messages.typing(actor, f.conversationId, true),
    "typing:stop": (actor, f) => s.messages.typing(actor, f.conversationId, false),
    "read:mark": (actor, f) => s.messages.markRead(actor, f.conversationId, f.messageId),
    sync: (actor, f) => s.messages.sync(actor, f.conversationId, f.after, f.limit),
    "call:invite": (actor, f) => s.calls.invite(actor, f.conversationId, f.media),
    "call:accept": (actor, f) => s.calls.accept(actor, f.callId),
    "call:reject": (actor, f) => s.calls.reject(actor, f.callId),
    "call:cancel": (actor, f) => s.calls.cancel(actor, f.callId),
    "call:end": (actor, f) => s.calls.hangUp(actor, f.callId),
    "call:resume": (actor) => s.calls.resume(actor),
    "call:media": (actor, f) => s.calls.setMedia(actor, f.callId, { audio: f.audio, video: f.video, screen: f.screen }),
    "call:add": (actor, f) => s.calls.add(actor, f.callId, f.userIds),
    "call:join": (actor, f) => s.calls.join(actor, f.conversationId, f.media),
    "call:leave": (actor, f) => s.calls.leave(actor, f.callId),
    "call:update": (actor, { callId, muted, video, screen, handRaised, speaking }) => s.calls.update(actor, callId, { muted, video, screen, handRaised, speaking }),
    "call:react": (actor, f) => s.calls.react(actor, f.callId, f.emoji),
    "call:host": (actor, f) => s.calls.moderate(actor, f.callId, f.action, f.participantId),
    "call:end-all": (actor, f) => s.calls.endForAll(actor, f.callId),
    "call:lock": (actor, f) => s.calls.lock(actor, f.callId, f.locked),
    "call:admit": (actor, f) => s.calls.admit(actor, f.callId, f.participantId),
    "call:deny": (actor, f) => s.calls.deny(actor, f.callId, f.participantId),
    "rtc:offer": (actor, f) => s.signaling.relay(actor, f),
    "rtc:answer": (actor, f) => s.signaling.relay(actor, f),
    "rtc:ice": (actor, f) => s.signaling.relay(actor, f),
    "sfu:signal": async (actor, f) => {
      try {
        const { call, me } = await s.signaling.requireParticipant(actor, f.callId);
        await s.sfu.signal(call, me.id, f.signal);
      } catch (err) {
        s.sfu.refused(err, { callId: f.callId, userId: actor.userId, kind: f.signal.kind });
        throw err;
      }
    },
  };
}

/** A guest socket's actor: always scoped (the gateway builds it from the guest token). */
export type GuestActor = DeviceActor & { guest: GuestScope; exp: number };

/**
 * What a guest socket may send: their room's call (its frames check that the socket is in it)
 * and their room's chat. Frames missing here are refused with FORBIDDEN (GUEST_SCOPE).
 */
export function guestHandlers(s: Services, all: ReturnType<typeof handlers>): Partial<{ [K in ClientFrameType]: (actor: GuestActor, frame: Extract<ClientFrame, { type: K }>) => Promise<object | void> }> {
  const author = (a: GuestActor) => ({ id: a.userId, name: a.guest.name, conversationId: a.guest.conversationId });
  return {
    hello: async (actor): Promise<GuestHello> => ({
      guest: { id: actor.userId, name: actor.guest.name, roomId: actor.guest.roomId, conversationId: actor.guest.conversationId, expiresAt: new Date(actor.exp * 1000).toISOString() },
      callState: (await s.calls.current(actor)).callState,
    }),
    "presence:heartbeat": async () => {},
    "message:send": async (actor, f) => sent(await s.messages.sendAsGuest(author(actor), f)),
    sync: (actor, f) => s.messages.guestSync(author(actor), f.conversationId, f.after, f.limit),
    "call:join": all["call:join"],
    "call:leave": all["call:leave"],
    "call:end": all["call:end"],
    "call:resume": all["call:resume"],
    "call:media": all["call:media"],
    "call:update": all["call:update"],
    "call:react": all["call:react"],
    "rtc:offer": all["rtc:offer"],
    "rtc:answer": all["rtc:answer"],
    "rtc:ice": all["rtc:ice"],
    "sfu:signal": all["sfu:signal"],
  };
}
