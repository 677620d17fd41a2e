import type { Kysely } from "kysely";

/**
 * message_reports.guest_name — the name a room guest posted the reported message under (guests
 * have no account for author_id to name), kept like the content as it was when reported.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("message_reports").addColumn("guest_name", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("message_reports").dropColumn("guest_name").execute();
}
