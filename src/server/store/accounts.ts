/** Accounts: users, their sign-in state, OIDC identities and sessions (refresh-token families). */
import { sql, type Kysely, type Selectable, type Updateable } from "kysely";
import { AppError } from "../../shared/errors";
import type { Database, SessionsTable, UsersTable } from "./schema";
import { escapeLike, prepared, uniqueViolation } from "./sql";
import { removeTotp } from "./totp";

/** One answer for a taken email or username, whether a check or the unique index found it. */
export const TAKEN = { email: "That email is already registered", username: "That username is taken" } as const;

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;

export interface UserPatch {
  displayName?: string;
  avatarUrl?: string | null;
  presenceVisibility?: "friends" | "spaces";
}

export interface NewUser {
  id: string;
  email: string;
  username: string;
  displayName: string;
  passwordHash: string | null;
  /** True when an OIDC provider vouched for the email. */
  emailVerified?: boolean;
  now: string;
}

export interface NewSession {
  id: string;
  userId: string;
  userAgent: string;
  ip: string;
  refreshHash: string;
  now: string;
  expiresAt: string;
}

export type RotateResult =
  | { kind: "ok"; session: SessionRow }
  | { kind: "reused"; sessionId: string }
  | { kind: "invalid" };

export interface AccountStore {
  createUser(u: NewUser): Promise<UserRow>;
  userById(id: string): Promise<UserRow | undefined>;
  /** The users that exist among `ids`, in one query. */
  usersByIds(ids: string[]): Promise<UserRow[]>;
  userByLogin(login: string): Promise<UserRow | undefined>;
  userByEmail(email: string): Promise<UserRow | undefined>;
  usernameTaken(username: string): Promise<boolean>;
  /** Whether either account is deleted (erased), in one query: a DM between them takes no more messages. */
  anyDeleted(a: string, b: string): Promise<boolean>;
  searchUsers(prefix: string, limit: number): Promise<UserRow[]>;
  updateUser(id: string, patch: UserPatch, now: string): Promise<UserRow | undefined>;
  /**
   * Marks the email verified; if it was not, also drops the password, revokes every session and
   * removes two-factor sign-in (the provider proved someone else owns the address). Returns
   * whether that happened.
   */
  claimEmail(id: string, now: string): Promise<boolean>;

  userIdForIdentity(provider: string, subject: string): Promise<string | undefined>;
  linkIdentity(provider: string, subject: string, userId: string, now: string): Promise<void>;

  createSession(s: NewSession): Promise<SessionRow>;
  sessionById(id: string): Promise<SessionRow | undefined>;
  /** Spends a refresh token and records its successor, atomically. */
  rotateRefresh(hash: string, nextHash: string, now: string): Promise<RotateResult>;
  listSessions(userId: string, now: string): Promise<SessionRow[]>;
  revokeSession(userId: string, sessionId: string, now: string): Promise<boolean>;
  revokeAllSessions(userId: string, now: string): Promise<void>;
}

/** Every socket upgrade and authenticated request reads it. */
const anyDeleted = prepared(2, (db, a: string, b: string) =>
  db.selectFrom("users").select("id").where("id", "in", [a, b]).where("deleted_at", "is not", null).limit(1),
);
const sessionById = prepared(1, (db, id: string) => db.selectFrom("sessions").selectAll().where("id", "=", id));

