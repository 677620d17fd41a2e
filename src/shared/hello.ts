/**
 * hello's reply in its compact form: every person once in `users`, the lists refer to them by
 * id, conversations carry a preview of their last message. `expandHello` turns it back into the
 * shapes the REST lists and events use (Friend, FriendRequest, Conversation). See docs/PROTOCOL.md.
 */
import type { CallInfo, CallState, LiveCall } from "./calls";
import { defaultNotifyLevel, type Channel, type Conversation, type Friend, type FriendRequest, type Me, type NotifyLevel, type PresenceStatus, type PublicUser, type Space } from "./protocol";

/** Characters of a conversation's last message that hello carries (the list shows one line). */
export const PREVIEW_LENGTH = 100;

export interface FriendSummary {
  userId: string;
  presence: PresenceStatus;
  conversationId: string;
}

/** The other party is `users[fromId or toId]`, whichever is not the viewer. */
export interface RequestSummary {
  id: string;
  fromId: string;
  toId: string;
  createdAt: string;
}

/** A message as the conversation list shows it: content cut to PREVIEW_LENGTH characters. */
export interface MessagePreview {
  id: string;
  authorId: string | null;
  kind: "text" | "system";
  content: string;
  createdAt: string;
  mentionsEveryone: boolean;
  /** How many files it carries; left out when none (a message of files alone has empty content). */
  attachmentCount?: number;
}

/** A DM or group in hello. */
export interface ConversationSummary {
  id: string;
  kind: "dm" | "group";
  name: string | null;
  ownerId: string | null;
  /** The other members (the viewer is one too). */
  memberIds: string[];
  /** Read marks that are set, the viewer's included. */
  reads: Record<string, string>;
  lastMessage: MessagePreview | null;
  unreadCount: number;
  /** Left out when 0. */
  mentionCount?: number;
  notifyLevel: NotifyLevel;
  readOnly: boolean;
  createdAt: string;
}

/**
 * A channel in hello: its space is the one it is listed in, and what is zero, false, null or
 * empty is left out (unreadCount, mentionCount, lastMessageId, voiceMembers), and so is a
 * notifyLevel that is the channel default ("mentions").
 */
export type ChannelSummary = Pick<Channel, "id" | "name" | "kind" | "position"> & Partial<Pick<Channel, "unreadCount" | "mentionCount" | "notifyLevel" | "voiceMembers" | "voiceMuted" | "voiceSpeaking">> & { lastMessageId?: string };

/** A space in hello: as `Space`, with its channels as summaries. */
export type SpaceSummary = Omit<Space, "channels"> & { channels: ChannelSummary[] };

export interface HelloResult {
  user: Me;
  /** Everyone `friends`, `requests` and `conversations` mention, once (not the viewer). */
  users: PublicUser[];
  friends: FriendSummary[];
  /** Pending friend requests both ways, so a reconnect misses none made while away. */
  requests: { incoming: RequestSummary[]; outgoing: RequestSummary[] };
  conversations: ConversationSummary[];
  spaces: SpaceSummary[];
  /** The user's live 1:1 call in the 1:1 view (DM calls only). */
  call: CallInfo | null;
  /** The user's live call of any kind. */
  callState: CallState | null;
  /** Running calls of the user's group DMs, so members not in them can join. */
  liveCalls: LiveCall[];
}


/** What a hello says in the shapes the rest of the API uses. */
export interface ExpandedHello {
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  conversations: Conversation[];
  spaces: Space[];
}

/** The compact channel of hello (see ChannelSummary); the inverse of expandChannel. */
export function channelSummary(c: Channel): ChannelSummary {
  const out: ChannelSummary = { id: c.id, name: c.name, kind: c.kind, position: c.position };
  if (c.unreadCount) out.unreadCount = c.unreadCount;
  if (c.mentionCount) out.mentionCount = c.mentionCount;
  if (c.notifyLevel && c.notifyLevel !== defaultNotifyLevel("channel")) out.notifyLevel = c.notifyLevel;
  if (c.lastMessageId) out.lastMessageId = c.lastMessageId;
  if (c.voiceMembers.length) out.voiceMembers = c.voiceMembers;
  if (c.voiceMuted.length) out.voiceMuted = c.voiceMuted;
  if (c.voiceSpeaking.length) out.voiceSpeaking = c.voiceSpeaking;
  return out;
}

function expandChannel(spaceId: string, c: ChannelSummary): Channel {
  return { ...c, spaceId, unreadCount: c.unreadCount ?? 0, mentionCount: c.mentionCount ?? 0, notifyLevel: c.notifyLevel ?? defaultNotifyLevel("channel"), lastMessageId: c.lastMessageId ?? null, voiceMembers: c.voiceMembers ?? [], voiceMuted: c.voiceMuted ?? [], voiceSpeaking: c.voiceSpeaking ?? [] };
}

const unknownUser = (id: string): PublicUser => ({ id, username: "unknown", displayName: "Unknown user", avatarUrl: null });

export function expandHello(h: Pick<HelloResult, "user" | "users" | "friends" | "requests" | "conversations" | "spaces">): ExpandedHello {
  const me: PublicUser = { id: h.user.id, username: h.user.username, displayName: h.user.displayName, avatarUrl: h.user.avatarUrl };
  const byId = new Map(h.users.map((u) => [u.id, u]));
  const user = (id: string) => (id === me.id ? me : (byId.get(id) ?? unknownUser(id)));
  const request = (r: RequestSummary): FriendRequest => ({ ...r, user: user(r.fromId === me.id ? r.toId : r.fromId) });
  return {
    friends: h.friends.map((f) => ({ user: user(f.userId), presence: f.presence, conversationId: f.conversationId })),
    spaces: h.spaces.map((sp) => ({ ...sp, channels: sp.channels.map((c) => expandChannel(sp.id, c)) })),
    incoming: h.requests.incoming.map(request),
    outgoing: h.requests.outgoing.map(request),
    conversations: h.conversations.map((c) => {
      const ids = [me.id, ...c.memberIds];
      const last = c.lastMessage;
      return {
        id: c.id,
        kind: c.kind,
        spaceId: null,
        name: c.name,
        ownerId: c.ownerId,
        members: ids.map(user),
        reads: Object.fromEntries(ids.map((id) => [id, c.reads[id] ?? null])),
        lastMessage: last && { ...last, conversationId: c.id, clientId: null, replyToId: null, threadId: null, editedAt: null },
        unreadCount: c.unreadCount,
        mentionCount: c.mentionCount ?? 0,
        notifyLevel: c.notifyLevel,
        readOnly: c.readOnly,
        createdAt: c.createdAt,
      };
    }),
  };
}
