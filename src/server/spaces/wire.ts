/** Space rows → wire shapes. */
import { defaultNotifyLevel, type Channel, type Invite, type Space } from "../../shared/protocol";
import type { ConversationRow, ConversationSummary, HelloChannelRow, InviteRow, SpaceRow } from "../store/store";
import type { SpaceRole } from "../store/schema";

export const iconUrl = (s: SpaceRow) => (s.icon ? `/api/spaces/${s.id}/icon/${s.icon}` : null);

export function toChannel(c: ConversationRow & { last_message_id?: string | null }, unread?: Pick<ConversationSummary, "unreadCount" | "mentionCount" | "notifyLevel">): Channel {
  return {
    id: c.id,
    spaceId: c.space_id!,
    name: c.name ?? "",
    kind: c.channel_kind ?? "text",
    position: c.position ?? 0,
    ...(unread ? { unreadCount: unread.unreadCount, mentionCount: unread.mentionCount, notifyLevel: unread.notifyLevel } : {}),
    lastMessageId: c.last_message_id ?? null,
    voiceMembers: [],
    voiceMuted: [],
    voiceSpeaking: [],
  };
}

/** A channel as listed with the viewer's counts (store.hello.channels). */
export function listedChannel(c: HelloChannelRow): Channel {
  return {
    id: c.id,
    spaceId: c.space_id,
    name: c.name ?? "",
    kind: c.channel_kind ?? "text",
    position: c.position ?? 0,
    unreadCount: Number(c.unread ?? 0),
    mentionCount: Number(c.mentions ?? 0),
    notifyLevel: c.my_notify ?? defaultNotifyLevel("channel"),
    lastMessageId: c.last_message_id ?? null,
    voiceMembers: [],
    voiceMuted: [],
    voiceSpeaking: [],
  };
}

export function toSpace(s: SpaceRow, role: SpaceRole, memberCount: number, channels: Channel[]): Space {
  return { ...spaceInfo(s, memberCount), role, channels };
}

/** What every member sees alike (`space:updated`). */
export function spaceInfo(s: SpaceRow, memberCount: number): Omit<Space, "role" | "channels"> {
  return { id: s.id, name: s.name, iconUrl: iconUrl(s), ownerId: s.owner_id, memberCount, createdAt: s.created_at, joinMessages: s.join_messages === 1 };
}

/** Channels in order with this viewer's unread counts. */
export function channelsWithUnread(rows: ConversationRow[], summaries: ConversationSummary[]): Channel[] {
  const unread = new Map(summaries.map((s) => [s.conversation.id, s]));
  return rows.map((c) => toChannel(c, unread.get(c.id) ?? { unreadCount: 0, mentionCount: 0, notifyLevel: defaultNotifyLevel("channel") }));
}

export function toInvite(i: InviteRow, origin: string): Invite {
  return {
    code: i.code,
    url: `${origin}/invite/${i.code}`,
    spaceId: i.space_id,
    maxUses: i.max_uses,
    uses: i.uses,
    expiresAt: i.expires_at,
    createdBy: i.created_by,
    createdAt: i.created_at,
  };
}
