/**
 * Account mail (migration 0021): the links mailed to prove an address or reset a password
 * (single-use rows), what they change when followed, and the outbox kept when no SMTP server is set.
 */
import type { Kysely, Selectable } from "kysely";
import { AppError } from "../../shared/errors";
import type { AccountTokensTable, Database, MailOutboxTable } from "./schema";
import { TAKEN, type UserRow } from "./accounts";
import { uniqueViolation } from "./sql";

export type AccountTokenRow = Selectable<AccountTokensTable>;
export type OutboxRow = Selectable<MailOutboxTable>;
export type TokenPurpose = AccountTokensTable["purpose"];

/** The outbox keeps this many of the newest messages. */
export const OUTBOX_KEEP = 200;

export interface MailStore {
  issueToken(t: Omit<AccountTokenRow, "used_at">): Promise<void>;
  /**
   * Spends a live token of this purpose and every other unused one of the same user and purpose
   * (a followed link retires the older ones), atomically. Undefined when it was not live.
   */
  spendToken(id: string, purpose: TokenPurpose, now: string): Promise<AccountTokenRow | undefined>;
  /** The account's email becomes `email`, verified; CONFLICT when another account has it. Undefined when the user is gone. */
  proveEmail(userId: string, email: string, now: string): Promise<UserRow | undefined>;
  /**
   * Sets the password, marks the email verified when it is still `email` (the reset link proved
   * it), revokes every session and clears the account's sign-in throttle, in one transaction.
   */
  resetPassword(userId: string, email: string, passwordHash: string, now: string): Promise<boolean>;

  addToOutbox(m: OutboxRow): Promise<void>;
  /** Newest first. */
  outbox(limit: number): Promise<OutboxRow[]>;
}

export class KyselyMailStore implements MailStore {
  constructor(private readonly db: Kysely<Database>) {}

  async issueToken(t: Omit<AccountTokenRow, "used_at">) {
    await this.db.insertInto("account_tokens").values({ ...t, used_at: null }).execute();
  }

  spendToken(id: string, purpose: TokenPurpose, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable("account_tokens")
        .set({ used_at: now })
        .where("id", "=", id)
        .where("purpose", "=", purpose)
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await tx.updateTable("account_tokens").set({ used_at: now }).where("user_id", "=", row.user_id).where("purpose", "=", purpose).where("used_at", "is", null).execute();
      return row;
    });
  }

  async proveEmail(userId: string, email: string, now: string) {
    try {
      return await this.db.updateTable("users").set({ email, email_verified: 1, updated_at: now }).where("id", "=", userId).returningAll().executeTakeFirst();
    } catch (err) {
      if (uniqueViolation(err) === "email") throw new AppError("CONFLICT", TAKEN.email, { field: "email" });
      throw err;
    }
  }

  resetPassword(userId: string, email: string, passwordHash: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const user = await tx.updateTable("users").set({ password_hash: passwordHash, updated_at: now }).where("id", "=", userId).returning("email").executeTakeFirst();
      if (!user) return false;
      if (user.email === email) await tx.updateTable("users").set({ email_verified: 1 }).where("id", "=", userId).execute();
      await tx.updateTable("sessions").set({ revoked_at: now }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
      await tx.deleteFrom("login_throttle").where("key", "=", `u:${userId}`).execute();
      return true;
    });
  }

  async addToOutbox(m: OutboxRow) {
    await this.db.insertInto("mail_outbox").values(m).execute();
    const cutoff = await this.db.selectFrom("mail_outbox").select("id").orderBy("id", "desc").offset(OUTBOX_KEEP).limit(1).executeTakeFirst();
    if (cutoff) await this.db.deleteFrom("mail_outbox").where("id", "<=", cutoff.id).execute();
  }

  outbox(limit: number) {
    return this.db.selectFrom("mail_outbox").selectAll().orderBy("id", "desc").limit(limit).execute();
  }
}
