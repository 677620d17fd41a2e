/** Conversations, their members and read marks, and messages. */
import { sql, type Kysely, type Selectable } from "kysely";
import type { ConversationsTable, Database, MessagesTable, MessageKind, NotifyLevel } from "./schema";
import type { UserRow } from "./accounts";
import { AppError } from "../../shared/errors";
import { defaultNotifyLevel } from "../../shared/protocol";
import { coMemberIds, countNamedMentions, dmKey, lastMessageId, namedMentionCandidates, prepared, runSql, valuesStatement } from "./sql";
import { InsertBatcher } from "./message-batcher";
import { TurnBatch } from "./turn-batch";

export type ConversationRow = Selectable<ConversationsTable>;
/** A conversation as listed: with its newest message id, computed from the messages index. */
export type ListedConversation = ConversationRow & { last_message_id: string | null };
export type MessageRow = Selectable<MessagesTable>;

export interface NewMessage {
  id: string;
  conversationId: string;
  authorId: string | null;
  clientId: string | null;
  kind: MessageKind;
  content: string;
  replyToId: string | null;
  /** A thread reply: the root's id (checked by the caller). */
  threadId?: string | null;
  /** Checked by the caller: the author may notify everyone here. */
  mentionsEveryone?: boolean;
  /** Checked by the caller likewise, for `@here`. */
  mentionsHere?: boolean;
  /** A room guest's message (authorId null). */
  guest?: { id: string; name: string };
  now: string;
}

export interface ConversationSummary {
  conversation: ListedConversation;
  members: Array<{ user: UserRow; lastReadId: string | null }>;
  lastMessage: MessageRow | null;
  unreadCount: number;
  /** Unread messages that mention the viewer by @username, or everyone (space channels). */
  mentionCount: number;
  lastReadId: string | null;
  /** What notifies the viewer (their choice, else the kind's default). */
  notifyLevel: NotifyLevel;
}

export type SummaryFilter = { id: string } | { spaceId: string } | { direct: true } | { channels: true };

export interface ChatStore {
  conversation(id: string): Promise<ConversationRow | undefined>;
  /** The conversation if the user is a member of it (one indexed lookup on the hot send path). */
  memberConversation(conversationId: string, userId: string): Promise<ConversationRow | undefined>;
  /**
   * memberConversation for a write, with whether it is a read-only DM (either side blocks the
   * other; either account is deleted), in the same one query: every send asks this first.
   */
  writableConversation(conversationId: string, userId: string): Promise<{ conversation: ConversationRow; blocked: boolean; deleted: boolean } | undefined>;
  memberIds(conversationId: string): Promise<string[]>;
  /** Everyone who shares a DM or group with the user. */
  coMemberIds(userId: string): Promise<string[]>;
  dmBetween(a: string, b: string): Promise<string | undefined>;
  /**
   * The user's conversations with members, last message and unread count: one by id, the
   * channels of one space, the channels of all their spaces, or (by default) the direct ones
   * (DMs and groups). Three queries whatever the number of conversations.
   */
  summaries(userId: string, filter?: SummaryFilter): Promise<ConversationSummary[]>;
  createGroup(c: { id: string; ownerId: string; name: string | null; memberIds: string[]; now: string }): Promise<ConversationRow>;
  rename(id: string, name: string | null): Promise<void>;
  /** Adds who is not yet a member, refusing (and adding no one) if the group would exceed `max`. */
  addMembers(id: string, userIds: string[], now: string, max: number): Promise<string[]>;
  removeMember(id: string, userId: string): Promise<boolean>;
  /** Inserts unless (author, clientId) exists; then returns the original with created=false. */
  insertMessage(m: NewMessage): Promise<{ message: MessageRow; created: boolean }>;
  message(id: string): Promise<MessageRow | undefined>;
  messageByClientId(authorId: string, clientId: string): Promise<MessageRow | undefined>;
  /** Soft delete: the row stays (cursors keep working) with its content, reactions and edit history erased. */
  deleteMessage(id: string, now: string): Promise<void>;
  /** The main timeline; with `threads`, thread replies too (catch-up hands both over). */
  messages(conversationId: string, page: { before?: string; after?: string; limit: number; threads?: boolean }): Promise<MessageRow[]>;
  /** Moves the read mark forward only; returns whether it moved. */
  markRead(conversationId: string, userId: string, messageId: string): Promise<boolean>;
  /** Returns whether the user is a member (and so the level was stored). */
  setNotifyLevel(conversationId: string, userId: string, level: NotifyLevel): Promise<boolean>;
}

