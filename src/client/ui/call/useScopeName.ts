import { useChat } from "../../state/chat";
import { conversationTitle } from "../../state/chatSelectors";
import { useRooms } from "../../state/rooms";
import { findChannel, useSpaces } from "../../state/spaces";

/** What a group call is called: its meeting's or group's name, or "General · My space" for a voice channel. */
export function useScopeName(conversationId: string | null): string | null {
  const room = useRooms((s) => (conversationId ? s.names[conversationId] : undefined));
  const group = useChat((s) => {
    const c = conversationId ? s.conversations[conversationId] : undefined;
    return c ? conversationTitle(c, s.meId) : null;
  });
  const channel = useSpaces((s) => {
    const found = conversationId ? findChannel(s, conversationId) : undefined;
    return found ? `${found.channel.name} · ${found.space.name}` : null;
  });
  return room ?? group ?? channel;
}
