/** Friends, friend requests and blocks. */
import type { Kysely, Selectable } from "kysely";
import { AppError } from "../../shared/errors";
import type { Database, FriendRequestsTable } from "./schema";
import { dmKey, eitherWay, prepared, uniqueViolation } from "./sql";
import type { UserRow } from "./accounts";

export type FriendRequestRow = Selectable<FriendRequestsTable>;

export interface FriendRow {
  user: UserRow;
  conversationId: string;
  since: string;
}

export interface SocialStore {
  friendIds(userId: string): Promise<string[]>;
  listFriends(userId: string): Promise<FriendRow[]>;
  friendship(userId: string, friendId: string): Promise<{ conversationId: string } | undefined>;
  /** Whether either user blocks the other. */
  blockedBetween(a: string, b: string): Promise<boolean>;
  /** Everyone the user blocks or is blocked by, in one query. */
  blockedEitherWay(userId: string): Promise<Set<string>>;
  createRequest(r: FriendRequestRow): Promise<FriendRequestRow>;
  requestById(id: string): Promise<FriendRequestRow | undefined>;
  requestBetween(from: string, to: string): Promise<FriendRequestRow | undefined>;
  listRequests(userId: string): Promise<{ incoming: Array<FriendRequestRow & { user: UserRow }>; outgoing: Array<FriendRequestRow & { user: UserRow }> }>;
  deleteRequest(id: string): Promise<boolean>;
  /**
   * One transaction: the request (and any reverse one) goes, the friendship appears in both
   * directions, and the pair's DM conversation is created — or reused after an unfriend.
   */
  acceptRequest(req: FriendRequestRow, newConversationId: string, now: string): Promise<{ conversationId: string; createdConversation: boolean } | undefined>;
  removeFriendship(a: string, b: string): Promise<boolean>;
  /** Blocks and, in the same transaction, ends any friendship and pending requests between the two. */
  /** Also ends the friendship and any pending request between the two, returning what went. */
  block(blocker: string, blocked: string, now: string): Promise<{ wasFriend: boolean; removedRequestIds: string[] }>;
  unblock(blocker: string, blocked: string): Promise<boolean>;
  listBlocked(userId: string): Promise<UserRow[]>;
}


/** Every send to a DM asks this. */
const blockedBetween = prepared(2, (db, a: string, b: string) => db.selectFrom("blocks").select("blocker_id").where(eitherWay("blocker_id", "blocked_id", a, b)).limit(1));

