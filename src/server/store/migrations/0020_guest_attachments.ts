import { sql, type Kysely } from "kysely";
import { isPostgres } from "../sql";

/**
 * Room guests upload files too: they have no user row, so an upload names either its user
 * (uploader_id) or its guest (uploader_guest_id, the "g-<uuid>" of their token). SQLite cannot
 * drop a NOT NULL, so there the table is rebuilt (nothing references it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`alter table attachments alter column uploader_id drop not null`.execute(db);
    await db.schema.alterTable("attachments").addColumn("uploader_guest_id", "text").execute();
  } else {
    await db.schema
      .createTable("attachments_next")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("uploader_id", "text", (c) => c.references("users.id").onDelete("cascade"))
      .addColumn("uploader_guest_id", "text")
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
    await sql`insert into attachments_next (id, uploader_id, message_id, position, sha256, thumb_sha256, name, size, mime, kind, width, height, created_at)
      select id, uploader_id, message_id, position, sha256, thumb_sha256, name, size, mime, kind, width, height, created_at from attachments`.execute(db);
    await db.schema.dropTable("attachments").execute();
    await db.schema.alterTable("attachments_next").renameTo("attachments").execute();
    await db.schema.createIndex("attachments_message").on("attachments").columns(["message_id", "created_at"]).execute();
    await db.schema.createIndex("attachments_uploader").on("attachments").column("uploader_id").execute();
    await db.schema.createIndex("attachments_sha256").on("attachments").column("sha256").execute();
    await db.schema.createIndex("attachments_thumb").on("attachments").column("thumb_sha256").execute();
  }
  await db.schema.createIndex("attachments_guest").on("attachments").column("uploader_guest_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from attachments where uploader_id is null`.execute(db);
  await db.schema.dropIndex("attachments_guest").execute();
  await db.schema.alterTable("attachments").dropColumn("uploader_guest_id").execute();
}
