/**
 * Server events and hello → the call store and engine. A page that was reloaded (or a socket
 * that came back) mid-call resumes with call:resume and both sides negotiate afresh.
 */
import type { CallEndReason, CallInfo, CallKind, CallState as CallSnapshot, HelloResult, PublicUser, ServerEvent } from "../../shared/protocol";
import { prefetchIceConfig } from "../rtc/ice-config";
import { startRingtone } from "../rtc/ringtone";
import type { ParleySocket } from "../socket";
import { finishCall, showCallNotification } from "./callActions";
import { bindSocket, currentCall, handleSfuSignal, holdSignal, openCall, politeRule, tabCallId, moveToSfu } from "./callController";
import { applyReaction, applySnapshot, applySpeaker, enterGroupCall } from "./callSnapshot";
import { IDLE, inCall, useCall } from "./callStore";
import { applyLiveCall, liveCallEnded, setLiveCalls } from "./liveCalls";
import { useChat } from "./chat";
import { useSession } from "./session";
import { useUi } from "./ui";
import { onDenied, onModerated } from "./callHost";
import { onAdmitted } from "./groupCall";

type CallEvent = Extract<ServerEvent, { type: `call:${string}` | `rtc:${string}` | `sfu:${string}` }>;

/** Events of the call engine (call:*, rtc:*, sfu:*), as opposed to chat and presence. */
export function isCallEvent(e: ServerEvent): boolean {
  return e.type.startsWith("call:") || e.type.startsWith("rtc:") || e.type.startsWith("sfu:");
}

function ring(callId: string, conversationId: string, from: PublicUser, media: CallInfo["media"], callKind: CallKind = "dm"): void {
  useCall.setState({ ...IDLE, phase: "incoming", direction: "incoming", callId, conversationId, peer: from, media, callKind });
  startRingtone("incoming");
  // Ready (cached) by the time they accept.
  prefetchIceConfig();
  showCallNotification(from, media.video);
}

/** Our call placed from another device of ours: shown here, with Cancel, until answered or ended. */
function showElsewhere(callId: string, conversationId: string, to: PublicUser, media: CallInfo["media"]): void {
  const s = useCall.getState();
  // Never over a call of this device, nor over a recording still waiting to be downloaded.
  const free = s.phase === "idle" || s.phase === "elsewhere" || (s.phase === "ended" && !s.ended?.recording);
  if (!free) return;
  useCall.setState({ ...IDLE, phase: "elsewhere", direction: "outgoing", callId, conversationId, peer: to, media });
}

/** A member's display name in the call's conversation. */
function memberName(conversationId: string | null, userId: string): string {
  const conv = useChat.getState().conversations[conversationId ?? ""];
  return conv?.members.find((m) => m.id === userId)?.displayName ?? "Someone";
}

function endMessage(reason: CallEndReason, name: string, outgoing: boolean): string {
  switch (reason) {
    case "timeout":
      return outgoing ? `${name} didn't answer` : `Missed call from ${name}`;
    case "rejected":
      return `${name} declined the call`;
    case "cancelled":
      return outgoing ? "Call cancelled" : `Missed call from ${name}`;
    case "disconnected":
      return "Call ended · connection lost";
    case "hangup":
    case "empty":
      return "Call ended";
    case "ended-by-host":
      return "The host ended the call";
    case "room-deleted":
      return "The meeting was deleted";
  }
}

export function handleCallEvent(e: ServerEvent): void {
  if (!isCallEvent(e)) return;
  const ev = e as CallEvent;
  const s = useCall.getState();
  const current = "callId" in ev && ev.callId === s.callId;
  const call = currentCall();
  switch (ev.type) {
    case "call:incoming":
      if (!inCall(s)) ring(ev.callId, ev.conversationId, ev.from, ev.media, ev.kind);
      return;
    case "call:ringing":
      // Our own invite (its reply has not arrived yet), or one from another device of ours.
      if (s.phase === "outgoing" && s.conversationId === ev.conversationId && (!s.callId || current)) {
        useCall.setState({ callId: ev.callId, peer: ev.to });
      } else showElsewhere(ev.callId, ev.conversationId, ev.to, ev.media);
      return;
    case "call:accepted":
      // Answered on the device that called: the others just let go (as Discord does).
      if (current && s.phase === "elsewhere") void finishCall(null);
      else if (current && s.phase === "outgoing") {
        // The offer first (made while it rang), then the view.
        if (s.peer) call?.connect([s.peer.id]);
        useCall.setState({ phase: "active", acceptedAt: Date.now() });
      }
      return;
    case "call:answered-elsewhere":
      if (current && s.phase === "incoming") void finishCall("answered-elsewhere", "Answered on another device");
      return;
    case "call:rejected":
      if (current && s.phase === "outgoing") void finishCall("rejected", endMessage("rejected", s.peer?.displayName ?? "They", true));
      // In a group call the others go on: they only hear who said no.
      else if (current && s.phase === "active" && ev.by) useUi.getState().toast(`${memberName(s.conversationId, ev.by)} declined the call`, "info");
      return;
    case "call:busy":
      if (s.phase === "outgoing" && s.conversationId === ev.conversationId) void finishCall("busy", "They're in another call");
      return;
    case "call:live":
      applyLiveCall(ev);
      return;
    case "call:ended":
      liveCallEnded(ev.callId);
      if (current && s.phase === "elsewhere") void finishCall(null);
      else if (current && inCall(s)) void finishCall(ev.reason, endMessage(ev.reason, s.peer?.displayName ?? "Someone", s.direction === "outgoing"));
      return;
    case "call:participant-reconnecting":
      if (current) call?.setAway(ev.userId, true);
      return;
    case "call:participant-joined":
      // They came back with a new page or socket: their old connection is gone, start a fresh one.
      // (Group calls follow their snapshots: see callSnapshot.ts.)
      if (current && s.phase === "active" && (s.callKind === null || s.callKind === "dm")) call?.restart(ev.userId);
      return;
    case "call:state":
      applySnapshot(ev.call);
      return;
    case "call:reaction":
      applyReaction(ev.callId, ev.from, ev.emoji);
      return;
    case "call:admitted":
      onAdmitted(ev.callId);
      return;
    case "call:denied":
      onDenied(ev.callId);
      return;
    case "call:moderated":
      if (current) onModerated(ev.action, (message) => void finishCall("removed", message));
      return;
    case "call:media":
      if (current) call?.handleRemoteMedia(ev.userId, { audio: ev.audio, video: ev.video, screen: ev.screen });
      return;
    case "rtc:offer":
    case "rtc:answer":
    case "rtc:ice":
      if (current && call) call.handleSignal(ev);
      else holdSignal(ev);
      return;
    case "sfu:signal":
      handleSfuSignal(ev);
      return;
    case "sfu:moved":
      // Its SFU node died and a live node holds the room now: new links to it.
      moveToSfu(ev.callId, true);
      return;
    case "sfu:speaker":
      applySpeaker(ev.callId, ev.participantId);
      return;
  }
}

