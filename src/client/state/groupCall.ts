/**
 * Joining a group call at once (voice channels, a running group DM call, rooms), and ringing
 * more people into ours (a 1:1 call becomes a group call without hanging up).
 */
import type { CallMedia, CallState as CallSnapshot, PublicUser } from "../../shared/protocol";
import { prefetchIceConfig } from "../rtc/ice-config";
import type { LocalMedia } from "../rtc/local-media";
import { SocketError } from "../socket";
import { dismissEnded, finishCall } from "./callActions";
import { callSocket } from "./callController";
import { errorText } from "./callHost";
import { enterGroupCall } from "./callSnapshot";
import { joinWithPreview, usePreJoin } from "./preJoin";
import { startWaiting } from "./callHost";
import { callBusy, useCall, type CallState } from "./callStore";
import { useChat } from "./chat";
import { useUi } from "./ui";

/** Voice channels start with the microphone only; the camera is a click away. */
export const VOICE: CallMedia = { audio: true, video: false };

function joinError(err: unknown): string {
  const code = err instanceof SocketError ? err.code : null;
  if (code === "NETWORK_ERROR") return "You're offline";
  // The server's sentence says which rule applied (locked and not started, guests off, full…).
  return err instanceof SocketError ? `${err.message} (${err.code})` : "Could not join the call";
}

/**
 * Joins the call of a conversation (a voice channel, a running group DM call, a room). With
 * `localMedia` (already open, e.g. on a pre-join screen) the call takes it over once joined.
 * True when joined.
 */
export async function joinCall(conversationId: string, media: CallMedia = VOICE, localMedia?: LocalMedia): Promise<boolean> {
  const socket = callSocket();
  if (!socket || callBusy(useCall.getState())) return false;
  dismissEnded();
  // Fetched while the server lets us in: the call's links need them at once.
  prefetchIceConfig();
  let reply: { state: CallSnapshot | null; waiting?: true; callId?: string; reason?: "locked" | "removed" };
  try {
    reply = await socket.request<typeof reply>({ type: "call:join", conversationId, media });
  } catch (err) {
    useCall.setState({ lobby: null });
    await finishCall("failed", joinError(err));
    return false;
  }
  // A locked call (or one we were taken out of): wait in the lobby for a host.
  if (reply.waiting && reply.callId) {
    startWaiting({ callId: reply.callId, conversationId, media, reason: reply.reason ?? "locked" });
    return false;
  }
  useCall.setState({ lobby: null });
  if (!reply.state) return false;
  await enterGroupCall(reply.state, media, localMedia);
  return true;
}

/**
 * A host let us in: join for real, with the media we chose before knocking — the pre-join
 * preview's own camera and microphone when we knocked from one (no second capture).
 */
export function onAdmitted(callId: string): void {
  const { lobby } = useCall.getState();
  if (lobby?.callId !== callId || lobby.status !== "waiting") return;
  if (usePreJoin.getState().status === "off") void joinCall(lobby.conversationId, lobby.media);
  else void joinWithPreview((media, local) => joinCall(lobby.conversationId, media, local));
}

/**
 * Whom we may ring into our call: in a 1:1 call our friends, in a group DM's call the group's
 * other members; neither those in it nor those being rung. Voice channels and rooms are joined, never rung.
 */
export function addable(call: Pick<CallState, "callKind" | "conversationId" | "participants" | "invited">, chat: Pick<ReturnType<typeof useChat.getState>, "friends" | "conversations" | "meId">): PublicUser[] {
  if (call.callKind === "voice" || call.callKind === "room") return [];
  const taken = new Set([chat.meId, ...Object.keys(call.participants), ...call.invited]);
  const pool = call.callKind === "group" ? (chat.conversations[call.conversationId ?? ""]?.members ?? []) : chat.friends.map((f) => f.user);
  return pool.filter((u) => !taken.has(u.id));
}

/** Rings `userIds` into our call; the server's refusal shows as a toast. */
export async function addPeople(userIds: string[]): Promise<void> {
  const socket = callSocket();
  const { callId } = useCall.getState();
  if (!socket || !callId) return;
  try {
    await socket.request({ type: "call:add", callId, userIds });
  } catch (err) {
    useUi.getState().toast(errorText(err), "error");
  }
}
