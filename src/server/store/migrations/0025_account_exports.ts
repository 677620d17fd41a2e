import type { Kysely } from "kysely";

/**
 * Data exports (issue 10): one row per user (so one export at a time per user is the primary
 * key's doing), its progress while a worker builds the zip, and the stored zip's key until it
 * expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("account_exports")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("progress", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("file_key", "text")
    .addColumn("size", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("claimed_at", "text")
    .addColumn("finished_at", "text")
    .addColumn("expires_at", "text")
    .execute();
  await db.schema.createIndex("account_exports_status").on("account_exports").column("status").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("account_exports").execute();
}
