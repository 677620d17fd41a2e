import { sql, type Kysely } from "kysely";

/**
 * Account mail (issue 10): users.instance_admin (0/1; the first account is the instance's admin,
 * so the oldest existing one becomes it here), account_tokens (one row per emailed link —
 * email verification or password reset — so each is single-use: used_at is set once), and
 * mail_outbox (messages kept for the instance admin when no SMTP server is configured).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("instance_admin", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await sql`update users set instance_admin = 1 where id = (select min(id) from users)`.execute(db);
  await db.schema.createIndex("users_instance_admin").on("users").column("instance_admin").execute();
  await db.schema
    .createTable("account_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema.createIndex("account_tokens_user").on("account_tokens").columns(["user_id", "purpose"]).execute();
  await db.schema
    .createTable("mail_outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_outbox").execute();
  await db.schema.dropTable("account_tokens").execute();
  await db.schema.dropIndex("users_instance_admin").execute();
  await db.schema.alterTable("users").dropColumn("instance_admin").execute();
}
