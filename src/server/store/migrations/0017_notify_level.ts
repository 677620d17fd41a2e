import { sql, type Kysely } from "kysely";

/**
 * Per member: how much of a conversation notifies them — 'all', 'mentions' or 'nothing'; null
 * is the kind's default (all in DMs and groups, mentions in channels). Replaces the mute flag:
 * a muted conversation notified only for mentions, so it becomes 'mentions'.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversation_members").addColumn("notify_level", "text").execute();
  await sql`update conversation_members set notify_level = 'mentions' where muted = 1`.execute(db);
  await db.schema.alterTable("conversation_members").dropColumn("muted").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversation_members").addColumn("muted", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await sql`update conversation_members set muted = 1 where notify_level in ('mentions', 'nothing')`.execute(db);
  await db.schema.alterTable("conversation_members").dropColumn("notify_level").execute();
}
