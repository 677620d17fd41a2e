import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("presence_visibility", "text", (c) => c.notNull().defaultTo("friends")).execute();

  await db.schema
    .createTable("spaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("icon", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("space_members")
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("joined_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("space_members_pk", ["space_id", "user_id"])
    .execute();
  await db.schema.createIndex("space_members_user").on("space_members").column("user_id").execute();

  await db.schema
    .createTable("space_bans")
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("banned_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("space_bans_pk", ["space_id", "user_id"])
    .execute();

  await db.schema
    .createTable("invites")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("max_uses", "integer")
    .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("invites_space").on("invites").column("space_id").execute();

  // Channels are conversations that belong to a space.
  await db.schema.alterTable("conversations").addColumn("space_id", "text", (c) => c.references("spaces.id").onDelete("cascade")).execute();
  await db.schema.alterTable("conversations").addColumn("channel_kind", "text").execute();
  await db.schema.alterTable("conversations").addColumn("position", "integer").execute();
  await db.schema.createIndex("conversations_space").on("conversations").column("space_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("conversations_space").execute();
  for (const col of ["position", "channel_kind", "space_id"]) await db.schema.alterTable("conversations").dropColumn(col).execute();
  for (const t of ["invites", "space_bans", "space_members", "spaces"]) await db.schema.dropTable(t).execute();
  await db.schema.alterTable("users").dropColumn("presence_visibility").execute();
}
