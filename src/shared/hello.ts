/**
 * hello's reply in its compact form: every person once in `users`, the lists refer to them by
 * id, conversations carry a preview of their last message, and summaries leave out what is
 * null, zero, false, empty or a default. What changes by the second (friends' presence, voice
 * rosters) sits apart from the lists: the server keeps the lists as one serialized frame,
 * `hello:lists`, sent as it is just before the reply (HelloLists). `expandHello` turns it back into the shapes the REST lists and events use (Friend,
 * FriendRequest, Conversation, Space). See docs/PROTOCOL.md.
 */
import type { CallInfo, CallState, LiveCall } from "./calls";
import { defaultNotifyLevel, type Channel, type Conversation, type Friend, type FriendRequest, type Me, type NotifyLevel, type PresenceStatus, type PublicUser, type ReadOnly, type Space } from "./protocol";

/** Characters of a conversation's last message that hello carries (the list shows one line). */
export const PREVIEW_LENGTH = 100;

/** A friend; their presence is in `HelloResult.presence` (absent there: offline). */
export interface FriendSummary {
  userId: string;
  conversationId: string;
}

/** The other party is `users[fromId or toId]`, whichever is not the viewer. */
export interface RequestSummary {
  id: string;
  fromId: string;
  toId: string;
  createdAt: string;
}

/**
 * A message as the conversation list shows it: content cut to PREVIEW_LENGTH characters; what is
 * null, false, none or "text" is left out (authorId, kind, mentionsEveryone, attachmentCount).
 */
export interface MessagePreview {
  id: string;
  /** Left out for a system message. */
  authorId?: string;
  /** Left out when "text". */
  kind?: "text" | "system";
  content: string;
  createdAt: string;
  /** Left out when false. */
  mentionsEveryone?: boolean;
  /** How many files it carries; left out when none (a message of files alone has empty content). */
  attachmentCount?: number;
}

/**
 * A DM or group in hello. What is null, 0, false, empty or the kind's default is left out
 * (name, ownerId, reads, lastMessage, unreadCount, mentionCount, notifyLevel, readOnly):
 * most of a user's DMs are quiet, and hello lists every one of them.
 */
export interface ConversationSummary {
  id: string;
  kind: "dm" | "group";
  name?: string;
  ownerId?: string;
  /** The other members (the viewer is one too). */
  memberIds: string[];
  /** Read marks that are set, the viewer's included. */
  reads?: Record<string, string>;
  lastMessage?: MessagePreview;
  unreadCount?: number;
  mentionCount?: number;
  /** Left out when the kind's default (defaultNotifyLevel). */
  notifyLevel?: NotifyLevel;
  readOnly?: Exclude<ReadOnly, false>;
  createdAt: string;
}

/**
 * A channel in hello: its space is the one it is listed in, and what is zero, null or the
 * channel default is left out (unreadCount, mentionCount, lastMessageId, notifyLevel
 * "mentions"); who is in a voice channel is in `HelloResult.voice`.
 */
export type ChannelSummary = Pick<Channel, "id" | "name" | "kind" | "position"> & Partial<Pick<Channel, "unreadCount" | "mentionCount" | "notifyLevel">> & { lastMessageId?: string };

/** A space in hello: as `Space`, with its channels as summaries. */
export type SpaceSummary = Omit<Space, "channels"> & { channels: ChannelSummary[] };

/** Who is in a voice channel, muted and speaking (Channel's fields of the same names). */
export type ChannelVoice = Pick<Channel, "voiceMembers" | "voiceMuted" | "voiceSpeaking">;

export interface HelloResult {
  user: Me;
  /** Everyone `friends`, `requests` and `conversations` mention, once (not the viewer). */
  users: PublicUser[];
  friends: FriendSummary[];
  /** Pending friend requests both ways, so a reconnect misses none made while away. */
  requests: { incoming: RequestSummary[]; outgoing: RequestSummary[] };
  conversations: ConversationSummary[];
  spaces: SpaceSummary[];
  /** The presence of each friend who is not offline (a friend left out is offline). */
  presence: Record<string, PresenceStatus>;
  /** Who is in each voice channel of the user's spaces that someone is in (by channel id). */
  voice: Record<string, ChannelVoice>;
  /** The user's live 1:1 call in the 1:1 view (DM calls only). */
  call: CallInfo | null;
  /** The user's live call of any kind. */
  callState: CallState | null;
  /** Running calls of the user's group DMs, so members not in them can join. */
  liveCalls: LiveCall[];
}

