import type { Kysely } from "kysely";

/** 1 when an author allowed to (mentionEveryone) wrote @here in a space channel. Integer 0/1 reads the same in both dialects. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("mentions_here", "integer", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").dropColumn("mentions_here").execute();
}
