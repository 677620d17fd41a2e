/** Reactions to messages. */
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, ReactionsTable } from "./schema";

export type ReactionRow = Selectable<ReactionsTable>;

export type AddReactionResult = "added" | "exists" | "full";

export interface ReactionStore {
  /**
   * Adds the user's reaction unless it is there already ("exists"), or unless the emoji is new
   * to the message and it already carries `maxDistinct` different ones ("full"). Concurrent
   * adds to one message are counted one after another.
   */
  add(r: { messageId: string; userId: string; emoji: string; now: string }, maxDistinct: number): Promise<AddReactionResult>;
  /** Returns whether there was one to remove. */
  remove(messageId: string, userId: string, emoji: string): Promise<boolean>;
  /** How many users reacted to the message with this emoji. */
  count(messageId: string, emoji: string): Promise<number>;
  /** Every reaction to these messages, oldest first: one query whatever their number. */
  forMessages(messageIds: string[]): Promise<ReactionRow[]>;
}

export class KyselyReactionStore implements ReactionStore {
  constructor(private readonly db: Kysely<Database>) {}

  add(r: { messageId: string; userId: string; emoji: string; now: string }, maxDistinct: number): Promise<AddReactionResult> {
    return this.db.transaction().execute(async (tx) => {
      // A no-op write locks the message's row (and SQLite's database), so two new emoji racing
      // for the last free place are counted one after the other.
      await tx.updateTable("messages").set({ edited_at: sql`edited_at` }).where("id", "=", r.messageId).execute();
      const present = await tx
        .selectFrom("reactions")
        .select(["emoji", "user_id"])
        .where("message_id", "=", r.messageId)
        .where((eb) => eb.or([eb("emoji", "=", r.emoji), eb("user_id", "=", r.userId)]))
        .execute();
      if (present.some((p) => p.emoji === r.emoji && p.user_id === r.userId)) return "exists";
      if (!present.some((p) => p.emoji === r.emoji)) {
        const { n } = await tx
          .selectFrom("reactions")
          .select(sql<number>`count(distinct emoji)`.as("n"))
          .where("message_id", "=", r.messageId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= maxDistinct) return "full";
      }
      await tx.insertInto("reactions").values({ message_id: r.messageId, user_id: r.userId, emoji: r.emoji, created_at: r.now }).execute();
      return "added";
    });
  }

  async remove(messageId: string, userId: string, emoji: string) {
    const res = await this.db.deleteFrom("reactions").where("message_id", "=", messageId).where("emoji", "=", emoji).where("user_id", "=", userId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async count(messageId: string, emoji: string) {
    const { n } = await this.db
      .selectFrom("reactions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("message_id", "=", messageId)
      .where("emoji", "=", emoji)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async forMessages(messageIds: string[]) {
    if (messageIds.length === 0) return [];
    return this.db.selectFrom("reactions").selectAll().where("message_id", "in", messageIds).orderBy("created_at").orderBy("user_id").execute();
  }
}
