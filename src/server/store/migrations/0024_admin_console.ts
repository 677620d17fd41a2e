import type { Kysely } from "kysely";

/**
 * The admin console (issue 10): users.disabled_at (set: the account cannot sign in), and
 * message_reports — a user's report of a message to the instance admins, keeping what the
 * message said when reported (it may be edited or deleted after), until an admin resolves it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("disabled_at", "text").execute();
  await db.schema
    .createTable("message_reports")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("conversation_id", "text", (c) => c.notNull())
    .addColumn("reporter_id", "text", (c) => c.notNull())
    .addColumn("author_id", "text")
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .addColumn("resolved_by", "text")
    .execute();
  // One open report per reporter and message: reporting twice changes nothing.
  await db.schema.createIndex("message_reports_once").on("message_reports").columns(["message_id", "reporter_id"]).unique().execute();
  await db.schema.createIndex("message_reports_open").on("message_reports").columns(["resolved_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("message_reports").execute();
  await db.schema.alterTable("users").dropColumn("disabled_at").execute();
}
