import { sql, type Kysely } from "kysely";

/**
 * users.email_verified (integer 0/1, as in both dialects): 1 once an OIDC provider vouched for
 * the address, so a later link cannot hand a pre-registered password account to its real owner
 * with the squatter still inside. Accounts already linked to an identity count as verified.
 * login_failures counts failed logins for identifiers with no account, so lockout looks the same
 * whether an account exists or not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await sql`update users set email_verified = 1 where id in (select user_id from oidc_identities)`.execute(db);
  await db.schema
    .createTable("login_failures")
    .addColumn("login", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("locked_until", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("login_failures_updated").on("login_failures").column("updated_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("login_failures").execute();
  await db.schema.alterTable("users").dropColumn("email_verified").execute();
}