export class KyselyAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createUser(u: NewUser): Promise<UserRow> {
    const user = await this.#insertUser(u);
    // The first account administers the instance. Run after the insert commits, so concurrent
    // first registrations all see every account and agree on the oldest.
    const promoted = await sql<{ id: string }>`update users set instance_admin = 1
      where id = (select min(id) from users) and not exists (select 1 from users where instance_admin = 1)
      returning id`.execute(this.db);
    return promoted.rows[0]?.id === user.id ? { ...user, instance_admin: 1 } : user;
  }

  async #insertUser(u: NewUser): Promise<UserRow> {
    try {
      return await this.db
        .insertInto("users")
        .values({
          id: u.id,
          email: u.email,
          username: u.username,
          display_name: u.displayName,
          avatar_url: null,
          password_hash: u.passwordHash,
          email_verified: u.emailVerified ? 1 : 0,
          created_at: u.now,
          updated_at: u.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      const field = uniqueViolation(err);
      if (field) throw new AppError("CONFLICT", TAKEN[field as keyof typeof TAKEN] ?? `That ${field} is already taken`, { field });
      throw err;
    }
  }

  userById(id: string) {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async usersByIds(ids: string[]) {
    return ids.length ? this.db.selectFrom("users").selectAll().where("id", "in", ids).execute() : [];
  }

  userByEmail(email: string) {
    return this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  }

  userByLogin(login: string) {
    const key = loginKey(login);
    return this.db
      .selectFrom("users")
      .selectAll()
      .where((eb) => eb.or([eb("email", "=", key), eb("username", "=", key)]))
      .executeTakeFirst();
  }

  async anyDeleted(a: string, b: string) {
    return (await anyDeleted(this.db, a, b)).length > 0;
  }

  async usernameTaken(username: string): Promise<boolean> {
    const row = await this.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirst();
    return row !== undefined;
  }

  searchUsers(prefix: string, limit: number) {
    const pattern = escapeLike(prefix.toLowerCase()) + "%";
    return this.db
      .selectFrom("users")
      .selectAll()
      .where("deleted_at", "is", null)
      .where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref("username")} like ${pattern} escape '\\'`,
          sql<boolean>`lower(${eb.ref("display_name")}) like ${pattern} escape '\\'`,
        ]),
      )
      .orderBy("username")
      .limit(limit)
      .execute();
  }

  async updateUser(id: string, patch: UserPatch, now: string) {
    const values: Updateable<UsersTable> = { updated_at: now };
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.avatarUrl !== undefined) values.avatar_url = patch.avatarUrl;
    if (patch.presenceVisibility !== undefined) values.presence_visibility = patch.presenceVisibility;
    return this.db.updateTable("users").set(values).where("id", "=", id).returningAll().executeTakeFirst();
  }

  claimEmail(id: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable("users")
        .set({ email_verified: 1, password_hash: null, updated_at: now })
        .where("id", "=", id)
        .where("email_verified", "=", 0)
        .returning("id")
        .executeTakeFirst();
      if (!claimed) return false;
      await tx.updateTable("sessions").set({ revoked_at: now }).where("user_id", "=", id).where("revoked_at", "is", null).execute();
      await removeTotp(tx, id);
      return true;
    });
  }

  async userIdForIdentity(provider: string, subject: string) {
    const row = await this.db
      .selectFrom("oidc_identities")
      .select("user_id")
      .where("provider", "=", provider)
      .where("subject", "=", subject)
      .executeTakeFirst();
    return row?.user_id;
  }

  async linkIdentity(provider: string, subject: string, userId: string, now: string) {
    await this.db
      .insertInto("oidc_identities")
      .values({ provider, subject, user_id: userId, created_at: now })
      .onConflict((oc) => oc.columns(["provider", "subject"]).doNothing())
      .execute();
  }

  createSession(s: NewSession) {
    return this.db.transaction().execute(async (tx) => {
      const session = await tx
        .insertInto("sessions")
        .values({
          id: s.id,
          user_id: s.userId,
          user_agent: s.userAgent,
          ip: s.ip,
          created_at: s.now,
          last_used_at: s.now,
          expires_at: s.expiresAt,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("refresh_tokens")
        .values({ hash: s.refreshHash, session_id: s.id, created_at: s.now, used_at: null })
        .execute();
      return session;
    });
  }

  async sessionById(id: string) {
    return (await sessionById(this.db, id))[0];
  }

  rotateRefresh(hash: string, nextHash: string, now: string): Promise<RotateResult> {
    return this.db.transaction().execute(async (tx): Promise<RotateResult> => {
      const spent = await tx
        .updateTable("refresh_tokens")
        .set({ used_at: now })
        .where("hash", "=", hash)
        .where("used_at", "is", null)
        .returning("session_id")
        .executeTakeFirst();
      if (!spent) {
        const known = await tx.selectFrom("refresh_tokens").select("session_id").where("hash", "=", hash).executeTakeFirst();
        if (!known) return { kind: "invalid" };
        await tx
          .updateTable("sessions")
          .set({ revoked_at: now })
          .where("id", "=", known.session_id)
          .where("revoked_at", "is", null)
          .execute();
        return { kind: "reused", sessionId: known.session_id };
      }
      const session = await tx
        .updateTable("sessions")
        .set({ last_used_at: now })
        .where("id", "=", spent.session_id)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .returningAll()
        .executeTakeFirst();
      if (!session) return { kind: "invalid" };
      await tx
        .insertInto("refresh_tokens")
        .values({ hash: nextHash, session_id: session.id, created_at: now, used_at: null })
        .execute();
      return { kind: "ok", session };
    });
  }

  listSessions(userId: string, now: string) {
    return this.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("last_used_at", "desc")
      .execute();
  }

  async revokeSession(userId: string, sessionId: string, now: string) {
    const res = await this.db
      .updateTable("sessions")
      .set({ revoked_at: now })
      .where("id", "=", sessionId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async revokeAllSessions(userId: string, now: string) {
    await this.db
      .updateTable("sessions")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute();
  }
}

/** How logins are compared: trimmed, lowercased. */
export const loginKey = (login: string) => login.trim().toLowerCase();
