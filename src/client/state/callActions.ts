/**
 * What the user does with a call (start, accept, decline, cancel, hang up) and the plumbing
 * shared with callEvents.ts: the socket, the engine session wired into the store, ending.
 * Server error codes become sentences here (BUSY → "They're in another call").
 */
import type { CallMedia, PublicUser } from "../../shared/protocol";
import { CallSession } from "../rtc/call-session";
import { fetchIceConfig, prefetchIceConfig } from "../rtc/ice-config";
import { startRingtone, stopRingtone } from "../rtc/ringtone";
import type { RtcEvent, SessionFrame } from "../rtc/types";
import { SocketError, type ParleySocket } from "../socket";
import { useChat } from "./chat";
import { IDLE, callBusy, useCall, type CallState, type EndReason } from "./callStore";

let socket: ParleySocket | null = null;

export function bindSocket(s: ParleySocket | null): void {
  socket = s;
}

export function callSocket(): ParleySocket | null {
  return socket;
}

/** The call this tab is in survives a reload (sessionStorage is per tab); other tabs must not take it over. */
const TAB_KEY = "parley.callId";

export function tabCallId(): string | null {
  try {
    return sessionStorage.getItem(TAB_KEY);
  } catch {
    return null;
  }
}

function rememberCall(callId: string | null): void {
  try {
    if (callId) sessionStorage.setItem(TAB_KEY, callId);
    else sessionStorage.removeItem(TAB_KEY);
  } catch {
    /* storage disabled: a reload then simply loses the call */
  }
}

function send(frame: SessionFrame): void {
  // Signaling is fire-and-forget: anything lost while offline is redone by the fresh negotiation after call:resume.
  if (frame.type === "call:media") void socket?.request(frame).catch(() => {});
  else socket?.notify(frame);
}

/** Signals for a call this page does not know yet, kept briefly (see holdSignal). */
let held: { at: number; e: RtcEvent }[] = [];

/**
 * After a reload the other side may offer before our call:resume reply arrives: keep such
 * signals for a few seconds and hand them to the session once it exists.
 */
export function holdSignal(e: RtcEvent): void {
  const now = Date.now();
  held = [...held.filter((h) => now - h.at < 10_000), { at: now, e }].slice(-100);
}

/** A session for this call, wired into the store. Events of a replaced session are ignored. */
export function openSession(callId: string, peerId: string, polite: boolean, media: CallMedia): CallSession {
  const session = new CallSession({ callId, peerId, polite, media, iceConfig: fetchIceConfig, send });
  const mine = () => useCall.getState().session === session;
  const set = (patch: Partial<CallState> | ((s: CallState) => Partial<CallState>)) => mine() && useCall.setState(patch);
  const e = session.events;
  e.on("local-stream", (localStream) => set({ localStream }));
  e.on("remote-stream", (remoteStream) => set({ remoteStream }));
  e.on("local-screen", (localScreen) => set({ localScreen }));
  e.on("remote-screen", (remoteScreen) => set({ remoteScreen }));
  e.on("local-media", (local) => set({ local }));
  e.on("connection", (connection) => set({ connection }));
  e.on("chat-open", (chatReady) => set({ chatReady }));
  e.on("chat", (line) =>
    set((s) => ({ chat: [...s.chat, line].slice(-200), chatUnread: s.chatOpen || line.from === "self" ? 0 : s.chatUnread + 1 })),
  );
  e.on("quality", (quality) => set({ quality }));
  e.on("recording", (recording) =>
    set((s) => {
      if (s.recording.status === "done" && recording.status !== "done") URL.revokeObjectURL(s.recording.url);
      return { recording };
    }),
  );
  e.on("devices", (devices) => set({ devices }));
  e.on("error", (notice) => set({ notice }));
  // Until their first call:media, assume they send what the call was made with.
  useCall.setState({ session, remote: { audio: media.audio, video: media.video, screen: false } });
  rememberCall(callId);
  const early = held.filter((h) => h.e.callId === callId);
  held = held.filter((h) => h.e.callId !== callId);
  for (const h of early) session.handleSignal(h.e);
  return session;
}

let endedTimer: ReturnType<typeof setTimeout> | undefined;

/** Ends the call on this device. With a reason, a short notice says why. */
export async function finishCall(reason: EndReason | null, message = ""): Promise<void> {
  const before = useCall.getState();
  stopRingtone();
  closeCallNotification();
  rememberCall(null);
  clearTimeout(endedTimer);
  const kept = before.recording.status === "done" ? before.recording : null;
  useCall.setState({ ...IDLE, phase: reason ? "ended" : "idle", ended: reason ? { reason, message, recording: kept } : null });
  const recording = (await before.session?.close()) ?? null;
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
  useCall.setState({ callId });
  // call:ringing (which names the callee) comes before the invite's reply.
  const session = openSession(callId, useCall.getState().peer?.id ?? "", false, media);
  // Accepted before the invite's reply arrived (callEvents could not connect a session that did not exist).
  if (useCall.getState().phase === "active") session.connect();
  // Otherwise the offer is made while it rings and sent the moment the call is accepted.
  else session.prepare();
  await session.start();
}

export async function acceptCall(): Promise<void> {
  const { phase, callId, peer, media } = useCall.getState();
  if (phase !== "incoming" || !callId || !peer || !socket) return;
  stopRingtone();
  closeCallNotification();
  const session = openSession(callId, peer.id, true, media);
  // The server's confirmation, the camera and the connection (ICE servers prefetched while it rang)
  // all at once: the caller's first offer is answered as soon as it arrives, camera open or not.
  const accepted = socket.request({ type: "call:accept", callId });
  void session.start();
  session.prepare();
  useCall.setState({ phase: "active", acceptedAt: Date.now() });
  try {
    await accepted;
  } catch (err) {
    const code = err instanceof SocketError ? err.code : null;
    return finishCall(code === "CONFLICT" ? "answered-elsewhere" : "failed", describeCallError(err));
  }
  if (useCall.getState().session === session) session.connect();
}

export async function declineCall(): Promise<void> {
  const { phase, callId } = useCall.getState();
  if (phase !== "incoming" || !callId) return;
  await finishCall(null);
  await socket?.request({ type: "call:reject", callId }).catch(() => {});
}

/** Cancels our ringing call, from the device that placed it or from another one of ours. */
export async function cancelCall(): Promise<void> {
  const { phase, callId } = useCall.getState();
  if (phase !== "outgoing" && phase !== "elsewhere") return;
  await finishCall(null);
  if (callId) await socket?.request({ type: "call:cancel", callId }).catch(() => {});
}

export async function hangUp(): Promise<void> {
  const { phase, callId } = useCall.getState();
  if (phase !== "active" || !callId) return;
  const ending = finishCall("hangup", "Call ended");
  await socket?.request({ type: "call:end", callId }).catch(() => {});
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
