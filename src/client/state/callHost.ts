/**
 * Host powers and the lobby on the client: mute / ask to unmute / remove someone, end the call
 * for all, lock the call, let people in from the lobby or turn them away, turn guests on or off
 * (rooms; knockers show in the call view, see LobbyPrompt) — and our own side of a knock: waiting, admitted, denied, cancelled. Failures show
 * as toasts with the server's code and message.
 */
import type { HostAction, Room } from "../../shared/calls";
import type { ClientFrame } from "../../shared/protocol";
import { api, ApiError } from "../api";
import { SocketError } from "../socket";
import { callSocket, currentCall } from "./callController";
import { useCall, type LobbyWait } from "./callStore";
import { closePreview } from "./preJoin";
import { useUi } from "./ui";

/** "FORBIDDEN: Only the host can do that" — the code stays visible, so a report can name it. */
export function errorText(err: unknown): string {
  if (err instanceof SocketError || err instanceof ApiError) return `${err.code}: ${err.message}`;
  return "Something went wrong";
}

type HostFrame = Extract<ClientFrame, { type: "call:host" | "call:end-all" | "call:lock" | "call:admit" | "call:deny" }>;

async function send(frame: (callId: string) => HostFrame): Promise<void> {
  const socket = callSocket();
  const callId = useCall.getState().callId;
  if (!socket || !callId) return;
  try {
    await socket.request(frame(callId));
  } catch (err) {
    useUi.getState().toast(errorText(err), "error");
  }
}

export const moderate = (action: HostAction, participantId: string) => send((callId) => ({ type: "call:host", callId, action, participantId }));
export const endForAll = () => send((callId) => ({ type: "call:end-all", callId }));
export const setLocked = (locked: boolean) => send((callId) => ({ type: "call:lock", callId, locked }));
export const admit = (participantId: string) => send((callId) => ({ type: "call:admit", callId, participantId }));
export const deny = (participantId: string) => send((callId) => ({ type: "call:deny", callId, participantId }));

/** The host's room, found among theirs (its slug names it in the API). */
async function ownRoom(roomId: string): Promise<Room> {
  const { rooms } = await api.get<{ rooms: Room[] }>("/api/rooms");
  const room = rooms.find((r) => r.id === roomId);
  if (!room) throw new ApiError(404, "NOT_FOUND", "This room is not yours");
  return room;
}

/** Whether the room lets guests in now, or null when it cannot be read. */
export async function roomAllowsGuests(roomId: string): Promise<boolean | null> {
  return ownRoom(roomId).then(
    (r) => r.allowGuests,
    () => null,
  );
}

export async function setAllowGuests(roomId: string, allowGuests: boolean): Promise<boolean> {
  try {
    await api.patch(`/api/rooms/${(await ownRoom(roomId)).slug}`, { allowGuests });
    return true;
  } catch (err) {
    useUi.getState().toast(errorText(err), "error");
    return false;
  }
}

/** A host acted on us: muted (our microphone goes off), asked to unmute (a prompt), removed (the call ends here). */
export function onModerated(action: HostAction, end: (message: string) => void): void {
  if (action === "mute") {
    currentCall()?.setMicrophone(false);
    useUi.getState().toast("The host muted you", "info");
  } else if (action === "ask-unmute") useCall.setState({ askedToUnmute: true });
  else end("The host removed you from the call");
}

export function unmuteAsAsked(): void {
  currentCall()?.setMicrophone(true);
  useCall.setState({ askedToUnmute: false });
}

/** Our knock: the lobby screen shows until a host answers or we cancel. */
export function startWaiting(wait: Omit<LobbyWait, "status">): void {
  useCall.setState({ lobby: { ...wait, status: "waiting" } });
}

export async function cancelKnock(): Promise<void> {
  const { lobby } = useCall.getState();
  useCall.setState({ lobby: null });
  if (lobby?.status === "waiting") await callSocket()?.request({ type: "call:leave", callId: lobby.callId }).catch(() => {});
}

/** Turned away: the pre-join preview lets the camera go (the pre-join screen opens it again if we go back to it). */
export function onDenied(callId: string): void {
  const { lobby } = useCall.getState();
  if (lobby?.callId !== callId) return;
  closePreview();
  useCall.setState({ lobby: { ...lobby, status: "denied" } });
}
