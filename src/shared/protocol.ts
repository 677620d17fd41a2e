/**
 * The wire contract shared by server and client: one zod schema per REST body and
 * socket frame, with types inferred from them. See docs/PROTOCOL.md.
 */
import { z } from "zod";
import { CallClientFrames, type CallInfo, type CallServerEvent, type CallState, type LiveCall } from "./calls";
import { SfuClientFrames, type SfuServerEvent } from "./sfu";
import { DisplayName, frame, Id, Str, UNSTORABLE } from "./wire";
import { AttachmentIds, type Attachment } from "./attachments";

export { DisplayName };

export { Id, Str, UNSTORABLE };
export type { CallEndReason, CallInfo, CallKind, CallState, LiveCall, ParticipantInfo, Topology } from "./calls";
export { CallMedia } from "./calls";
export type { ChannelSummary, ConversationSummary, FriendSummary, HelloResult, MessagePreview, RequestSummary, SpaceSummary, ChannelVoice } from "./hello";
export { PREVIEW_LENGTH } from "./hello";
export { SearchQuery, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX } from "./search";
export type { SearchHit, SearchResult, Snippet } from "./search";
export { RECENT_SIGN_IN_SECONDS, RECOVERY_CODE_COUNT, TOTP_DIGITS, TotpChangeBody, TotpCodeBody, TotpEnrolBody } from "./totp";
export { DeleteAccountBody } from "./account";
export type { AccountExport, AccountSettings, DeletionScheduled } from "./account";
export type { RecoveryCodes, TotpEnrolment, TotpInvalidDetails, TotpRequiredDetails, TotpStatus } from "./totp";

/** Why a DM takes no more messages, or false: it does. */
export type ReadOnly = false | "blocked" | "deleted";

export const USERNAME_MAX = 32;
export const USERNAME_RE = /^[a-z0-9_]{3,32}$/;

/** `@here` and `@everyone` notify many: nobody may be named so (USERNAME_RESERVED). */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(["everyone", "here"]);
export const USERNAME_RESERVED_MESSAGE = "That name is kept for @everyone and @here";

/** One message per rule, so a form can say exactly which one a name breaks. */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "At least 3 characters")
  .max(USERNAME_MAX, `At most ${USERNAME_MAX} characters`)
  .regex(/^[a-z0-9_]*$/, "Only lowercase letters, digits and _");

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email("Enter a valid email address"));
export const Password = z
  .string()
  .min(10, "At least 10 characters")
  .max(256, "At most 256 characters");

export const RegisterBody = z.object({ email: Email, username: Username, password: Password });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  login: Str().trim().min(1, "Enter your email or username").max(254),
  password: Str().min(1, "Enter your password").max(256),
});
export type LoginBody = z.infer<typeof LoginBody>;


export const UpdateMeBody = z
  .object({
    displayName: DisplayName.optional(),
    presenceVisibility: z.enum(["friends", "spaces"]).optional(),
  })
  .strict();
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserSearchQuery = z.object({ q: Str().trim().max(64).default("") });

/** What anyone may see of a user. */
export const PublicUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});
export type PublicUser = z.infer<typeof PublicUser>;

/** What the user sees of themselves. */
export const Me = PublicUser.extend({
  email: z.string(),
  createdAt: z.string(),
  presenceVisibility: z.enum(["friends", "spaces"]),
  /** The email was proven: its verification link was followed, a password reset through it, or an OIDC provider vouched for it. */
  emailVerified: z.boolean(),
  /** May read the mail outbox (the instance's first account is its admin). */
  instanceAdmin: z.boolean(),
  /** Present while the account's deletion waits out its grace period: when it will be erased. */
  deletionScheduledFor: z.string().optional(),
  /** Present for an account with no password (single sign-on only): it confirms drastic steps by other means. */
  passwordless: z.literal(true).optional(),
});
export type Me = z.infer<typeof Me>;

