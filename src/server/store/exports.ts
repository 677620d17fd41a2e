/** Data exports: requests (one per user at a time), workers' claims and progress, and what goes in the zip. */
import type { Kysely, Selectable } from "kysely";
import type { AccountExportsTable, AttachmentsTable, Database, MessagesTable } from "./schema";

export type ExportRow = Selectable<AccountExportsTable>;
export type ExportMessageRow = Selectable<MessagesTable> & { c_kind: string; c_name: string | null };

export interface ExportStore {
  /**
   * A new pending export for the user, replacing a finished (ready, failed, expired) one; undefined
   * while one is pending or running. Answers the new row and the replaced one's file key.
   */
  request(userId: string, id: string, now: string): Promise<{ row: ExportRow; replacedKey: string | null } | undefined>;
  ofUser(userId: string): Promise<ExportRow | undefined>;
  /** Pending exports, and running ones whose worker stopped renewing its claim before `staleBefore`. */
  claimable(staleBefore: string, limit: number): Promise<string[]>;
  /** Claims one for this worker by a conditional update: of two racing, one gets it. */
  claim(id: string, now: string, staleBefore: string): Promise<ExportRow | undefined>;
  progress(id: string, progress: number, total: number, now: string): Promise<void>;
  finish(id: string, fileKey: string, size: number, now: string, expiresAt: string): Promise<void>;
  fail(id: string, now: string): Promise<void>;
  /** Ready exports past their expiry become expired; answers their file keys to remove. */
  expire(now: string): Promise<string[]>;
  /** Drops the user's export; answers its zip's key, if it had one. */
  remove(userId: string): Promise<string | null>;
  countMessages(userId: string): Promise<number>;
  /** The user's messages (not deleted) after `afterId`, oldest first, with their conversation. */
  messages(userId: string, afterId: string | null, limit: number): Promise<ExportMessageRow[]>;
  /** Files the user uploaded. */
  uploads(userId: string): Promise<Array<Selectable<AttachmentsTable>>>;
}

const FINISHED = ["ready", "failed", "expired"] as const;

export class KyselyExportStore implements ExportStore {
  constructor(private readonly db: Kysely<Database>) {}

  request(userId: string, id: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom("account_exports").select(["status", "file_key"]).where("user_id", "=", userId).executeTakeFirst();
      const fresh = { id, status: "pending" as const, progress: 0, total: 0, file_key: null, size: null, created_at: now, claimed_at: null, finished_at: null, expires_at: null };
      // The WHERE on the conflict makes "one at a time" hold against concurrent requests too.
      const row = await tx
        .insertInto("account_exports")
        .values({ user_id: userId, ...fresh })
        .onConflict((oc) => oc.column("user_id").doUpdateSet(fresh).where("account_exports.status", "in", [...FINISHED]))
        .returningAll()
        .executeTakeFirst();
      return row ? { row, replacedKey: before?.file_key ?? null } : undefined;
    });
  }

  ofUser(userId: string) {
    return this.db.selectFrom("account_exports").selectAll().where("user_id", "=", userId).executeTakeFirst();
  }

  async claimable(staleBefore: string, limit: number) {
    const rows = await this.db
      .selectFrom("account_exports")
      .select("id")
      .where((eb) => eb.or([eb("status", "=", "pending"), eb.and([eb("status", "=", "running"), eb("claimed_at", "<", staleBefore)])]))
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  claim(id: string, now: string, staleBefore: string) {
    return this.db
      .updateTable("account_exports")
      .set({ status: "running", claimed_at: now, progress: 0 })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("status", "=", "pending"), eb.and([eb("status", "=", "running"), eb("claimed_at", "<", staleBefore)])]))
      .returningAll()
      .executeTakeFirst();
  }

  async progress(id: string, progress: number, total: number, now: string) {
    await this.db.updateTable("account_exports").set({ progress, total, claimed_at: now }).where("id", "=", id).where("status", "=", "running").execute();
  }

  async finish(id: string, fileKey: string, size: number, now: string, expiresAt: string) {
    await this.db.updateTable("account_exports").set({ status: "ready", file_key: fileKey, size, finished_at: now, expires_at: expiresAt }).where("id", "=", id).execute();
  }

  async fail(id: string, now: string) {
    await this.db.updateTable("account_exports").set({ status: "failed", finished_at: now }).where("id", "=", id).execute();
  }

  async expire(now: string) {
    const due = await this.db.selectFrom("account_exports").select(["id", "file_key"]).where("status", "=", "ready").where("expires_at", "<=", now).execute();
    const keys: string[] = [];
    for (const r of due) {
      // Conditional, so of two nodes expiring at once only one removes the file.
      const res = await this.db.updateTable("account_exports").set({ status: "expired", file_key: null }).where("id", "=", r.id).where("status", "=", "ready").executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1 && r.file_key) keys.push(r.file_key);
    }
    return keys;
  }

  async remove(userId: string) {
    const row = await this.db.deleteFrom("account_exports").where("user_id", "=", userId).returning("file_key").executeTakeFirst();
    return row?.file_key ?? null;
  }

  async countMessages(userId: string) {
    const row = await this.db.selectFrom("messages").select((eb) => eb.fn.countAll<number | string>().as("n")).where("author_id", "=", userId).where("deleted_at", "is", null).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  messages(userId: string, afterId: string | null, limit: number) {
    let q = this.db
      .selectFrom("messages as m")
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .selectAll("m")
      .select(["c.kind as c_kind", "c.name as c_name"])
      .where("m.author_id", "=", userId)
      .where("m.deleted_at", "is", null);
    if (afterId) q = q.where("m.id", ">", afterId);
    return q.orderBy("m.id").limit(limit).execute();
  }

  uploads(userId: string) {
    return this.db.selectFrom("attachments").selectAll().where("uploader_id", "=", userId).orderBy("id").execute();
  }
}
