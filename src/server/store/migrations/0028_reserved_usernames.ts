import type { Kysely } from "kysely";

/**
 * `here` and `everyone` became reserved (their `@` notifies many, and an account so named was
 * "mentioned" by every such message): an account that already has one is renamed to the first
 * free `<name>_<n>`. Its sign-in by email keeps working; the new name shows wherever names do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const users = db as unknown as Kysely<{ users: { id: string; username: string } }>;
  for (const name of ["everyone", "here"]) {
    const holder = await users.selectFrom("users").select("id").where("username", "=", name).executeTakeFirst();
    if (!holder) continue;
    let n = 1;
    while (await users.selectFrom("users").select("id").where("username", "=", `${name}_${n}`).executeTakeFirst()) n++;
    await users.updateTable("users").set({ username: `${name}_${n}` }).where("id", "=", holder.id).execute();
  }
}

/** The old names are not restored: they are reserved now. */
export async function down(): Promise<void> {}