/** Every send asks this first. */
const memberConversation = prepared(2, (db, conversationId: string, userId: string) =>
  db
    .selectFrom("conversations as c")
    .innerJoin("conversation_members as m", (j) => j.onRef("m.conversation_id", "=", "c.id").on("m.user_id", "=", userId))
    .selectAll("c")
    .where("c.id", "=", conversationId),
);

/** The (conversation, user) pairs one writable-check query answers: 2 parameters each. */
const WRITABLE_BATCH = 256;

/**
 * writableConversation for n (conversation, user) pairs in one query. A DM's members are its two
 * people for good (nobody leaves a DM; an erased account stays a member), so its peer is the
 * other member. CASE keeps groups and channels, whatever their size, from looking at their
 * members at all.
 */
const writableQuery = valuesStatement(
  2,
  (pairs) => `with v (conversation_id, user_id) as (values ${pairs})
    select c.*, m.user_id as writer_id,
      case when c.kind = 'dm' then exists (select 1 from conversation_members p inner join blocks b
        on (b.blocker_id = v.user_id and b.blocked_id = p.user_id) or (b.blocker_id = p.user_id and b.blocked_id = v.user_id)
        where p.conversation_id = c.id and p.user_id <> v.user_id) else false end as dm_blocked,
      case when c.kind = 'dm' then exists (select 1 from conversation_members p inner join users u on u.id = p.user_id
        where p.conversation_id = c.id and u.deleted_at is not null) else false end as dm_deleted
    from v
    inner join conversations c on c.id = v.conversation_id
    inner join conversation_members m on m.conversation_id = c.id and m.user_id = v.user_id`,
);

type WritableRow = ConversationRow & { writer_id: string; dm_blocked: boolean | number; dm_deleted: boolean | number };
const writableKey = (conversationId: string, userId: string) => `${conversationId}\u0000${userId}`;

export class KyselyChatStore implements ChatStore {
  readonly #batcher: InsertBatcher;
  /** Every send asks writableConversation first: the asks of one turn go out as one query. */
  readonly #writable: TurnBatch<{ conversationId: string; userId: string }, WritableRow>;

