/**
 * The Store: every read and write of durable state, grouped by area. One Kysely
 * implementation serves both SQLite and PostgreSQL; the dialect is chosen by openStore.
 */
import { Kysely, Migrator, sql, type Dialect, type KyselyPlugin } from "kysely";
import type { Database } from "./schema";
import { migrations } from "./migrations";
import { KyselyAccountStore, type AccountStore } from "./accounts";
import { KyselySocialStore, type SocialStore } from "./social";
import { KyselyChatStore, type ChatStore } from "./chat";
import { KyselySpaceStore, type SpaceStore } from "./spaces";
import { KyselyLoginThrottleStore, type LoginThrottleStore } from "./throttle";
import { KyselyRoomStore, type RoomStore } from "./rooms";
import { KyselyHelloStore, type HelloStore } from "./hello";
import { KyselyReactionStore, type ReactionStore } from "./reactions";
import { KyselyMessageEditStore, type MessageEditStore } from "./edits";
import { KyselyThreadStore, type ThreadStore } from "./threads";
import { KyselySearchStore, type SearchStore } from "./search";
import { KyselyAttachmentStore, type AttachmentStore } from "./attachments";
import { KyselyTotpStore, type TotpStore } from "./totp";
import { KyselyMailStore, type MailStore } from "./mail";
import { KyselyAuditStore, type AuditStore } from "./audit";
import { KyselyAccountDeletionStore, type AccountDeletionStore } from "./deletion";
import { KyselyAdminStore, type AdminStore } from "./admin";
import { KyselyExportStore, type ExportStore } from "./exports";

export type { AccountStore, NewSession, NewUser, RotateResult, SessionRow, UserRow } from "./accounts";
export type { SocialStore, FriendRequestRow, FriendRow } from "./social";
export type { ChatStore, ConversationRow, ConversationSummary, ListedConversation, MessageRow, NewMessage } from "./chat";
export type { RoomStore, RoomRow } from "./rooms";
export type { HelloStore, HelloChannelRow, HelloConversationRow, HelloFriendRow, HelloMemberRow, HelloRequestRow, ProfileRow } from "./hello";
export type { ReactionStore, ReactionRow, AddReactionResult } from "./reactions";
export type { MessageEditStore, MessageEditRow } from "./edits";
export type { ThreadStore, ThreadSummaryRow, ThreadParticipantRow, ReplyTargetRow } from "./threads";
export type { SearchStore, SearchCriteria, SearchRow } from "./search";
export type { AttachmentStore, AttachmentRow, NewAttachment, FileKeys } from "./attachments";
export type { TotpStore, TotpFactorRow, TotpChallengeRow } from "./totp";
export type { MailStore, AccountTokenRow, OutboxRow, TokenPurpose } from "./mail";
export type { AuditStore, AuditRow, AuditListRow, AuditFilter } from "./audit";
export type { AccountDeletionStore } from "./deletion";
export type { AdminStore, AdminUserRow, AdminSpaceRow, AdminReportRow, ReportRow } from "./admin";
export type { ExportStore, ExportRow, ExportMessageRow } from "./exports";
export type { SpaceStore, SpaceRow, InviteRow, InviteAcceptResult, NewChannel } from "./spaces";

export interface Store {
  readonly accounts: AccountStore;
  readonly social: SocialStore;
  readonly chat: ChatStore;
  readonly spaces: SpaceStore;
  readonly throttle: LoginThrottleStore;
  readonly rooms: RoomStore;
  /** hello's reads (also the list of spaces' channels with unread counts). */
  readonly hello: HelloStore;
  readonly reactions: ReactionStore;
  readonly edits: MessageEditStore;
  readonly threads: ThreadStore;
  /** Message search (full-text index of migration 0016). */
  readonly search: SearchStore;
  /** Uploads and the messages they are attached to (migration 0018). */
  readonly attachments: AttachmentStore;
  /** Two-factor sign-in: TOTP factors, recovery codes, pending sign-ins (migration 0019). */
  readonly totp: TotpStore;
  /** Emailed links and the mail outbox (migration 0021). */
  readonly mail: MailStore;
  /** Security events (migration 0022). */
  readonly audit: AuditStore;
  /** Scheduled account deletions and erasure (migration 0023). */
  readonly deletion: AccountDeletionStore;
  /** The admin console: users, spaces, message reports (migration 0024). */
  readonly admin: AdminStore;
  /** Data exports (migration 0025). */
  readonly exports: ExportStore;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

export class KyselyStore implements Store {
  readonly db: Kysely<Database>;
  readonly accounts: AccountStore;
  readonly social: SocialStore;
  readonly chat: ChatStore;
  readonly spaces: SpaceStore;
  readonly throttle: LoginThrottleStore;
  readonly rooms: RoomStore;
  readonly hello: HelloStore;
  readonly reactions: ReactionStore;
  readonly edits: MessageEditStore;
  readonly threads: ThreadStore;
  readonly search: SearchStore;
  readonly attachments: AttachmentStore;
  readonly totp: TotpStore;
  readonly mail: MailStore;
  readonly audit: AuditStore;
  readonly deletion: AccountDeletionStore;
  readonly admin: AdminStore;
  readonly exports: ExportStore;
  #closed = false;

  /** Plugins see every query run (tests count them through one); message batches in flight: batchesInFlight. */
  constructor(dialect: Dialect, plugins: KyselyPlugin[] = [], messageBatchesInFlight = 1) {
    this.db = new Kysely<Database>({ dialect, plugins });
    this.accounts = new KyselyAccountStore(this.db);
    this.social = new KyselySocialStore(this.db);
    this.chat = new KyselyChatStore(this.db, messageBatchesInFlight);
    this.spaces = new KyselySpaceStore(this.db);
    this.throttle = new KyselyLoginThrottleStore(this.db);
    this.rooms = new KyselyRoomStore(this.db);
    this.hello = new KyselyHelloStore(this.db);
    this.reactions = new KyselyReactionStore(this.db);
    this.edits = new KyselyMessageEditStore(this.db);
    this.threads = new KyselyThreadStore(this.db);
    this.search = new KyselySearchStore(this.db);
    this.attachments = new KyselyAttachmentStore(this.db);
    this.totp = new KyselyTotpStore(this.db);
    this.mail = new KyselyMailStore(this.db);
    this.audit = new KyselyAuditStore(this.db);
    this.deletion = new KyselyAccountDeletionStore(this.db);
    this.admin = new KyselyAdminStore(this.db);
    this.exports = new KyselyExportStore(this.db);
  }

  async migrate(): Promise<void> {
    // Numbers are handed out to parallel work ahead of time, so one may land after a higher one ran.
    const migrator = new Migrator({ db: this.db, provider: migrations, allowUnorderedMigrations: true });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}
