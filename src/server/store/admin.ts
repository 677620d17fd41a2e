/** The admin console's reads and writes (migration 0024): users, spaces and message reports, each page one query. */
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, MessageReportsTable } from "./schema";
import { escapeLike } from "./sql";
import type { UserRow } from "./accounts";

export type AdminUserRow = UserRow & { totp_enabled: number };
export type AdminSpaceRow = { id: string; name: string; created_at: string; owner_id: string; owner_username: string; member_count: number };
export type ReportRow = Selectable<MessageReportsTable>;
export type AdminReportRow = ReportRow & { reporter_username: string | null; author_username: string | null };

export interface AdminStore {
  /** Newest first, ids below `before`; `q` is a substring of the username or email, any case. */
  users(q: string | undefined, before: string | undefined, limit: number): Promise<AdminUserRow[]>;
  /** Sets or clears disabled_at; with `at` set, every live session of the account is revoked in the same transaction. Undefined when there is no such user. */
  setDisabled(userId: string, at: string | null): Promise<UserRow | undefined>;
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

  users(q: string | undefined, before: string | undefined, limit: number) {
    let query = this.db
      .selectFrom("users as u")
      .leftJoin("totp_factors as t", "t.user_id", "u.id")
      .selectAll("u")
      .select(sql<number>`case when t.enabled_at is null then 0 else 1 end`.as("totp_enabled"));
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
      const user = await tx.updateTable("users").set({ disabled_at: at }).where("id", "=", userId).returningAll().executeTakeFirst();
      if (user && at) await tx.updateTable("sessions").set({ revoked_at: at }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
      return user;
    });
  }

  spaces(before: string | undefined, limit: number) {
    let query = this.db
      .selectFrom("spaces as s")
      .innerJoin("users as o", "o.id", "s.owner_id")
      .select(["s.id", "s.name", "s.created_at", "s.owner_id", "o.username as owner_username"])
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
      .where("r.resolved_at", resolved ? "is not" : "is", null);
    if (before) query = query.where("r.id", "<", before);
    return query.orderBy("r.id", "desc").limit(limit).execute();
  }

  async resolveReport(id: string, by: string, now: string) {
    const r = await this.db.updateTable("message_reports").set({ resolved_at: now, resolved_by: by }).where("id", "=", id).where("resolved_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
