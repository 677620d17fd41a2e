import type { Kysely } from "kysely";

/** Per member: 1 when the member muted the conversation (no chime, no notification). Integer 0/1 reads the same in both dialects. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversation_members").addColumn("muted", "integer", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("conversation_members").dropColumn("muted").execute();
}
