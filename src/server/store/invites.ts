/** Accepting an invite: one transaction that adds the member and spends a use. */
import { sql, type Transaction } from "kysely";
import type { Database } from "./schema";
import type { InviteAcceptResult } from "./spaces";
import { NOT_APPLIED } from "./sql";
import { AppError } from "../../shared/errors";

/**
 * Refuses with LIMIT_REACHED when the user already belongs to `max` spaces. A no-op write locks
 * the user's row first, so concurrent joins and creations by one user count one after another.
 */
export async function requireRoomForSpace(tx: Transaction<Database>, userId: string, max: number): Promise<void> {
  if (!Number.isFinite(max)) return;
  await tx.updateTable("users").set({ updated_at: sql`updated_at` }).where("id", "=", userId).execute();
  const { n } = await tx.selectFrom("space_members").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow();
  if (Number(n) >= max) throw new AppError("LIMIT_REACHED", `You can belong to at most ${max} spaces; leave one first`, { max });
}

/** Run inside `guarded`: an exhausted code throws NOT_APPLIED so the new membership rolls back. */
export async function acceptInvite(tx: Transaction<Database>, code: string, userId: string, now: string, maxSpaces: number): Promise<InviteAcceptResult> {
  const inv = await tx.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
  if (!inv) return { kind: "not-found" };
  const banned = await tx.selectFrom("space_bans").select("user_id").where("space_id", "=", inv.space_id).where("user_id", "=", userId).executeTakeFirst();
  if (banned) return { kind: "banned" };
  const member = await tx.selectFrom("space_members").select("role").where("space_id", "=", inv.space_id).where("user_id", "=", userId).executeTakeFirst();
  if (member) return { kind: "already-member", spaceId: inv.space_id };
  if (inv.revoked_at) return { kind: "revoked" };
  if (inv.expires_at && inv.expires_at <= now) return { kind: "expired" };
  await requireRoomForSpace(tx, userId, maxSpaces);
  // Membership first, tolerating a duplicate: a concurrent accept by the same user waits here
  // for the other to commit, then finds the row and spends nothing.
  const added = await tx
    .insertInto("space_members")
    .values({ space_id: inv.space_id, user_id: userId, role: "member", joined_at: now })
    .onConflict((oc) => oc.columns(["space_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!added) return { kind: "already-member", spaceId: inv.space_id };
  // The guard is in the UPDATE itself: concurrent accepts cannot overspend the code.
  const spent = await tx
    .updateTable("invites")
    .set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("code", "=", code)
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("max_uses", "is", null), eb("uses", "<", eb.ref("max_uses"))]))
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) === 0) throw NOT_APPLIED;
  await sql`insert into conversation_members (conversation_id, user_id, joined_at, last_read_id)
    select id, ${userId}, ${now}, null from conversations where space_id = ${inv.space_id}`.execute(tx);
  return { kind: "joined", spaceId: inv.space_id };
}
