import { sql, type Kysely } from "kysely";

/**
 * Threads: a reply in a thread names its root (`thread_id`); the root stays in the main
 * timeline, its replies do not. Two partial indexes keep each side's reads on an index of its
 * own: the timeline (history, last message, unread) and the threads of a conversation. A
 * member's read mark per thread lives beside the conversation's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("thread_id", "text").execute();
  await db.schema.createIndex("messages_timeline").on("messages").columns(["conversation_id", "id"]).where(sql.ref("thread_id"), "is", null).execute();
  await db.schema.createIndex("messages_threads").on("messages").columns(["conversation_id", "thread_id", "id"]).where(sql.ref("thread_id"), "is not", null).execute();
  await db.schema
    .createTable("thread_reads")
    .addColumn("thread_id", "text", (c) => c.notNull().references("messages.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("last_read_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("thread_reads_pk", ["thread_id", "user_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("thread_reads").execute();
  await db.schema.dropIndex("messages_threads").execute();
  await db.schema.dropIndex("messages_timeline").execute();
  await db.schema.alterTable("messages").dropColumn("thread_id").execute();
}
