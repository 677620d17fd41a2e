import type { Kysely } from "kysely";

/** Reactions: one row per (message, user, emoji); the key makes adding one twice a no-op. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("reactions")
    .addColumn("message_id", "text", (c) => c.notNull().references("messages.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("emoji", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("reactions_pk", ["message_id", "emoji", "user_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("reactions").execute();
}
