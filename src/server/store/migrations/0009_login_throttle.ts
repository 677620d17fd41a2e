import type { Kysely } from "kysely";

/**
 * Failed sign-ins are counted per account and client address, so one address's failures slow
 * only that address (lockout is no longer a weapon against the owner). The row with ip "*"
 * totals the account's failures since its last sign-in and holds the account-wide slowdown.
 * Keys are "u:<userId>" for accounts and "l:<normalized login>" for identifiers with no account,
 * so both are throttled alike. It replaces the per-account lock on users and login_failures.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("blocked_until", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("login_throttle_pk", ["key", "ip"])
    .execute();
  await db.schema.createIndex("login_throttle_updated").on("login_throttle").column("updated_at").execute();
  await db.schema.dropTable("login_failures").execute();
  await db.schema.alterTable("users").dropColumn("locked_until").execute();
  await db.schema.alterTable("users").dropColumn("failed_logins").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("locked_until", "text").execute();
  await db.schema
    .createTable("login_failures")
    .addColumn("login", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("locked_until", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("login_failures_updated").on("login_failures").column("updated_at").execute();
  await db.schema.dropTable("login_throttle").execute();
}