  constructor(
    private readonly db: Kysely<Database>,
    batchesInFlight = 1,
  ) {
    this.#batcher = new InsertBatcher(db, batchesInFlight);
    this.#writable = new TurnBatch(
      (k) => writableKey(k.conversationId, k.userId),
      async (keys) => {
        const rows = await runSql<WritableRow>(db, writableQuery(db, keys.length), keys.flatMap((k) => [k.conversationId, k.userId]));
        return new Map(rows.map((r) => [writableKey(r.id, r.writer_id), r]));
      },
      WRITABLE_BATCH,
    );
  }

  conversation(id: string) {
    return this.db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async memberConversation(conversationId: string, userId: string) {
    return (await memberConversation(this.db, conversationId, userId))[0];
  }

  async writableConversation(conversationId: string, userId: string) {
    const row = await this.#writable.get({ conversationId, userId });
    if (!row) return undefined;
    // Each caller its own copy: callers of one turn share the row.
    const { dm_blocked, dm_deleted, writer_id: _, ...conversation } = row;
    return { conversation, blocked: Boolean(dm_blocked), deleted: Boolean(dm_deleted) };
  }

  async memberIds(conversationId: string) {
    const rows = await this.db.selectFrom("conversation_members").select("user_id").where("conversation_id", "=", conversationId).execute();
    return rows.map((r) => r.user_id);
  }

  coMemberIds(userId: string) {
    return coMemberIds(this.db, "conversation_members", userId);
  }

  async dmBetween(a: string, b: string) {
    const row = await this.db.selectFrom("conversations").select("id").where("dm_key", "=", dmKey(a, b)).executeTakeFirst();
    return row?.id;
  }

  async summaries(userId: string, filter: SummaryFilter = { direct: true }): Promise<ConversationSummary[]> {
    let q = this.db
      .selectFrom("conversation_members as cm")
      .innerJoin("conversations as c", "c.id", "cm.conversation_id")
      .selectAll("c")
      .select(lastMessageId("c.id").as("last_message_id"))
      .select(["cm.last_read_id as my_last_read", "cm.notify_level as my_notify"])
      .select((eb) =>
        eb
          .selectFrom("messages as m")
          .select(sql<number>`count(*)`.as("n"))
          .whereRef("m.conversation_id", "=", "cm.conversation_id")
          .where("m.thread_id", "is", null)
          .where("m.deleted_at", "is", null)
          .where((w) => w.or([w("m.author_id", "is", null), w("m.author_id", "!=", userId)]))
          .where((w) => w.or([w("cm.last_read_id", "is", null), w("m.id", ">", w.ref("cm.last_read_id"))]))
          .as("unread"),
      )
      .select((eb) =>
        eb
          .selectFrom("messages as m")
          .select(sql<number>`count(*)`.as("n"))
          .whereRef("m.conversation_id", "=", "cm.conversation_id")
          .where("m.thread_id", "is", null)
          .where("m.mentions_everyone", "=", 1)
          .where("m.deleted_at", "is", null)
          .where("m.author_id", "!=", userId)
          .where((w) => w.or([w("cm.last_read_id", "is", null), w("m.id", ">", w.ref("cm.last_read_id"))]))
          // At "nothing" an @everyone is no mention (Discord's Nothing level); a mention by name still is.
          .where((w) => w.or([w("cm.notify_level", "is", null), w("cm.notify_level", "!=", "nothing")]))
          .as("mentions"),
      )
      .where("cm.user_id", "=", userId);
    if ("id" in filter) q = q.where("c.id", "=", filter.id);
    else if ("spaceId" in filter) q = q.where("c.space_id", "=", filter.spaceId);
    else if ("channels" in filter) q = q.where("c.kind", "=", "channel");
    else q = q.where("c.kind", "in", ["dm", "group"]);
    const rows = await q.execute();
    if (rows.length === 0) return [];
    const direct = rows.filter((r) => r.kind !== "channel").map((r) => r.id);
    const members = direct.length === 0 ? [] : await this.db
      .selectFrom("conversation_members as cm")
      .innerJoin("users as u", "u.id", "cm.user_id")
      .selectAll("u")
      .select(["cm.conversation_id as cm_conversation", "cm.last_read_id as cm_last_read"])
      .where("cm.conversation_id", "in", direct)
      .execute();
    let candidates = namedMentionCandidates(this.db, userId, [...new Set(rows.map((r) => r.kind))]);
    if ("id" in filter) candidates = candidates.where("c.id", "=", filter.id);
    else if ("spaceId" in filter) candidates = candidates.where("c.space_id", "=", filter.spaceId);
    const named = countNamedMentions(await candidates.execute());
    const lastIds = rows.map((r) => r.last_message_id).filter((x): x is string => x !== null);
    const last = lastIds.length ? await this.db.selectFrom("messages").selectAll().where("id", "in", lastIds).execute() : [];
    const lastById = new Map(last.map((m) => [m.id, m]));
    const byConv = new Map<string, ConversationSummary["members"]>();
    for (const { cm_conversation, cm_last_read, ...user } of members) {
      let list = byConv.get(cm_conversation);
      if (!list) byConv.set(cm_conversation, (list = []));
      list.push({ user, lastReadId: cm_last_read });
    }
    return rows
      .map(({ my_last_read, my_notify, unread, mentions, ...conversation }) => ({
        conversation,
        // A channel's members are its space's members: listed with the space, not per channel.
        members: conversation.kind === "channel" ? [] : (byConv.get(conversation.id) ?? []),
        lastMessage: (conversation.last_message_id && lastById.get(conversation.last_message_id)) || null,
        unreadCount: Number(unread ?? 0),
        mentionCount: Number(mentions ?? 0) + (named.get(conversation.id) ?? 0),
        lastReadId: my_last_read,
        notifyLevel: my_notify ?? defaultNotifyLevel(conversation.kind),
      }))
      .sort((a, b) => (b.conversation.last_message_id ?? b.conversation.created_at).localeCompare(a.conversation.last_message_id ?? a.conversation.created_at));
  }

  createGroup(c: { id: string; ownerId: string; name: string | null; memberIds: string[]; now: string }) {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto("conversations")
        .values({ id: c.id, kind: "group", name: c.name, owner_id: c.ownerId, dm_key: null, created_at: c.now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("conversation_members")
        .values([...new Set([c.ownerId, ...c.memberIds])].map((user_id) => ({ conversation_id: c.id, user_id, joined_at: c.now, last_read_id: null })))
        .execute();
      return row;
    });
  }

  async rename(id: string, name: string | null) {
    await this.db.updateTable("conversations").set({ name }).where("id", "=", id).execute();
  }

  async addMembers(id: string, userIds: string[], now: string, max: number) {
    if (userIds.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      // A no-op write locks the conversation's row, so concurrent adds count one after another.
      await tx.updateTable("conversations").set({ name: sql`name` }).where("id", "=", id).execute();
      const rows = await tx
        .insertInto("conversation_members")
        .values(userIds.map((user_id) => ({ conversation_id: id, user_id, joined_at: now, last_read_id: null })))
        .onConflict((oc) => oc.columns(["conversation_id", "user_id"]).doNothing())
        .returning("user_id")
        .execute();
      const { n } = await tx.selectFrom("conversation_members").select((eb) => eb.fn.countAll<number>().as("n")).where("conversation_id", "=", id).executeTakeFirstOrThrow();
      if (Number(n) > max) throw new AppError("VALIDATION_ERROR", `A group holds at most ${max} members`);
      return rows.map((r) => r.user_id);
    });
  }

  async removeMember(id: string, userId: string) {
    const res = await this.db.deleteFrom("conversation_members").where("conversation_id", "=", id).where("user_id", "=", userId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  insertMessage(m: NewMessage): Promise<{ message: MessageRow; created: boolean }> {
    return this.#batcher.insert(m);
  }

  message(id: string) {
    return this.db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirst();
  }

  messageByClientId(authorId: string, clientId: string) {
    return this.db.selectFrom("messages").selectAll().where("author_id", "=", authorId).where("client_id", "=", clientId).executeTakeFirst();
  }

  async deleteMessage(id: string, now: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable("messages").set({ deleted_at: now, content: "" }).where("id", "=", id).execute();
      // What was said goes with it: reactions and the texts of earlier edits.
      await tx.deleteFrom("reactions").where("message_id", "=", id).execute();
      await tx.deleteFrom("message_edits").where("message_id", "=", id).execute();
    });
  }

  async messages(conversationId: string, page: { before?: string; after?: string; limit: number; threads?: boolean }) {
    let q = this.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId);
    if (!page.threads) q = q.where("thread_id", "is", null);
    if (page.after !== undefined) {
      q = q.where("id", ">", page.after).orderBy("id", "asc");
      if (page.before) q = q.where("id", "<", page.before);
      return q.limit(page.limit).execute();
    }
    if (page.before) q = q.where("id", "<", page.before);
    const rows = await q.orderBy("id", "desc").limit(page.limit).execute();
    return rows.reverse();
  }

  async markRead(conversationId: string, userId: string, messageId: string) {
    const res = await this.db
      .updateTable("conversation_members")
      .set({ last_read_id: messageId })
      .where("conversation_id", "=", conversationId)
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("last_read_id", "is", null), eb("last_read_id", "<", messageId)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async setNotifyLevel(conversationId: string, userId: string, level: NotifyLevel) {
    const res = await this.db
      .updateTable("conversation_members")
      .set({ notify_level: level })
      .where("conversation_id", "=", conversationId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
