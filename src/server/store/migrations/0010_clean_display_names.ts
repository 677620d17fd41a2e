import type { Kysely } from "kysely";
import { cleanName } from "../../../shared/names";

/**
 * Display names stored before the name rules (shared/names.ts) are brought under them:
 * normalized, bidi controls and invisible characters dropped; a name with nothing visible
 * left becomes the username. Only rows that change are written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const users = db as unknown as Kysely<{ users: { id: string; username: string; display_name: string } }>;
  const rows = await users.selectFrom("users").select(["id", "username", "display_name"]).execute();
  for (const u of rows) {
    const name = cleanName(u.display_name, 64) ?? u.username;
    if (name !== u.display_name) await users.updateTable("users").set({ display_name: name }).where("id", "=", u.id).execute();
  }
}

/** The original names are not kept: there is nothing to restore. */
export async function down(): Promise<void> {}