export class KyselySocialStore implements SocialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async friendIds(userId: string) {
    const rows = await this.db.selectFrom("friendships").select("friend_id").where("user_id", "=", userId).execute();
    return rows.map((r) => r.friend_id);
  }

  async listFriends(userId: string): Promise<FriendRow[]> {
    const rows = await this.db
      .selectFrom("friendships as f")
      .innerJoin("users as u", "u.id", "f.friend_id")
      .selectAll("u")
      .select(["f.conversation_id as f_conversation_id", "f.created_at as f_created_at"])
      .where("f.user_id", "=", userId)
      .orderBy("u.username")
      .execute();
    return rows.map(({ f_conversation_id, f_created_at, ...user }) => ({ user, conversationId: f_conversation_id, since: f_created_at }));
  }

  async friendship(userId: string, friendId: string) {
    const row = await this.db
      .selectFrom("friendships")
      .select("conversation_id")
      .where("user_id", "=", userId)
      .where("friend_id", "=", friendId)
      .executeTakeFirst();
    return row && { conversationId: row.conversation_id };
  }

  async blockedBetween(a: string, b: string) {
    return (await blockedBetween(this.db, a, b)).length > 0;
  }

  async blockedEitherWay(userId: string) {
    const rows = await this.db
      .selectFrom("blocks")
      .select(["blocker_id", "blocked_id"])
      .where((eb) => eb.or([eb("blocker_id", "=", userId), eb("blocked_id", "=", userId)]))
      .execute();
    return new Set(rows.map((r) => (r.blocker_id === userId ? r.blocked_id : r.blocker_id)));
  }

  async createRequest(r: FriendRequestRow) {
    try {
      return await this.db.insertInto("friend_requests").values(r).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      if (uniqueViolation(err)) throw new AppError("CONFLICT", "A friend request is already pending", { field: "request" });
      throw err;
    }
  }

  requestById(id: string) {
    return this.db.selectFrom("friend_requests").selectAll().where("id", "=", id).executeTakeFirst();
  }

  requestBetween(from: string, to: string) {
    return this.db.selectFrom("friend_requests").selectAll().where("from_id", "=", from).where("to_id", "=", to).executeTakeFirst();
  }

  async listRequests(userId: string) {
    const side = async (mine: "from_id" | "to_id", theirs: "from_id" | "to_id") => {
      const rows = await this.db
        .selectFrom("friend_requests as r")
        .innerJoin("users as u", "u.id", `r.${theirs}`)
        .selectAll("u")
        .select(["r.id as r_id", "r.from_id as r_from", "r.to_id as r_to", "r.created_at as r_created"])
        .where(`r.${mine}`, "=", userId)
        .orderBy("r.created_at", "desc")
        .execute();
      return rows.map(({ r_id, r_from, r_to, r_created, ...user }) => ({ id: r_id, from_id: r_from, to_id: r_to, created_at: r_created, user }));
    };
    return { incoming: await side("to_id", "from_id"), outgoing: await side("from_id", "to_id") };
  }

  async deleteRequest(id: string) {
    const res = await this.db.deleteFrom("friend_requests").where("id", "=", id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  acceptRequest(req: FriendRequestRow, newConversationId: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom("friend_requests").where("id", "=", req.id).executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return undefined;
      await tx.deleteFrom("friend_requests").where("from_id", "=", req.to_id).where("to_id", "=", req.from_id).execute();
      const key = dmKey(req.from_id, req.to_id);
      const existing = await tx.selectFrom("conversations").select("id").where("dm_key", "=", key).executeTakeFirst();
      const conversationId = existing?.id ?? newConversationId;
      if (!existing) {
        await tx
          .insertInto("conversations")
          .values({ id: conversationId, kind: "dm", name: null, owner_id: null, dm_key: key, created_at: now })
          .execute();
        await tx
          .insertInto("conversation_members")
          .values([req.from_id, req.to_id].map((user_id) => ({ conversation_id: conversationId, user_id, joined_at: now, last_read_id: null })))
          .execute();
      }
      await tx
        .insertInto("friendships")
        .values([
          { user_id: req.from_id, friend_id: req.to_id, conversation_id: conversationId, created_at: now },
          { user_id: req.to_id, friend_id: req.from_id, conversation_id: conversationId, created_at: now },
        ])
        .onConflict((oc) => oc.columns(["user_id", "friend_id"]).doNothing())
        .execute();
      return { conversationId, createdConversation: !existing };
    });
  }

  async removeFriendship(a: string, b: string) {
    const res = await this.db
      .deleteFrom("friendships")
      .where(eitherWay("user_id", "friend_id", a, b))
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  block(blocker: string, blocked: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("blocks")
        .values({ blocker_id: blocker, blocked_id: blocked, created_at: now })
        .onConflict((oc) => oc.columns(["blocker_id", "blocked_id"]).doNothing())
        .execute();
      const res = await tx
        .deleteFrom("friendships")
        .where(eitherWay("user_id", "friend_id", blocker, blocked))
        .executeTakeFirst();
      const requests = await tx
        .deleteFrom("friend_requests")
        .where(eitherWay("from_id", "to_id", blocker, blocked))
        .returning("id")
        .execute();
      return { wasFriend: Number(res.numDeletedRows) > 0, removedRequestIds: requests.map((r) => r.id) };
    });
  }

  async unblock(blocker: string, blocked: string) {
    const res = await this.db.deleteFrom("blocks").where("blocker_id", "=", blocker).where("blocked_id", "=", blocked).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  listBlocked(userId: string) {
    return this.db
      .selectFrom("blocks as b")
      .innerJoin("users as u", "u.id", "b.blocked_id")
      .selectAll("u")
      .where("b.blocker_id", "=", userId)
      .orderBy("u.username")
      .execute();
  }
}
