import type { Kysely } from "kysely";

/**
 * Account deletion (issue 10): users.deletion_due_at (set while a deletion waits out its grace
 * period), users.deletion_claimed_at (the sweeper that is erasing the account; a lapsed claim
 * is taken over) and users.deleted_at (erased: the row stays so messages keep their author,
 * shown as "Deleted user").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("deletion_due_at", "text").execute();
  await db.schema.alterTable("users").addColumn("deletion_claimed_at", "text").execute();
  await db.schema.alterTable("users").addColumn("deleted_at", "text").execute();
  await db.schema.createIndex("users_deletion_due").on("users").column("deletion_due_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("users_deletion_due").execute();
  await db.schema.alterTable("users").dropColumn("deleted_at").execute();
  await db.schema.alterTable("users").dropColumn("deletion_claimed_at").execute();
  await db.schema.alterTable("users").dropColumn("deletion_due_at").execute();
}
