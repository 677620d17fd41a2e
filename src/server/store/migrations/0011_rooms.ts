import type { Kysely } from "kysely";

/**
 * Rooms joined by link: an unguessable slug, a host, whether guests may come, whether newcomers
 * wait in a lobby, and a conversation (kind "room") holding the room's chat.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rooms")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("host_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("allow_guests", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rooms_host").on("rooms").column("host_id").execute();
  await db.schema.createIndex("rooms_conversation").unique().on("rooms").column("conversation_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("rooms").execute();
}
