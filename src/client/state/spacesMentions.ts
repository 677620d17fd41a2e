/**
 * Channels with an unread mention of us (by @username, or an @everyone): counted by the server in every hello
 * (`mentionCount`), then kept up to date live (where an @here counts too: we were online for it) until the channel is read.
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

/** After a hello: the server's mentioned channels, plus live ones still unread. */
export function keepMentions(unreadChannelIds: string[], mentionedChannelIds: string[]): void {
  const keep = new Set(unreadChannelIds);
  useSpaceMentions.setState((s) => ({
    mentioned: {
      ...Object.fromEntries(Object.entries(s.mentioned).filter(([id]) => keep.has(id))),
      ...Object.fromEntries(mentionedChannelIds.map((id) => [id, true] as const)),
    },
  }));
}

export function channelMentioned(mentioned: Record<string, true>, c: Channel): boolean {
  return !!mentioned[c.id] && channelUnread(c) > 0;
}

export function spaceMentioned(mentioned: Record<string, true>, space: Space): boolean {
  return space.channels.some((c) => channelMentioned(mentioned, c));
}
