import type { Kysely } from "kysely";

/** Per space: 1 when joins post "X joined the space" in its first text channel (on unless turned off). Integer 0/1 reads the same in both dialects. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("spaces").addColumn("join_messages", "integer", (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("spaces").dropColumn("join_messages").execute();
}
