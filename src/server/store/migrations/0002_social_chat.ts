import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("friend_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("from_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("to_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("friend_requests_pair").unique().on("friend_requests").columns(["from_id", "to_id"]).execute();
  await db.schema.createIndex("friend_requests_to").on("friend_requests").column("to_id").execute();

  await db.schema
    .createTable("conversations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("owner_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("dm_key", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_message_id", "text")
    .execute();
  await db.schema.createIndex("conversations_dm_key").unique().on("conversations").column("dm_key").execute();

  await db.schema
    .createTable("conversation_members")
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("joined_at", "text", (c) => c.notNull())
    .addColumn("last_read_id", "text")
    .addPrimaryKeyConstraint("conversation_members_pk", ["conversation_id", "user_id"])
    .execute();
  await db.schema.createIndex("conversation_members_user").on("conversation_members").column("user_id").execute();

  await db.schema
    .createTable("friendships")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("friend_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("friendships_pk", ["user_id", "friend_id"])
    .execute();

  await db.schema
    .createTable("blocks")
    .addColumn("blocker_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("blocked_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("blocks_pk", ["blocker_id", "blocked_id"])
    .execute();

  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id").onDelete("cascade"))
    .addColumn("author_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("client_id", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("reply_to_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("edited_at", "text")
    .addColumn("deleted_at", "text")
    .execute();
  // A retried send (same author + clientId) finds the original instead of a duplicate.
  await db.schema.createIndex("messages_author_client").unique().on("messages").columns(["author_id", "client_id"]).execute();
  await db.schema.createIndex("messages_conversation").on("messages").columns(["conversation_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["messages", "blocks", "friendships", "conversation_members", "conversations", "friend_requests"]) {
    await db.schema.dropTable(t).execute();
  }
}
