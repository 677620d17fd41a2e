/** Spaces, their members, roles, bans, channels (conversations of kind "channel") and invites. */
import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { ChannelKind, Database, InvitesTable, SpaceRole, SpacesTable } from "./schema";
import type { UserRow } from "./accounts";
import type { ConversationRow, ListedConversation } from "./chat";
import { acceptInvite, requireRoomForSpace } from "./invites";
import { coMemberIds, guarded, lastMessageId, NOT_APPLIED } from "./sql";

export type SpaceRow = Selectable<SpacesTable>;
export type InviteRow = Selectable<InvitesTable>;

export interface NewChannel {
  id: string;
  name: string;
  kind: ChannelKind;
}

export type InviteAcceptResult =
  | { kind: "joined" | "already-member"; spaceId: string }
  | { kind: "not-found" | "expired" | "exhausted" | "revoked" | "banned" };

export interface SpaceStore {
  /** Refuses with LIMIT_REACHED when the owner already belongs to `maxSpaces` spaces. */
  createSpace(s: { id: string; name: string; ownerId: string; channels: NewChannel[]; now: string; maxSpaces?: number }): Promise<SpaceRow>;
  space(id: string): Promise<SpaceRow | undefined>;
  role(spaceId: string, userId: string): Promise<SpaceRole | undefined>;
  isBanned(spaceId: string, userId: string): Promise<boolean>;
  spacesOf(userId: string): Promise<Array<SpaceRow & { role: SpaceRole; member_count: number }>>;
  memberCount(spaceId: string): Promise<number>;
  members(spaceId: string): Promise<Array<{ user: UserRow; role: SpaceRole; joinedAt: string }>>;
  memberIds(spaceId: string): Promise<string[]>;
  /** Everyone who shares at least one space with the user (not the user). */
  coMemberIds(userId: string): Promise<string[]>;
  update(id: string, patch: { name?: string; icon?: string | null; join_messages?: number }): Promise<void>;
  deleteSpace(id: string): Promise<void>;
  channels(spaceId: string): Promise<ListedConversation[]>;
  createChannel(spaceId: string, c: NewChannel, now: string): Promise<ConversationRow>;
  renameChannel(id: string, name: string): Promise<void>;
  deleteChannel(id: string): Promise<void>;
  /** Positions follow the given order; false (nothing changed) unless ids are exactly the space's channels. */
  reorderChannels(spaceId: string, ids: string[]): Promise<boolean>;
  removeMember(spaceId: string, userId: string): Promise<boolean>;
  setRole(spaceId: string, userId: string, role: SpaceRole): Promise<boolean>;
  /** False (nothing changed) unless `from` is the owner and `to` a member when it runs. */
  transferOwnership(spaceId: string, from: string, to: string): Promise<boolean>;
  ban(spaceId: string, userId: string, by: string, now: string): Promise<void>;
  unban(spaceId: string, userId: string): Promise<boolean>;
  bans(spaceId: string): Promise<Array<{ user: UserRow; bannedAt: string }>>;
  createInvite(i: { code: string; spaceId: string; createdBy: string; maxUses: number | null; expiresAt: string | null; now: string }): Promise<InviteRow>;
  invite(code: string): Promise<InviteRow | undefined>;
  invites(spaceId: string): Promise<InviteRow[]>;
  revokeInvite(code: string, now: string): Promise<boolean>;
  /** Spends one use and adds the member in one transaction, so maxUses (and maxSpaces, LIMIT_REACHED) hold under concurrency. */
  acceptInvite(code: string, userId: string, now: string, maxSpaces?: number): Promise<InviteAcceptResult>;
}

export class KyselySpaceStore implements SpaceStore {
  constructor(private readonly db: Kysely<Database>) {}

