/** The admin console's reads and writes (migration 0024): users, spaces and message reports, each page one query. */
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, MessageReportsTable } from "./schema";
import { escapeLike } from "./sql";
import type { UserRow } from "./accounts";
import type { AccountState } from "../../shared/admin";

export type AdminUserRow = UserRow & { totp_enabled: number; state: AccountState };
export type AdminSpaceRow = { id: string; name: string; created_at: string; owner_id: string; owner_username: string; owner_state: AccountState; member_count: number };
export type ReportRow = Selectable<MessageReportsTable>;
export type AdminReportRow = ReportRow & { reporter_username: string | null; reporter_state: AccountState | null; author_username: string | null; author_state: AccountState | null };

/** The account state of the users row under `alias`, in SQL, so a list shows and filters by it within its one query (precedence as AccountState says). */
const stateOf = (alias: string) =>
  sql<AccountState>`case when ${sql.ref(`${alias}.deleted_at`)} is not null then 'deleted' when ${sql.ref(`${alias}.deletion_due_at`)} is not null then 'deleting' when ${sql.ref(`${alias}.disabled_at`)} is not null then 'disabled' else 'active' end`;
/** Null where a left join found no account (a guest's message). */
export const joinedStateOf = (alias: string) => sql<AccountState | null>`case when ${sql.ref(`${alias}.id`)} is null then null else ${stateOf(alias)} end`;

/** Users rows as the console lists them: with whether two-factor is on, and their state. */
const userRows = (db: Kysely<Database>) =>
  db
    .selectFrom("users as u")
    .leftJoin("totp_factors as t", "t.user_id", "u.id")
    .selectAll("u")
    .select(sql<number>`case when t.enabled_at is null then 0 else 1 end`.as("totp_enabled"))
    .select(stateOf("u").as("state"));

export interface AdminStore {
  /** Newest first, ids below `before`; `q` is a substring of the username or email, any case; `state` keeps only accounts in it. */
  users(q: string | undefined, state: AccountState | undefined, before: string | undefined, limit: number): Promise<AdminUserRow[]>;
  /** Sets or clears disabled_at; with `at` set, every live session of the account is revoked in the same transaction. Undefined when there is no such user. */
  setDisabled(userId: string, at: string | null): Promise<AdminUserRow | undefined>;
  /** Newest first, with owner and member count. */
  spaces(before: string | undefined, limit: number): Promise<AdminSpaceRow[]>;
  /** False when this reporter already reported this message. */
  addReport(r: ReportRow): Promise<boolean>;
  reports(resolved: boolean, before: string | undefined, limit: number): Promise<AdminReportRow[]>;
  /** Marks an open report resolved; false when there is no open report with this id. */
  resolveReport(id: string, by: string, now: string): Promise<boolean>;
}

export class KyselyAdminStore implements AdminStore {
  constructor(private readonly db: Kysely<Database>) {}

  users(q: string | undefined, state: AccountState | undefined, before: string | undefined, limit: number) {
    let query = userRows(this.db);
    if (state) query = query.where(stateOf("u"), "=", state);
    if (q) {
      const pattern = `%${escapeLike(q.toLowerCase())}%`;
      query = query.where((eb) =>
        eb.or([sql<boolean>`${eb.ref("u.username")} like ${pattern} escape '\\'`, sql<boolean>`lower(${eb.ref("u.email")}) like ${pattern} escape '\\'`]),
      );
    }
    if (before) query = query.where("u.id", "<", before);
    return query.orderBy("u.id", "desc").limit(limit).execute();
  }

  setDisabled(userId: string, at: string | null) {
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx.updateTable("users").set({ disabled_at: at }).where("id", "=", userId).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return undefined;
      if (at) await tx.updateTable("sessions").set({ revoked_at: at }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
      return userRows(tx).where("u.id", "=", userId).executeTakeFirst();
    });
  }

  spaces(before: string | undefined, limit: number) {
    let query = this.db
      .selectFrom("spaces as s")
      .innerJoin("users as o", "o.id", "s.owner_id")
      .select(["s.id", "s.name", "s.created_at", "s.owner_id", "o.username as owner_username"])
      .select(stateOf("o").as("owner_state"))
      .select(sql<number>`(select count(*) from space_members m where m.space_id = s.id)`.as("member_count"));
    if (before) query = query.where("s.id", "<", before);
    return query.orderBy("s.id", "desc").limit(limit).execute();
  }

  async addReport(r: ReportRow) {
    const res = await this.db.insertInto("message_reports").values(r).onConflict((oc) => oc.columns(["message_id", "reporter_id"]).doNothing()).returning("id").executeTakeFirst();
    return res !== undefined;
  }

  reports(resolved: boolean, before: string | undefined, limit: number) {
    let query = this.db
      .selectFrom("message_reports as r")
      .leftJoin("users as rep", "rep.id", "r.reporter_id")
      .leftJoin("users as a", "a.id", "r.author_id")
      .selectAll("r")
      .select(["rep.username as reporter_username", "a.username as author_username"])
      .select([joinedStateOf("rep").as("reporter_state"), joinedStateOf("a").as("author_state")])
      .where("r.resolved_at", resolved ? "is not" : "is", null);
    if (before) query = query.where("r.id", "<", before);
    return query.orderBy("r.id", "desc").limit(limit).execute();
  }

  async resolveReport(id: string, by: string, now: string) {
    const r = await this.db.updateTable("message_reports").set({ resolved_at: now, resolved_by: by }).where("id", "=", id).where("resolved_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
