/**
 * Channels with an unread @everyone that notified us, as seen live since we last read them
 * (the server keeps unread counts, not mentions, so a reload forgets these).
 */
import { create } from "zustand";
import type { Channel, Space } from "../../shared/protocol";
import { channelUnread } from "./spaces";

export const useSpaceMentions = create<{ mentioned: Record<string, true> }>()(() => ({ mentioned: {} }));

export function markMentioned(channelId: string): void {
  useSpaceMentions.setState((s) => ({ mentioned: { ...s.mentioned, [channelId]: true } }));
}

export function forgetMention(channelId: string): void {
  if (!useSpaceMentions.getState().mentioned[channelId]) return;
  useSpaceMentions.setState((s) => {
    const { [channelId]: _, ...mentioned } = s.mentioned;
    return { mentioned };
  });
}

/** After a hello: only channels still unread can still hold a mention. */
export function keepMentions(unreadChannelIds: string[]): void {
  const keep = new Set(unreadChannelIds);
  useSpaceMentions.setState((s) => ({ mentioned: Object.fromEntries(Object.entries(s.mentioned).filter(([id]) => keep.has(id))) }));
}

export function channelMentioned(mentioned: Record<string, true>, c: Channel): boolean {
  return !!mentioned[c.id] && channelUnread(c) > 0;
}

export function spaceMentioned(mentioned: Record<string, true>, space: Space): boolean {
  return space.channels.some((c) => channelMentioned(mentioned, c));
}