export const SessionInfo = z.object({
  id: z.string(),
  userAgent: z.string(),
  ip: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const AuthProviders = z.object({
  password: z.boolean(),
  oidc: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type AuthProviders = z.infer<typeof AuthProviders>;

/**
 * What login, register, refresh and GET /api/users/me answer besides their payload: when the
 * access cookie expires, so the client refreshes ahead of it whatever ACCESS_TTL_SECONDS is.
 */
export interface AccessExpiry {
  accessExpiresAt: string;
}
export interface SessionResult extends AccessExpiry {
  user: Me;
  /** Login only: failed sign-ins on this account since its last successful one, if any. */
  recentFailures?: { count: number; lastAt: string } | null;
  /** The second step, when it took a recovery code: how many unused ones remain. */
  recoveryCodesLeft?: number;
}

// ---------------------------------------------------------------------------
// Friends, conversations and messages
// ---------------------------------------------------------------------------

export const PresenceStatus = z.enum(["online", "idle", "dnd", "invisible", "offline"]);
export type PresenceStatus = z.infer<typeof PresenceStatus>;
export const SettablePresence = z.enum(["online", "idle", "dnd", "invisible"]);

export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_GROUP_MEMBERS = 50;
const Content = Str().max(MAX_MESSAGE_LENGTH).refine((s) => s.trim().length > 0, "Message is empty");
/** A send's text may be empty when it carries files (the service checks that one of the two is there). */
const SendContent = Str().max(MAX_MESSAGE_LENGTH).default("");
const ClientId = Str().min(1).max(64);

export const FriendRequestBody = z.union([z.object({ username: Username }).strict(), z.object({ userId: Id }).strict()]);
export const BlockBody = z.object({ userId: Id }).strict();
export const CreateGroupBody = z
  .object({ memberIds: z.array(Id).min(1).max(MAX_GROUP_MEMBERS - 1), name: Str().trim().min(1).max(100).optional() })
  .strict();
export const UpdateConversationBody = z.object({ name: Str().trim().min(1).max(100).nullable() }).strict();
export const AddMembersBody = z.object({ userIds: z.array(Id).min(1).max(MAX_GROUP_MEMBERS) }).strict();
export const SendMessageBody = z.object({ clientId: ClientId, content: SendContent, replyToId: Id.optional(), threadId: Id.optional(), attachmentIds: AttachmentIds.optional() }).strict();
export const EditMessageBody = z.object({ content: Content }).strict();
export const ReadBody = z.object({ messageId: Id }).strict();
/** How much of a conversation notifies a member: every message, only mentions of them, or nothing. */
export const NotifyLevel = z.enum(["all", "mentions", "nothing"]);
export type NotifyLevel = z.infer<typeof NotifyLevel>;
export const NotifyLevelBody = z.object({ level: NotifyLevel }).strict();
export const HistoryQuery = z.object({
  before: Id.optional(),
  after: Id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const ThreadListQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(25) });

/** Characters of the answered message a reply carries in its preview. */
export const REPLY_PREVIEW_LENGTH = 200;
/** Participants a thread summary names (the most recent first). */
export const THREAD_PARTICIPANTS_SHOWN = 5;

/** What a reply shows of the message it answers (in its conversation, maybe long scrolled away). */
export interface ReplyPreview {
  id: string;
  authorId: string | null;
  /** A room guest's name, when a guest wrote it. */
  guestName?: string;
  /** Its first REPLY_PREVIEW_LENGTH characters; "" when deleted. */
  content: string;
  deleted: boolean;
}

/** A thread root's numbers, as the viewer sees them. */
export interface ThreadSummary {
  replyCount: number;
  lastReplyId: string;
  lastReplyAt: string;
  /** Who replied, the most recent first, at most THREAD_PARTICIPANTS_SHOWN. */
  participantIds: string[];
  /** Replies by others after the viewer's mark in this thread (all of them until it is first read). */
  unreadCount: number;
}

/** A thread's summary as every member sees it: without the viewer's own unread count. */
export type ThreadTotals = Omit<ThreadSummary, "unreadCount">;

/** Different emoji one message may carry; one more is refused with TOO_MANY_REACTIONS. */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** A reaction is one emoji as Unicode defines them (skin tones and ZWJ sequences included). */
export const ReactionEmoji = Str().max(64).regex(/^\p{RGI_Emoji}$/v, "One emoji");

/** Who reacted to a message with one emoji, in the order they did. */
export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

/** The text an edit replaced, and when (moderators and the author read them). */
export interface MessageEdit {
  content: string;
  editedAt: string;
}

/** `@everyone` as a word of its own (not inside an address such as a@everyone.example). */
export const MENTION_EVERYONE = /(?<![\w@.])@everyone(?![\w@-])/;

/** `@here`, likewise: notifies the members online when it is sent (the same permission as @everyone). */
export const MENTION_HERE = /(?<![\w@.])@here(?![\w@-])/;

/** `@username` as a word of its own (usernames are [a-z0-9_], 3–32); the name is group 1. */
export const MENTION_USER = /(?<![\w@.])@([a-z0-9_]{3,32})(?![\w@-])/g;

/** The usernames a text mentions, lowercased, each once. */
export function mentionedUsernames(text: string): Set<string> {
  return new Set([...text.matchAll(MENTION_USER)].map((m) => m[1]!.toLowerCase()));
}

/** The message names `username` with `@username`, or notifies everyone (an allowed `@everyone`). */
export function mentionsUser(m: Pick<Message, "content" | "mentionsEveryone">, username: string): boolean {
  return m.mentionsEveryone || mentionedUsernames(m.content).has(username);
}

export interface Message {
  id: string;
  conversationId: string;
  authorId: string | null;
  clientId: string | null;
  kind: "text" | "system";
  content: string;
  replyToId: string | null;
  /** Set with replyToId wherever a message is sent out (events, pages); `deleted` once the original is. */
  replyTo?: ReplyPreview;
  /** A thread reply: its root's id. Thread replies stay out of the main timeline (history, unread, last message). */
  threadId: string | null;
  /** A thread root with replies: on history, sync, thread and edit answers. */
  thread?: ThreadSummary;
  createdAt: string;
  editedAt: string | null;
  /** The author has mentionEveryone in this space channel and wrote `@everyone`: every member is notified. */
  mentionsEveryone: boolean;
  /**
   * Likewise with `@here`: only members online when it is sent are notified, so clients treat it
   * as a mention of themselves only when it arrives live (message:new); unread mention counts ignore it.
   */
  mentionsHere: boolean;
  /** History and sync pages carry them (absent: none); other events never do. */
  reactions?: Reaction[];
  /** Written by a room guest (authorId is null): who, by the name they gave. */
  guest?: { id: string; name: string };
  /** Files, in the order sent: on the send's answer, message:new, pages and edits (absent: none). */
  attachments?: Attachment[];
}

export interface Conversation {
  id: string;
  kind: "dm" | "group" | "channel" | "room";
  /** Set for space channels. */
  spaceId: string | null;
  name: string | null;
  ownerId: string | null;
  members: PublicUser[];
  /** Each member's read mark, for "seen". */
  reads: Record<string, string | null>;
  /** hello's conversations give the files of the last message as a count only. */
  lastMessage: (Message & { attachmentCount?: number }) | null;
  unreadCount: number;
  /** Per viewer: how many of the unread messages mention them (see mentionsUser). */
  mentionCount: number;
  /** Per viewer: which of its messages chime and notify (see defaultNotifyLevel). */
  notifyLevel: NotifyLevel;
  /** A DM where either side blocks the other, or whose other account was deleted: history stays, sending is refused. */
  readOnly: ReadOnly;
  createdAt: string;
}

/**
 * A member who never chose a level hears every message of a DM or group (and a call's or room's
 * chat), and only mentions in a space channel, whose traffic is a crowd's.
 */
export function defaultNotifyLevel(kind: Conversation["kind"]): NotifyLevel {
  return kind === "channel" ? "mentions" : "all";
}

export interface Friend {
  user: PublicUser;
  presence: PresenceStatus;
  conversationId: string;
}

export interface FriendRequest {
  id: string;
  fromId: string;
  toId: string;
  user: PublicUser;
  createdAt: string;
}

// ---------------------------------------------------------------------------
// Spaces
// ---------------------------------------------------------------------------

export const SpaceName = Str().trim().min(1).max(100);
/** Text channels read like Discord's: lowercase words joined by dashes. */
export const ChannelName = Str().trim().min(1).max(100);
export const CreateSpaceBody = z.object({ name: SpaceName }).strict();
export const UpdateSpaceBody = z
  .object({ name: SpaceName.optional(), joinMessages: z.boolean().optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.joinMessages !== undefined, { message: "Send name or joinMessages" });
export const DeleteSpaceBody = z.object({ confirm: Str() }).strict();
export const CreateChannelBody = z.object({ name: ChannelName, kind: z.enum(["text", "voice"]) }).strict();
export const UpdateChannelBody = z.object({ name: ChannelName }).strict();
export const ReorderChannelsBody = z.object({ channelIds: z.array(Id).min(1).max(500) }).strict();
export const SetRoleBody = z.object({ role: z.enum(["admin", "member"]) }).strict();
export const TransferBody = z.object({ userId: Id }).strict();
export const BanBody = z.object({ userId: Id }).strict();
export const CreateInviteBody = z
  .object({
    maxUses: z.number().int().min(1).max(10_000).optional(),
    expiresInSeconds: z.number().int().min(60).max(30 * 24 * 3600).optional(),
  })
  .strict();
export const PresenceVisibility = z.enum(["friends", "spaces"]);

export interface Channel {
  id: string;
  spaceId: string;
  name: string;
  kind: "text" | "voice";
  position: number;
  /** Per viewer; absent in broadcasts. */
  unreadCount?: number;
  /** Per viewer: unread messages that mention them by @username or everyone; absent in broadcasts. */
  mentionCount?: number;
  /** Per viewer, which messages notify them; absent in broadcasts. */
  notifyLevel?: NotifyLevel;
  lastMessageId: string | null;
  /** Who is in the voice channel now, and who of them is muted or speaking (voice:state keeps them live). */
  voiceMembers: string[];
  voiceMuted: string[];
  voiceSpeaking: string[];
}

export interface Space {
  id: string;
  name: string;
  iconUrl: string | null;
  ownerId: string;
  /** The viewer's role. */
  role: "owner" | "admin" | "member";
  memberCount: number;
  channels: Channel[];
  createdAt: string;
  /** Joins post "X joined the space" in the first text channel. */
  joinMessages: boolean;
}

export interface SpaceMember {
  user: PublicUser;
  role: "owner" | "admin" | "member";
  presence: PresenceStatus;
  joinedAt: string;
}

export interface Invite {
  code: string;
  url: string;
  spaceId: string;
  maxUses: number | null;
  uses: number;
  expiresAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface InvitePreview {
  code: string;
  space: { id: string; name: string; iconUrl: string | null; memberCount: number };
  expiresAt: string | null;
}

// ---------------------------------------------------------------------------
// WebSocket frames. Client frames carry an optional `id`; with one they get one reply.
// ---------------------------------------------------------------------------

export const ClientFrame = z.discriminatedUnion("type", [
  frame("hello", { resume: z.object({ lastEventId: Str().max(64).optional() }).strict().optional() }),
  frame("presence:heartbeat", {}),
  frame("presence:set", { status: SettablePresence }),
  frame("message:send", { conversationId: Id, clientId: ClientId, content: SendContent, replyToId: Id.optional(), threadId: Id.optional(), attachmentIds: AttachmentIds.optional() }),
  frame("thread:read", { threadId: Id, messageId: Id }),
  frame("typing:start", { conversationId: Id }),
  frame("typing:stop", { conversationId: Id }),
  frame("read:mark", { conversationId: Id, messageId: Id }),
  frame("message:edit", { messageId: Id, content: Content }),
  frame("message:delete", { messageId: Id }),
  frame("reaction:add", { messageId: Id, emoji: ReactionEmoji }),
  frame("reaction:remove", { messageId: Id, emoji: ReactionEmoji }),
  frame("sync", { conversationId: Id, after: Id.optional(), limit: z.number().int().min(1).max(100).optional() }),
  ...CallClientFrames,
  ...SfuClientFrames,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame["type"];

export type ServerEvent =
  | { type: "message:new"; message: Message }
  | { type: "typing"; conversationId: string; userId: string; active: boolean }
  | { type: "read:updated"; conversationId: string; userId: string; messageId: string }
  /** The reader's own mark in a thread moved (to their own sockets). */
  | { type: "thread:read"; conversationId: string; threadId: string; messageId: string }
  | { type: "presence:update"; userId: string; status: PresenceStatus }
  /** A profile changed (name, avatar): to everyone who shows it — friends, both ends of pending requests, fellow members. */
  | { type: "user:updated"; user: PublicUser }
  /** The user's own account changed outside this device (email verified or changed): to their own sockets. */
  | { type: "me:updated"; user: Me }
  | { type: "friend:request"; request: FriendRequest }
  | { type: "friend:request-removed"; requestId: string }
  | { type: "friend:accepted"; friend: Friend }
  | { type: "friend:removed"; userId: string }
  | { type: "conversation:new"; conversation: Conversation }
  | { type: "conversation:updated"; conversation: Conversation }
  | { type: "conversation:removed"; conversationId: string }
  /** To the muting user's own sockets only (DMs, groups and channels). */
  | { type: "conversation:notify-level"; conversationId: string; level: NotifyLevel }
  | CallServerEvent
  | SfuServerEvent
  | { type: "space:new"; space: Space }
  | { type: "space:updated"; space: Omit<Space, "role" | "channels"> }
  | { type: "space:removed"; spaceId: string; reason: "left" | "kicked" | "banned" | "deleted" }
  | { type: "channel:created"; channel: Channel }
  | { type: "channel:updated"; channel: Channel }
  | { type: "channel:deleted"; spaceId: string; channelId: string }
  | { type: "member:joined"; spaceId: string; member: SpaceMember }
  | { type: "member:updated"; spaceId: string; member: SpaceMember }
  | { type: "member:left"; spaceId: string; userId: string }
  /**
   * A thread reply's delete also carries its root's totals afterwards (null: no live reply
   * left) and the reply's author, so every client updates the root's summary.
   */
  | { type: "message:deleted"; conversationId: string; messageId: string; thread?: { rootId: string; authorId: string | null; totals: ThreadTotals | null } }
  /** An edit: the whole message with its new content and editedAt. */
  | { type: "message:updated"; message: Message }
  /** One user's reaction came or went; `count` is how many have that emoji on the message now. */
  | { type: "reaction:updated"; conversationId: string; messageId: string; emoji: string; userId: string; added: boolean; count: number }
  | { type: "error"; error: { code: string; message: string } };

export const WS_CLOSE = {
  /** The access token expired or the session ended: refresh, then reconnect. */
  UNAUTHORIZED: 4401,
  POLICY: 1008,
  TOO_BIG: 1009,
  /** Silent for too long (no heartbeat). */
  STALE: 4408,
  GOING_AWAY: 1001,
  /** This node is restarting or shutting down (SIGTERM): reconnect at once, to any node. */
  RESTART: 1012,
} as const;
