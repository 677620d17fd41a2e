/**
 * What the user does with a call (start, accept, decline, cancel, hang up) and ending it, shared
 * with callEvents.ts. Server error codes become sentences here (BUSY → "They're in another call").
 */
import type { CallMedia, CallState as CallSnapshot, PublicUser } from "../../shared/protocol";
import { prefetchIceConfig } from "../rtc/ice-config";
import { startRingtone, stopRingtone } from "../rtc/ringtone";
import { SocketError, type ParleySocket } from "../socket";
import { useChat } from "./chat";
import { bindSocket, callSocket, closeCall, currentCall, openCall, politeRule } from "./callController";
import { enterGroupCall } from "./callSnapshot";
import { IDLE, callBusy, useCall, type CallState, type EndReason } from "./callStore";

let endedTimer: ReturnType<typeof setTimeout> | undefined;

/** Ends the call on this device. With a reason, a short notice says why. */
export async function finishCall(reason: EndReason | null, message = ""): Promise<void> {
  const before = useCall.getState();
  stopRingtone();
  closeCallNotification();
  clearTimeout(endedTimer);
  const kept = before.recording.status === "done" ? before.recording : null;
  const closing = closeCall();
  useCall.setState({ ...IDLE, phase: reason ? "ended" : "idle", ended: reason ? { reason, message, recording: kept } : null });
  const recording = await closing;
  if (recording?.status === "done") {
    if (kept) URL.revokeObjectURL(kept.url);
    useCall.setState((s) => (s.ended ? { ended: { ...s.ended, recording } } : {}));
  }
  // A notice with a recording to download stays until dismissed.
  if (reason && !useCall.getState().ended?.recording) endedTimer = setTimeout(dismissEnded, 6000);
}

export function dismissEnded(): void {
  const { ended, phase } = useCall.getState();
  if (ended?.recording?.status === "done") URL.revokeObjectURL(ended.recording.url);
  if (phase === "ended") useCall.setState({ ...IDLE });
}

function describeCallError(err: unknown): string {
  const code = err instanceof SocketError ? err.code : null;
  switch (code) {
    case "BUSY":
      return "They're in another call";
    case "CONFLICT":
      return err instanceof SocketError && /answered/.test(err.message) ? "This call was already answered" : "You're already in a call";
    case "FORBIDDEN":
      return "You can't call this person";
    case "NOT_FOUND":
      return "This call has ended";
    case "RATE_LIMITED":
      return "Too many calls. Try again in a moment.";
    case "NETWORK_ERROR":
      return "You're offline";
    default:
      return "The call could not be started";
  }
}

/** The other member of a DM, from the chat model. */
function conversationPeer(conversationId: string): PublicUser | null {
  const { conversations, meId } = useChat.getState();
  return conversations[conversationId]?.members.find((m) => m.id !== meId) ?? null;
}

export async function startCall(s: ParleySocket, conversationId: string, media: CallMedia): Promise<void> {
  if (callBusy(useCall.getState())) return;
  dismissEnded();
  bindSocket(s);
  const peer = conversationPeer(conversationId);
  useCall.setState({ ...IDLE, phase: "outgoing", direction: "outgoing", conversationId, media, peer });
  startRingtone("outgoing");
  // Ready (cached) by the time the connection is made.
  prefetchIceConfig();
  let callId: string;
  try {
    ({ callId } = await s.request<{ callId: string }>({ type: "call:invite", conversationId, media }));
  } catch (err) {
    const code = err instanceof SocketError ? err.code : null;
    if (useCall.getState().phase === "outgoing") await finishCall(code === "BUSY" ? "busy" : "failed", describeCallError(err));
    return;
  }
  const now = useCall.getState();
  // Cancelled (or ended by the server) while the invite was on its way.
  if (now.phase !== "outgoing" || (now.callId && now.callId !== callId)) {
    if (now.phase === "idle") void s.request({ type: "call:cancel", callId }).catch(() => {});
    return;
  }
  if (useChat.getState().conversations[conversationId]?.kind === "group") {
    // A group DM call rings everyone; we are in it from now on, and see each one who answers.
    stopRingtone();
    const me = useChat.getState().meId ?? "";
    const engine = openCall(callId, politeRule(me, me), media);
    useCall.setState({ callId, phase: "active", acceptedAt: Date.now(), callKind: "group" });
    engine.connect([]);
    await engine.start();
    return;
  }
  useCall.setState({ callId });
  // call:ringing (which names the callee) comes before the invite's reply. The caller is impolite:
  // its offer is made while it rings and sent the moment the call is accepted.
  const callee = useCall.getState().peer?.id ?? "";
  const me = useChat.getState().meId ?? "";
  const call = openCall(callId, politeRule(me, me), media);
  // Accepted before the invite's reply arrived (callEvents could not connect a call that did not exist).
  if (useCall.getState().phase === "active") call.connect([callee]);
  else call.prepare([callee]);
  await call.start();
}