/** Every hello (first connect and each reconnect): pick the call back up if this tab was in it. */
export function handleHello(h: HelloResult, socket: ParleySocket): void {
  bindSocket(socket);
  setLiveCalls(h.liveCalls ?? []);
  const s = useCall.getState();
  const group = h.callState && h.callState.kind !== "dm" ? h.callState : null;
  if (group) return void resumeGroup(socket, group);
  const call = h.call;
  if (!call) {
    // The call ended while we were offline.
    if (s.phase === "active" || s.phase === "joining" || s.phase === "outgoing") void finishCall("disconnected", "Call ended · connection lost");
    else if (s.phase === "incoming" || s.phase === "elsewhere") void finishCall(null);
    return;
  }
  const me = h.user.id;
  // Another tab of this browser shares the sign-in: only the tab that was in the call resumes it.
  const ours = (s.callId === call.id && s.phase !== "elsewhere") || tabCallId() === call.id;
  if (call.state === "ringing" && call.callerId === me && !ours) {
    const to = h.users.find((u) => u.id === call.calleeId);
    if (to) showElsewhere(call.id, call.conversationId, to, call.media);
    return;
  }
  // Answered (or replaced) while we were offline.
  if (s.phase === "elsewhere") void finishCall(null);
  const ringingForMe = call.state === "ringing" && call.calleeId === me;
  if (!ringingForMe && !ours) return;
  void resume(socket, me, h);
}

/** A group call this tab was in: a new socket (or a reloaded page) takes its place again. */
async function resumeGroup(socket: ParleySocket, call: CallSnapshot): Promise<void> {
  const s = useCall.getState();
  if (s.callId !== call.id && tabCallId() !== call.id) return;
  try {
    await socket.request({ type: "call:resume" });
  } catch {
    return;
  }
  const live = currentCall();
  // Same page, new socket: every link starts afresh, as the others restart theirs to us (the
  // SFU dropped our old links with the old socket: new ones).
  if (live && live.id === call.id) {
    live.connect([]);
    if (call.topology === "sfu") moveToSfu(call.id, true);
  } else await enterGroupCall(call, call.media);
}

async function resume(socket: ParleySocket, me: string, h: HelloResult): Promise<void> {
  let call: CallInfo | null;
  try {
    ({ call } = await socket.request<{ call: CallInfo | null }>({ type: "call:resume" }));
  } catch {
    return;
  }
  const s = useCall.getState();
  const live = currentCall();
  if (!call) {
    if (live) void finishCall("disconnected", "Call ended · connection lost");
    return;
  }
  const otherId = call.callerId === me ? call.calleeId : call.callerId;
  const other = h.users.find((u) => u.id === otherId) ?? s.peer;
  if (!other) return;
  const isParticipant = call.participants.includes(me);
  if (!isParticipant) {
    if (s.phase !== "incoming") ring(call.id, call.conversationId, other, call.media);
    return;
  }
  const outgoing = call.callerId === me;
  if (live && s.callId === call.id) {
    // Same page, new socket: the other side starts a fresh connection, and so do we.
    if (call.state === "active") live.connect([other.id]);
    return;
  }
  useCall.setState({
    ...IDLE,
    phase: call.state === "active" ? "active" : "outgoing",
    direction: outgoing ? "outgoing" : "incoming",
    callId: call.id,
    conversationId: call.conversationId,
    peer: other,
    media: call.media,
    acceptedAt: call.acceptedAt ? Date.parse(call.acceptedAt) : null,
  });
  // The caller is impolite on the link, the callee polite, as when the call was set up.
  const engine = openCall(call.id, politeRule(me, call.callerId), call.media);
  if (call.state === "active") engine.connect([other.id]);
  else {
    startRingtone("outgoing");
    engine.prepare([other.id]);
  }
  await engine.start();
}

// Signing out ends whatever call this tab had (the socket is gone with the session).
useSession.subscribe((now, prev) => {
  if (now.status === "signedOut" && prev.status !== "signedOut" && useCall.getState().phase !== "idle") void finishCall(null);
});
