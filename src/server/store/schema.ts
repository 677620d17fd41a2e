/** Table shapes as Kysely sees them. Times are ISO-8601 UTC strings in both dialects. */
import type { Generated } from "kysely";

export interface UsersTable {
  id: string;
  email: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  password_hash: string | null;
  /** 0 or 1: an OIDC provider vouched for the email (a password registration never does). */
  email_verified: Generated<number>;
  /** Who sees this user's presence: friends only, or friends and members of their spaces. */
  presence_visibility: Generated<PresenceVisibility>;
  /** 0 or 1: may read the mail outbox (and later the admin console); the first account is (migration 0021). */
  instance_admin: Generated<number>;
  /** While a scheduled deletion waits out its grace period: when it falls due (migration 0023). */
  deletion_due_at: Generated<string | null>;
  /** When a sweeper claimed the due deletion; a claim older than the lease is taken over. */
  deletion_claimed_at: Generated<string | null>;
  /** When the account was erased; the row stays as "Deleted user". */
  deleted_at: Generated<string | null>;
  /** Set by an instance admin: the account cannot sign in (migration 0024). */
  disabled_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

export type PresenceVisibility = "friends" | "spaces";

/** Failed sign-ins per (account key, client address); ip "*" is the account's total (migration 0009). */
export interface LoginThrottleTable {
  key: string;
  ip: string;
  failures: number;
  blocked_until: string | null;
  updated_at: string;
}

/** One emailed link (migration 0021): single-use through used_at. */
export interface AccountTokensTable {
  id: string;
  user_id: string;
  purpose: "email" | "password";
  /** The address the link was sent to: verifying proves this one, and only while it is the account's. */
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** One security event (migration 0022); details is a JSON object. */
export interface AuditEventsTable {
  id: string;
  at: string;
  kind: string;
  actor_id: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
}

/** A user's report of a message to the instance admins (migration 0024); content as it was then. */
export interface MessageReportsTable {
  id: string;
  message_id: string;
  conversation_id: string;
  reporter_id: string;
  author_id: string | null;
  /** A guest's message: the name they posted it under. */
  guest_name: string | null;
  content: string;
  reason: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** Mail kept for the instance admin when no SMTP server is configured. */
export interface MailOutboxTable {
  id: string;
  to_address: string;
  subject: string;
  text: string;
  created_at: string;
}

export interface OidcIdentitiesTable {
  provider: string;
  subject: string;
  user_id: string;
  created_at: string;
}

/** A session is one refresh-token family: one sign-in on one device. */
export interface SessionsTable {
  id: string;
  user_id: string;
  user_agent: string;
  ip: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Every refresh token ever issued, by hash; a used one presented again is reuse. */
export interface RefreshTokensTable {
  hash: string;
  session_id: string;
  created_at: string;
  used_at: string | null;
}


/** A TOTP second factor (migration 0019); `secret` is sealed (auth/secret-box.ts). */
export interface TotpFactorsTable {
  user_id: string;
  secret: string;
  /** Null while the enrolment awaits its confirmation code. */
  enabled_at: string | null;
  /** The newest time step accepted; codes at or before it are refused as replays. */
  last_step: number | null;
  /** Wrong codes since the last right one. */
  failures: Generated<number>;
  blocked_until: string | null;
  created_at: string;
}

export interface TotpRecoveryCodesTable {
  user_id: string;
  /** Keyed hash of the code (auth/totp.ts says why not argon2id). */
  hash: string;
  used_at: string | null;
  created_at: string;
}

/** A sign-in waiting for its second factor, by the SHA-256 of its token. */
export interface TotpChallengesTable {
  hash: string;
  user_id: string;
  failures: Generated<number>;
  created_at: string;
  expires_at: string;
}

export interface FriendRequestsTable {
  id: string;
  from_id: string;
  to_id: string;
  created_at: string;
}

/** Stored in both directions so "my friends" is one indexed lookup. */
export interface FriendshipsTable {
  user_id: string;
  friend_id: string;
  conversation_id: string;
  created_at: string;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: string;
}

export type ConversationKind = "dm" | "group" | "channel" | "room";

export interface ConversationsTable {
  id: string;
  kind: ConversationKind;
  name: string | null;
  owner_id: string | null;
  /** "<smaller id>:<larger id>" for DMs, so a pair has exactly one DM. */
  dm_key: string | null;
  created_at: string;
  space_id: string | null;
  channel_kind: ChannelKind | null;
  position: number | null;
}

export type ChannelKind = "text" | "voice";
export type SpaceRole = "owner" | "admin" | "member";

export interface SpacesTable {
  id: string;
  name: string;
  owner_id: string;
  /** File name of the uploaded icon under the data directory, or null. */
  icon: string | null;
  created_at: string;
  /** 1 when joins are announced in the first text channel. */
  join_messages: Generated<number>;
}

export interface SpaceMembersTable {
  space_id: string;
  user_id: string;
  role: SpaceRole;
  joined_at: string;
}

export interface SpaceBansTable {
  space_id: string;
  user_id: string;
  banned_by: string;
  created_at: string;
}

export interface InvitesTable {
  code: string;
  space_id: string;
  created_by: string;
  max_uses: number | null;
  uses: Generated<number>;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  joined_at: string;
  last_read_id: string | null;
  /** What notifies this member; null: the conversation kind's default. */
  notify_level: NotifyLevel | null;
}

/** How much of a conversation notifies a member: every message, only mentions of them, nothing. */
export type NotifyLevel = "all" | "mentions" | "nothing";

export type MessageKind = "text" | "system";

export interface MessagesTable {
  id: string;
  conversation_id: string;
  author_id: string | null;
  client_id: string | null;
  kind: MessageKind;
  content: string;
  reply_to_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** 0 or 1. */
  mentions_everyone: Generated<number>;
  /** 0 or 1: an allowed `@here` (migration 0027). */
  mentions_here: Generated<number>;
  /** Set (with guest_name) for a room guest's message, whose author_id is null. */
  guest_id: Generated<string | null>;
  guest_name: Generated<string | null>;
  /** A thread reply: its root's id (migration 0015). Null in the main timeline. */
  thread_id: Generated<string | null>;
}

export interface RoomsTable {
  id: string;
  slug: string;
  name: string;
  host_id: string;
  allow_guests: number;
  locked: number;
  conversation_id: string;
  created_at: string;
}

/** One user's reaction with one emoji to one message (migration 0013). */
export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: string;
}

/** The text an edit replaced (migration 0014). */
export interface MessageEditsTable {
  id: string;
  message_id: string;
  content: string;
  edited_at: string;
}

/** A member's read mark in one thread (migration 0015). */
export interface ThreadReadsTable {
  thread_id: string;
  user_id: string;
  last_read_id: string;
}

/** One upload (migration 0018); message_id null until a send attaches it. */
export interface AttachmentsTable {
  id: string;
  /** The uploading user, or null for a room guest's upload (then uploader_guest_id). */
  uploader_id: string | null;
  uploader_guest_id: string | null;
  message_id: string | null;
  position: Generated<number>;
  sha256: string;
  thumb_sha256: string | null;
  name: string;
  size: number;
  mime: string;
  kind: "image" | "video" | "audio" | "file";
  width: number | null;
  height: number | null;
  created_at: string;
}

export type ExportStatus = "pending" | "running" | "ready" | "failed" | "expired";

/** A user's data export (migration 0025): one row per user, replaced by their next request. */
export interface AccountExportsTable {
  user_id: string;
  id: string;
  status: ExportStatus;
  /** Items written (messages, then files) out of total. */
  progress: Generated<number>;
  total: Generated<number>;
  /** The zip in the file store, once ready. */
  file_key: string | null;
  size: number | null;
  created_at: string;
  /** The worker's claim, renewed as it goes; a stale one is taken over. */
  claimed_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
}

export interface Database {
  users: UsersTable;
  oidc_identities: OidcIdentitiesTable;
  login_throttle: LoginThrottleTable;
  account_tokens: AccountTokensTable;
  mail_outbox: MailOutboxTable;
  audit_events: AuditEventsTable;
  message_reports: MessageReportsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  totp_factors: TotpFactorsTable;
  totp_recovery_codes: TotpRecoveryCodesTable;
  totp_challenges: TotpChallengesTable;
  friend_requests: FriendRequestsTable;
  friendships: FriendshipsTable;
  blocks: BlocksTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  messages: MessagesTable;
  reactions: ReactionsTable;
  message_edits: MessageEditsTable;
  thread_reads: ThreadReadsTable;
  spaces: SpacesTable;
  space_members: SpaceMembersTable;
  space_bans: SpaceBansTable;
  invites: InvitesTable;
  rooms: RoomsTable;
  attachments: AttachmentsTable;
  account_exports: AccountExportsTable;
}
