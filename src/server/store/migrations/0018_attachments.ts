import type { Kysely } from "kysely";

/**
 * Attachments: one row per upload, pointing at content-addressed bytes (sha256) in the
 * FileStore. message_id is null until a send names it; such rows are swept after a while.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("uploader_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("message_id", "text", (c) => c.references("messages.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("thumb_sha256", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("attachments_message").on("attachments").columns(["message_id", "created_at"]).execute();
  await db.schema.createIndex("attachments_uploader").on("attachments").column("uploader_id").execute();
  await db.schema.createIndex("attachments_sha256").on("attachments").column("sha256").execute();
  await db.schema.createIndex("attachments_thumb").on("attachments").column("thumb_sha256").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("attachments").execute();
}