/** The lists of a hello: the frame the server sends just before its reply, which carries the rest (HelloResult is both). */
export type HelloLists = { type: "hello:lists" } & Pick<HelloResult, "user" | "users" | "friends" | "requests" | "conversations" | "spaces">;

/** What a hello says in the shapes the rest of the API uses. */
export interface ExpandedHello {
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  conversations: Conversation[];
  spaces: Space[];
}

/** The compact channel of hello (see ChannelSummary); the inverse of expandChannel. */
export function channelSummary(c: Omit<Channel, "voiceMembers" | "voiceMuted" | "voiceSpeaking">): ChannelSummary {
  const out: ChannelSummary = { id: c.id, name: c.name, kind: c.kind, position: c.position };
  if (c.unreadCount) out.unreadCount = c.unreadCount;
  if (c.mentionCount) out.mentionCount = c.mentionCount;
  if (c.notifyLevel && c.notifyLevel !== defaultNotifyLevel("channel")) out.notifyLevel = c.notifyLevel;
  if (c.lastMessageId) out.lastMessageId = c.lastMessageId;
  return out;
}

function expandChannel(spaceId: string, c: ChannelSummary, voice: ChannelVoice | undefined): Channel {
  return { ...c, spaceId, unreadCount: c.unreadCount ?? 0, mentionCount: c.mentionCount ?? 0, notifyLevel: c.notifyLevel ?? defaultNotifyLevel("channel"), lastMessageId: c.lastMessageId ?? null, voiceMembers: voice?.voiceMembers ?? [], voiceMuted: voice?.voiceMuted ?? [], voiceSpeaking: voice?.voiceSpeaking ?? [] };
}

const unknownUser = (id: string): PublicUser => ({ id, username: "unknown", displayName: "Unknown user", avatarUrl: null });

export function expandHello(h: Pick<HelloResult, "user" | "users" | "friends" | "requests" | "conversations" | "spaces" | "presence" | "voice">): ExpandedHello {
  const me: PublicUser = { id: h.user.id, username: h.user.username, displayName: h.user.displayName, avatarUrl: h.user.avatarUrl };
  const byId = new Map(h.users.map((u) => [u.id, u]));
  const user = (id: string) => (id === me.id ? me : (byId.get(id) ?? unknownUser(id)));
  const request = (r: RequestSummary): FriendRequest => ({ ...r, user: user(r.fromId === me.id ? r.toId : r.fromId) });
  return {
    friends: h.friends.map((f) => ({ user: user(f.userId), presence: h.presence[f.userId] ?? "offline", conversationId: f.conversationId })),
    spaces: h.spaces.map((sp) => ({ ...sp, channels: sp.channels.map((c) => expandChannel(sp.id, c, h.voice[c.id])) })),
    incoming: h.requests.incoming.map(request),
    outgoing: h.requests.outgoing.map(request),
    conversations: h.conversations.map((c) => {
      const ids = [me.id, ...c.memberIds];
      const last = c.lastMessage;
      return {
        id: c.id,
        kind: c.kind,
        spaceId: null,
        name: c.name ?? null,
        ownerId: c.ownerId ?? null,
        members: ids.map(user),
        reads: Object.fromEntries(ids.map((id) => [id, c.reads?.[id] ?? null])),
        lastMessage: last
          ? {
              ...last,
              authorId: last.authorId ?? null,
              kind: last.kind ?? "text",
              mentionsEveryone: last.mentionsEveryone ?? false,
              // Only space channels carry @here, and these are DMs and groups.
              mentionsHere: false,
              conversationId: c.id,
              clientId: null,
              replyToId: null,
              threadId: null,
              editedAt: null,
            }
          : null,
        unreadCount: c.unreadCount ?? 0,
        mentionCount: c.mentionCount ?? 0,
        notifyLevel: c.notifyLevel ?? defaultNotifyLevel(c.kind),
        readOnly: c.readOnly ?? false,
        createdAt: c.createdAt,
      };
    }),
  };
}
