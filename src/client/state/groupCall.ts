/** Joining a group call at once: voice channels, a running group DM call, rooms. */
import type { CallMedia, CallState as CallSnapshot } from "../../shared/protocol";
import { SocketError } from "../socket";
import { dismissEnded, finishCall } from "./callActions";
import { callSocket } from "./callController";
import { enterGroupCall } from "./callSnapshot";
import { callBusy, useCall } from "./callStore";

/** Voice channels start with the microphone only; the camera is a click away. */
export const VOICE: CallMedia = { audio: true, video: false };

function joinError(err: unknown): string {
  const code = err instanceof SocketError ? err.code : null;
  if (code === "BUSY" || code === "CONFLICT") return "You're already in a call";
  if (code === "FORBIDDEN" || code === "NOT_FOUND") return "You can't join this call";
  if (code === "NETWORK_ERROR") return "You're offline";
  return "Could not join the call";
}

/** Joins the call of a conversation (a voice channel, a running group DM call, a room). */
export async function joinCall(conversationId: string, media: CallMedia = VOICE): Promise<void> {
  const socket = callSocket();
  if (!socket || callBusy(useCall.getState())) return;
  dismissEnded();
  let state: CallSnapshot;
  try {
    ({ state } = await socket.request<{ state: CallSnapshot }>({ type: "call:join", conversationId, media }));
  } catch (err) {
    return finishCall("failed", joinError(err));
  }
  enterGroupCall(state, media);
}