  createSpace(s: { id: string; name: string; ownerId: string; channels: NewChannel[]; now: string; maxSpaces?: number }) {
    return this.db.transaction().execute(async (tx) => {
      await requireRoomForSpace(tx, s.ownerId, s.maxSpaces ?? Infinity);
      const space = await tx
        .insertInto("spaces")
        .values({ id: s.id, name: s.name, owner_id: s.ownerId, icon: null, created_at: s.now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx.insertInto("space_members").values({ space_id: s.id, user_id: s.ownerId, role: "owner", joined_at: s.now }).execute();
      for (const c of s.channels) await this.#insertChannel(tx, s.id, c, s.now);
      return space;
    });
  }

  async #insertChannel(tx: Transaction<Database>, spaceId: string, c: NewChannel, now: string): Promise<ConversationRow> {
    const last = await tx
      .selectFrom("conversations")
      .select(sql<number>`coalesce(max(position), -1)`.as("p"))
      .where("space_id", "=", spaceId)
      .executeTakeFirst();
    const row = await tx
      .insertInto("conversations")
      .values({ id: c.id, kind: "channel", name: c.name, owner_id: null, dm_key: null, created_at: now, space_id: spaceId, channel_kind: c.kind, position: Number(last?.p ?? -1) + 1 })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Channel membership mirrors space membership, so all chat machinery (unread, read marks,
    // delivery topics, access checks) works on channels unchanged.
    await sql`insert into conversation_members (conversation_id, user_id, joined_at, last_read_id)
      select ${c.id}, user_id, ${now}, null from space_members where space_id = ${spaceId}`.execute(tx);
    return row;
  }

  space(id: string) {
    return this.db.selectFrom("spaces").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async role(spaceId: string, userId: string) {
    const row = await this.db.selectFrom("space_members").select("role").where("space_id", "=", spaceId).where("user_id", "=", userId).executeTakeFirst();
    return row?.role;
  }

  async isBanned(spaceId: string, userId: string) {
    const row = await this.db.selectFrom("space_bans").select("user_id").where("space_id", "=", spaceId).where("user_id", "=", userId).executeTakeFirst();
    return row !== undefined;
  }

  async spacesOf(userId: string) {
    const rows = await this.db
      .selectFrom("space_members as m")
      .innerJoin("spaces as s", "s.id", "m.space_id")
      .selectAll("s")
      .select("m.role")
      .select((eb) => eb.selectFrom("space_members as c").select(sql<number>`count(*)`.as("n")).whereRef("c.space_id", "=", "s.id").as("member_count"))
      .where("m.user_id", "=", userId)
      .orderBy("m.joined_at")
      .execute();
    return rows.map((r) => ({ ...r, member_count: Number(r.member_count) }));
  }

  async memberCount(spaceId: string) {
    const row = await this.db.selectFrom("space_members").select(sql<number>`count(*)`.as("n")).where("space_id", "=", spaceId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async members(spaceId: string) {
    const rows = await this.db
      .selectFrom("space_members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .selectAll("u")
      .select(["m.role as m_role", "m.joined_at as m_joined"])
      .where("m.space_id", "=", spaceId)
      .orderBy("u.username")
      .execute();
    return rows.map(({ m_role, m_joined, ...user }) => ({ user, role: m_role, joinedAt: m_joined }));
  }

  async memberIds(spaceId: string) {
    return (await this.db.selectFrom("space_members").select("user_id").where("space_id", "=", spaceId).execute()).map((r) => r.user_id);
  }

  coMemberIds(userId: string) {
    return coMemberIds(this.db, "space_members", userId);
  }

  async update(id: string, patch: { name?: string; icon?: string | null; join_messages?: number }) {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable("spaces").set(patch).where("id", "=", id).execute();
  }

  async deleteSpace(id: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("conversations").where("space_id", "=", id).execute();
      await tx.deleteFrom("spaces").where("id", "=", id).execute();
    });
  }

  channels(spaceId: string) {
    return this.db
      .selectFrom("conversations as c")
      .selectAll("c")
      .select(lastMessageId("c.id").as("last_message_id"))
      .where("c.space_id", "=", spaceId)
      .orderBy("c.position")
      .orderBy("c.id")
      .execute();
  }

  createChannel(spaceId: string, c: NewChannel, now: string) {
    return this.db.transaction().execute((tx) => this.#insertChannel(tx, spaceId, c, now));
  }

  async renameChannel(id: string, name: string) {
    await this.db.updateTable("conversations").set({ name }).where("id", "=", id).execute();
  }

  async deleteChannel(id: string) {
    await this.db.deleteFrom("conversations").where("id", "=", id).where("kind", "=", "channel").execute();
  }

  reorderChannels(spaceId: string, ids: string[]) {
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom("conversations").select("id").where("space_id", "=", spaceId).execute();
      const given = new Set(ids);
      // A partial list would leave the missing channels' positions clashing with the new ones.
      if (given.size !== ids.length || current.length !== ids.length || !current.every((c) => given.has(c.id))) return false;
      for (const [position, id] of ids.entries()) {
        await tx.updateTable("conversations").set({ position }).where("id", "=", id).where("space_id", "=", spaceId).execute();
      }
      return true;
    });
  }

  removeMember(spaceId: string, userId: string) {
    return this.db.transaction().execute((tx) => this.#removeMember(tx, spaceId, userId));
  }

  async #removeMember(tx: Transaction<Database>, spaceId: string, userId: string): Promise<boolean> {
    const res = await tx.deleteFrom("space_members").where("space_id", "=", spaceId).where("user_id", "=", userId).executeTakeFirst();
    await tx
      .deleteFrom("conversation_members")
      .where("user_id", "=", userId)
      .where("conversation_id", "in", (eb) => eb.selectFrom("conversations").select("id").where("space_id", "=", spaceId))
      .execute();
    return Number(res.numDeletedRows) > 0;
  }

  async setRole(spaceId: string, userId: string, role: SpaceRole) {
    const res = await this.db.updateTable("space_members").set({ role }).where("space_id", "=", spaceId).where("user_id", "=", userId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  transferOwnership(spaceId: string, from: string, to: string) {
    return guarded(
      this.db,
      async (tx) => {
        // The guards live in the UPDATEs: of two concurrent transfers only one still finds an owner.
        const demoted = await tx.updateTable("space_members").set({ role: "admin" }).where("space_id", "=", spaceId).where("user_id", "=", from).where("role", "=", "owner").executeTakeFirst();
        if (Number(demoted.numUpdatedRows) !== 1) throw NOT_APPLIED;
        const promoted = await tx.updateTable("space_members").set({ role: "owner" }).where("space_id", "=", spaceId).where("user_id", "=", to).executeTakeFirst();
        if (Number(promoted.numUpdatedRows) !== 1) throw NOT_APPLIED;
        await tx.updateTable("spaces").set({ owner_id: to }).where("id", "=", spaceId).execute();
        return true;
      },
      false,
    );
  }

  async ban(spaceId: string, userId: string, by: string, now: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("space_bans")
        .values({ space_id: spaceId, user_id: userId, banned_by: by, created_at: now })
        .onConflict((oc) => oc.columns(["space_id", "user_id"]).doNothing())
        .execute();
      await this.#removeMember(tx, spaceId, userId);
    });
  }

  async unban(spaceId: string, userId: string) {
    const res = await this.db.deleteFrom("space_bans").where("space_id", "=", spaceId).where("user_id", "=", userId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async bans(spaceId: string) {
    const rows = await this.db
      .selectFrom("space_bans as b")
      .innerJoin("users as u", "u.id", "b.user_id")
      .selectAll("u")
      .select("b.created_at as b_created")
      .where("b.space_id", "=", spaceId)
      .orderBy("u.username")
      .execute();
    return rows.map(({ b_created, ...user }) => ({ user, bannedAt: b_created }));
  }

  createInvite(i: { code: string; spaceId: string; createdBy: string; maxUses: number | null; expiresAt: string | null; now: string }) {
    return this.db
      .insertInto("invites")
      .values({ code: i.code, space_id: i.spaceId, created_by: i.createdBy, max_uses: i.maxUses, expires_at: i.expiresAt, revoked_at: null, created_at: i.now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  invite(code: string) {
    return this.db.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
  }

  invites(spaceId: string) {
    return this.db.selectFrom("invites").selectAll().where("space_id", "=", spaceId).where("revoked_at", "is", null).orderBy("created_at", "desc").execute();
  }

  async revokeInvite(code: string, now: string) {
    const res = await this.db.updateTable("invites").set({ revoked_at: now }).where("code", "=", code).where("revoked_at", "is", null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  acceptInvite(code: string, userId: string, now: string, maxSpaces = Infinity): Promise<InviteAcceptResult> {
    return guarded(this.db, (tx) => acceptInvite(tx, code, userId, now, maxSpaces), { kind: "exhausted" });
  }
}
