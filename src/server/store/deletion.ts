/**
 * Account deletion: scheduling it (grace period), cancelling it, sweepers claiming due ones,
 * and erasing an account's personal data while its row stays for its messages' sake.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema";
import { removeTotp } from "./totp";
import { erasedUsername } from "../../shared/account";

/** What erasing leaves of the person: messages and reactions point at this row and show it. */
export const DELETED_DISPLAY_NAME = "Deleted user";

export interface AccountDeletionStore {
  /** Sets when the deletion falls due and revokes every session, atomically; false if the account is gone. */
  schedule(userId: string, dueAt: string, now: string): Promise<boolean>;
  /** Drops a scheduled deletion no sweeper has claimed (or whose claim lapsed before `staleBefore`). */
  cancel(userId: string, staleBefore: string): Promise<boolean>;
  /**
   * Claims up to `limit` due deletions for this caller: each row is claimed by one conditional
   * update, so of several sweepers (nodes) racing for one account exactly one gets it. A claim
   * older than `staleBefore` (its sweeper died) may be taken again.
   */
  claimDue(now: string, staleBefore: string, limit: number): Promise<string[]>;
  /** The user's groups (they leave them when erased) or DMs (they turn read-only for the other side). */
  conversationIds(userId: string, kind: "group" | "dm"): Promise<string[]>;
  /**
   * Erases the personal data: email, username (freed), display name, avatar, password, two-factor,
   * sessions, emailed links, OIDC links, friendships, friend requests and blocks; in the audit
   * log, the addresses and user agents of its events and the email addresses they name (the
   * events stay until AUDIT_RETENTION_DAYS). Idempotent; `finish` then marks the account deleted.
   */
  erase(userId: string, now: string): Promise<void>;
  finish(userId: string, now: string): Promise<void>;
}

export class KyselyAccountDeletionStore implements AccountDeletionStore {
  constructor(private readonly db: Kysely<Database>) {}

  schedule(userId: string, dueAt: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable("users")
        .set({ deletion_due_at: dueAt, deletion_claimed_at: null, updated_at: now })
        .where("id", "=", userId)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await tx.updateTable("sessions").set({ revoked_at: now }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
      return true;
    });
  }

  async cancel(userId: string, staleBefore: string) {
    const res = await this.db
      .updateTable("users")
      .set({ deletion_due_at: null, deletion_claimed_at: null })
      .where("id", "=", userId)
      .where("deleted_at", "is", null)
      .where("deletion_due_at", "is not", null)
      .where((eb) => eb.or([eb("deletion_claimed_at", "is", null), eb("deletion_claimed_at", "<", staleBefore)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async claimDue(now: string, staleBefore: string, limit: number) {
    const due = await this.db
      .selectFrom("users")
      .select("id")
      .where("deletion_due_at", "<=", now)
      .where("deleted_at", "is", null)
      .where((eb) => eb.or([eb("deletion_claimed_at", "is", null), eb("deletion_claimed_at", "<", staleBefore)]))
      .orderBy("deletion_due_at")
      .limit(limit)
      .execute();
    const claimed: string[] = [];
    for (const { id } of due) {
      // The conditions again, in the UPDATE: PostgreSQL re-checks them on the locked row, so a
      // second sweeper that read the same candidate updates nothing.
      const res = await this.db
        .updateTable("users")
        .set({ deletion_claimed_at: now })
        .where("id", "=", id)
        .where("deletion_due_at", "<=", now)
        .where("deleted_at", "is", null)
        .where((eb) => eb.or([eb("deletion_claimed_at", "is", null), eb("deletion_claimed_at", "<", staleBefore)]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) claimed.push(id);
    }
    return claimed;
  }

  async conversationIds(userId: string, kind: "group" | "dm") {
    const rows = await this.db
      .selectFrom("conversation_members as m")
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .select("c.id")
      .where("m.user_id", "=", userId)
      .where("c.kind", "=", kind)
      .execute();
    return rows.map((r) => r.id);
  }

  async erase(userId: string, now: string) {
    await this.db.transaction().execute(async (tx) => {
      const sessions = tx.selectFrom("sessions").select("id").where("user_id", "=", userId);
      await tx.deleteFrom("refresh_tokens").where("session_id", "in", sessions).execute();
      await tx.deleteFrom("sessions").where("user_id", "=", userId).execute();
      await removeTotp(tx, userId);
      await tx.deleteFrom("account_tokens").where("user_id", "=", userId).execute();
      await tx.deleteFrom("oidc_identities").where("user_id", "=", userId).execute();
      await tx.deleteFrom("friendships").where((eb) => eb.or([eb("user_id", "=", userId), eb("friend_id", "=", userId)])).execute();
      await tx.deleteFrom("friend_requests").where((eb) => eb.or([eb("from_id", "=", userId), eb("to_id", "=", userId)])).execute();
      await tx.deleteFrom("blocks").where((eb) => eb.or([eb("blocker_id", "=", userId), eb("blocked_id", "=", userId)])).execute();
      // Its own events (and sign-ins tried on it by nobody signed in); an admin acting on it keeps the admin's address.
      await tx
        .updateTable("audit_events")
        .set({ ip: null, user_agent: null })
        .where((eb) => eb.or([eb("actor_id", "=", userId), eb.and([eb("target_id", "=", userId), eb("actor_id", "is", null)])]))
        .execute();
      await tx.updateTable("audit_events").set({ details: "{}" }).where("target_id", "=", userId).where("kind", "in", ["email.change_requested", "email.changed"]).execute();
      const wasAdmin = (await tx.selectFrom("users").select("instance_admin").where("id", "=", userId).executeTakeFirst())?.instance_admin === 1;
      // The username is freed; the placeholder's "-" is outside what registration accepts, so it never collides.
      await tx
        .updateTable("users")
        .set({
          email: `${userId}@deleted.invalid`,
          username: erasedUsername(userId),
          display_name: DELETED_DISPLAY_NAME,
          avatar_url: null,
          password_hash: null,
          email_verified: 0,
          presence_visibility: "friends",
          instance_admin: 0,
          updated_at: now,
        })
        .where("id", "=", userId)
        .execute();
      // The instance is never left without an admin: the longest-standing account still in use takes the role.
      if (wasAdmin) {
        await sql`update users set instance_admin = 1
          where id = (select min(id) from users where id <> ${userId} and deleted_at is null and disabled_at is null and deletion_due_at is null)
          and not exists (select 1 from users where instance_admin = 1)`.execute(tx);
      }
    });
  }

  async finish(userId: string, now: string) {
    await this.db.updateTable("users").set({ deleted_at: now, deletion_due_at: null, deletion_claimed_at: null }).where("id", "=", userId).execute();
  }
}
