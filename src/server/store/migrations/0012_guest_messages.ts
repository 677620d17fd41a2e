import type { Kysely } from "kysely";

/**
 * Messages written by room guests: they have no user row, so the author stays null and the
 * guest's id and display name (as of sending) are kept beside it. A guest's retries are
 * idempotent by (guest_id, client_id), as a user's are by (author_id, client_id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("guest_id", "text").execute();
  await db.schema.alterTable("messages").addColumn("guest_name", "text").execute();
  await db.schema.createIndex("messages_guest_client").unique().on("messages").columns(["guest_id", "client_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("messages_guest_client").execute();
  await db.schema.alterTable("messages").dropColumn("guest_name").execute();
  await db.schema.alterTable("messages").dropColumn("guest_id").execute();
}