export async function acceptCall(): Promise<void> {
  const { phase, callId, peer, media, callKind } = useCall.getState();
  const socket = callSocket();
  if (phase !== "incoming" || !callId || !peer || !socket) return;
  stopRingtone();
  closeCallNotification();
  if (callKind && callKind !== "dm") return acceptGroupCall(socket, callId, media);
  // The callee is polite to the caller: it answers the caller's offer.
  const call = openCall(callId, politeRule(useChat.getState().meId ?? "", peer.id), media);
  // The server's confirmation, the camera and the connection (ICE servers prefetched while it rang)
  // all at once: the caller's first offer is answered as soon as it arrives, camera open or not.
  const accepted = socket.request({ type: "call:accept", callId });
  void call.start();
  call.prepare([peer.id]);
  useCall.setState({ phase: "active", acceptedAt: Date.now() });
  try {
    await accepted;
  } catch (err) {
    const code = err instanceof SocketError ? err.code : null;
    return finishCall(code === "CONFLICT" ? "answered-elsewhere" : "failed", describeCallError(err));
  }
  if (currentCall() === call) call.connect([peer.id]);
}

/** Answering a group DM call joins it; the reply is the call as it is now. */
async function acceptGroupCall(socket: ParleySocket, callId: string, media: CallMedia): Promise<void> {
  try {
    const { state } = await socket.request<{ state: CallSnapshot }>({ type: "call:accept", callId });
    await enterGroupCall(state, media);
  } catch (err) {
    await finishCall("failed", describeCallError(err));
  }
}

export async function declineCall(): Promise<void> {
  const { phase, callId } = useCall.getState();
  if (phase !== "incoming" || !callId) return;
  await finishCall(null);
  await callSocket()?.request({ type: "call:reject", callId }).catch(() => {});
}

/** Cancels our ringing call, from the device that placed it or from another one of ours. */
export async function cancelCall(): Promise<void> {
  const { phase, callId } = useCall.getState();
  if (phase !== "outgoing" && phase !== "elsewhere") return;
  await finishCall(null);
  if (callId) await callSocket()?.request({ type: "call:cancel", callId }).catch(() => {});
}

export async function hangUp(): Promise<void> {
  const { phase, callId, callKind } = useCall.getState();
  if (phase !== "active" || !callId) return;
  // A group call goes on for the others: we only leave it.
  const group = callKind !== null && callKind !== "dm";
  const ending = finishCall(group ? null : "hangup", "Call ended");
  await callSocket()?.request(group ? { type: "call:leave", callId } : { type: "call:end", callId }).catch(() => {});
  await ending;
}

let notification: Notification | null = null;

/** A desktop notification for a call that rings while the tab is hidden (only if already allowed). */
export function showCallNotification(from: PublicUser, video: boolean): void {
  if (!document.hidden || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  try {
    notification = new Notification(`Incoming ${video ? "video" : "voice"} call`, {
      body: `${from.displayName} is calling you`,
      tag: "parley-call",
      requireInteraction: true,
    });
    notification.onclick = () => {
      window.focus();
      notification?.close();
    };
  } catch {
    // Some mobile browsers only allow notifications from a service worker.
  }
}

function closeCallNotification(): void {
  notification?.close();
  notification = null;
}

function groupRequest(frame: { type: "call:update"; callId: string; handRaised: boolean } | { type: "call:react"; callId: string; emoji: string }): Promise<unknown> {
  return callSocket()?.request(frame) ?? Promise.reject(new Error("offline"));
}

export async function setHand(on: boolean): Promise<void> {
  const { callId } = useCall.getState();
  if (!callId) return;
  useCall.setState({ handRaised: on });
  try {
    await groupRequest({ type: "call:update", callId, handRaised: on });
  } catch {
    useCall.setState({ handRaised: !on, notice: on ? "Could not raise your hand." : "Could not lower your hand." });
  }
}

export async function react(emoji: string): Promise<void> {
  const { callId } = useCall.getState();
  if (!callId) return;
  await groupRequest({ type: "call:react", callId, emoji }).catch(() => useCall.setState({ notice: "Could not send the reaction." }));
}
