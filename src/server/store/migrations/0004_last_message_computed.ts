import type { Kysely } from "kysely";

/**
 * A conversation's last message is read from the messages index instead of being stored, so a
 * send is one INSERT (no transaction, no second write to a hot row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversations").dropColumn("last_message_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversations").addColumn("last_message_id", "text").execute();
}
