import type { Kysely } from "kysely";

/**
 * The audit log (issue 10): one row per security event — sign-ins and their failures, throttles,
 * refresh-token reuse, password, two-factor and email changes, admin actions. No foreign keys:
 * a row outlives the accounts it names until AUDIT_RETENTION_DAYS passes. Ids are UUIDv7, so
 * they order rows by time and page them; pruning deletes below the id floor of the cut-off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audit_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("target_id", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("details", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_events_target").on("audit_events").columns(["target_id", "id"]).execute();
  await db.schema.createIndex("audit_events_actor").on("audit_events").columns(["actor_id", "id"]).execute();
  await db.schema.createIndex("audit_events_kind").on("audit_events").columns(["kind", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("audit_events").execute();
}
