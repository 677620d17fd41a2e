import type { Kysely } from "kysely";

/** Edit history: each edit keeps the text it replaced, for moderators (erased with the message). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("message_edits")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("message_id", "text", (c) => c.notNull().references("messages.id").onDelete("cascade"))
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("edited_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("message_edits_message").on("message_edits").columns(["message_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("message_edits").execute();
}
