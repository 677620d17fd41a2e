/** Message edits: the new text goes into the message, the replaced text into its history. */
import type { Kysely, Selectable } from "kysely";
import type { Database, MessageEditsTable } from "./schema";
import type { MessageRow } from "./chat";

export type MessageEditRow = Selectable<MessageEditsTable>;

export interface MessageEditStore {
  /**
   * Replaces the text of a message that is not deleted, keeping the old text in its history,
   * in one transaction; undefined when the message is gone or deleted.
   */
  edit(e: { id: string; messageId: string; content: string; mentionsEveryone: boolean; mentionsHere: boolean; now: string }): Promise<MessageRow | undefined>;
  /** The texts edits replaced, oldest first. */
  history(messageId: string): Promise<MessageEditRow[]>;
}

export class KyselyMessageEditStore implements MessageEditStore {
  constructor(private readonly db: Kysely<Database>) {}

  edit(e: { id: string; messageId: string; content: string; mentionsEveryone: boolean; mentionsHere: boolean; now: string }) {
    return this.db.transaction().execute(async (tx) => {
      // Locks the row first, so concurrent edits each record the text they actually replaced.
      const locked = await tx.updateTable("messages").set({ edited_at: e.now }).where("id", "=", e.messageId).where("deleted_at", "is", null).returning("id").executeTakeFirst();
      if (!locked) return undefined;
      const before = await tx.selectFrom("messages").select("content").where("id", "=", e.messageId).executeTakeFirstOrThrow();
      await tx.insertInto("message_edits").values({ id: e.id, message_id: e.messageId, content: before.content, edited_at: e.now }).execute();
      return tx
        .updateTable("messages")
        .set({ content: e.content, mentions_everyone: e.mentionsEveryone ? 1 : 0, mentions_here: e.mentionsHere ? 1 : 0 })
        .where("id", "=", e.messageId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  history(messageId: string) {
    return this.db.selectFrom("message_edits").selectAll().where("message_id", "=", messageId).orderBy("id").execute();
  }
}
