/**
 * A visitor joining a room as a guest: a name gets a guest session (an httpOnly cookie the
 * socket presents), then a socket of its own that speaks only for that room — its call through
 * the usual call engine, and its chat. Nothing here outlives the page: a reload asks again.
 */
import { create } from "zustand";
import type { CallMedia, GuestSession } from "../../shared/calls";
import type { HelloResult } from "../../shared/protocol";
import { api, ApiError } from "../api";
import { seedIceConfig, type IceServersReply } from "../rtc/ice-config";
import type { LocalMedia } from "../rtc/local-media";
import { ParleySocket } from "../socket";
import { handleCallEvent } from "./callEvents";
import { bindSocket } from "./callController";
import { useChat } from "./chat";
import { setCurrentSocket } from "./chatSocket";
import { applyEvent } from "./chatEvents";
import { errorText } from "./callHost";
import { joinCall } from "./groupCall";

interface GuestState {
  status: "idle" | "joining" | "joined" | "ended";
  guest: GuestSession | null;
  error: string | null;
}

export const useGuest = create<GuestState>()(() => ({ status: "idle", guest: null, error: null }));

let socket: ParleySocket | null = null;

function socketUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

/**
 * Gets a guest session and joins the room's call on a guest socket, taking over `local` (the
 * pre-join preview) when given. True once in the call; false on a refusal (shown) or while
 * waiting in the lobby.
 */
export async function joinAsGuest(slug: string, name: string, media: CallMedia, local?: LocalMedia): Promise<boolean> {
  useGuest.setState({ status: "joining", error: null });
  let reply: { guest: GuestSession; ice: IceServersReply };
  try {
    reply = await api.post(`/api/rooms/${slug}/guests`, { name }, { retryAuth: false });
  } catch (err) {
    const fields = err instanceof ApiError ? (err.details as { fields?: Record<string, string> } | undefined)?.fields : undefined;
    useGuest.setState({ status: "idle", error: fields?.name ? `${fields.name} (VALIDATION_ERROR)` : errorText(err) });
    return false;
  }
  const { guest } = reply;
  seedIceConfig(reply.ice);
  useChat.setState({ meId: guest.id });
  useGuest.setState({ guest });
  socket?.stop();
  return new Promise((resolve) => {
    let joined = false;
    const s = new ParleySocket({
      url: socketUrl(),
      // Guest sessions are not refreshed: when one expires the visitor joins again by name.
      refresh: () => Promise.reject(new Error("Guest sessions are not refreshed")),
      onEvent: (e) => (e.type.startsWith("call:") || e.type.startsWith("rtc:") ? handleCallEvent(e) : applyEvent(e)),
      onHello: (_h: HelloResult) => {
        bindSocket(s);
        if (joined) return;
        joined = true;
        void joinCall(guest.conversationId, media, local).then((ok) => {
          useGuest.setState({ status: ok ? "joined" : "idle" });
          resolve(ok);
        });
      },
      onState: (socketState) => useChat.setState({ socketState }),
      onAuthLost: () => {
        useGuest.setState({ status: "ended", error: "Your guest session ended. Join again to come back." });
        resolve(false);
      },
    });
    socket = s;
    // The room's chat (the call's chat panel) sends on it: a guest has no other socket.
    setCurrentSocket(s);
    s.start();
  });
}
