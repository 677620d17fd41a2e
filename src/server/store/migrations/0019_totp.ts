import type { Kysely } from "kysely";

/**
 * Two-factor sign-in (auth/totp.ts). totp_factors: one per account, the TOTP secret sealed with
 * TOTP_KEY; enabled_at is null while an enrolment awaits its confirmation code; last_step is the
 * newest time step accepted (a code at or before it is a replay); failures and blocked_until
 * throttle wrong codes per account. totp_recovery_codes: keyed hashes of the one-time codes.
 * totp_challenges: pending sign-ins between the password (or provider) and the code, by the
 * SHA-256 of their token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("totp_factors")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("enabled_at", "text")
    .addColumn("last_step", "integer")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("blocked_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("totp_recovery_codes")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("totp_recovery_codes_pk", ["user_id", "hash"])
    .execute();
  await db.schema
    .createTable("totp_challenges")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("totp_challenges_user").on("totp_challenges").column("user_id").execute();
  await db.schema.createIndex("totp_challenges_expires").on("totp_challenges").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["totp_challenges", "totp_recovery_codes", "totp_factors"]) await db.schema.dropTable(t).execute();
}
