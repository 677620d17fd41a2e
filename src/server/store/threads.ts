/** Threads: replies under a root message, their per-root summaries, read marks, and reply previews. */
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema";
import type { MessageRow } from "./chat";

/** One thread's numbers as one viewer sees them. */
export interface ThreadSummaryRow {
  thread_id: string;
  replies: number | string;
  last_id: string;
  last_at: string;
  unread: number | string;
}

/** Someone who replied in a thread, with their newest reply there. */
export interface ThreadParticipantRow {
  thread_id: string;
  author_id: string;
  last_id: string;
}

/** What a reply shows of the message it answers. */
export interface ReplyTargetRow {
  id: string;
  author_id: string | null;
  guest_name: string | null;
  kind: MessageRow["kind"];
  deleted_at: string | null;
  content: string;
}

export interface ThreadStore {
  /** A thread's replies: newest page by default, `after` pages forward; oldest first. */
  replies(conversationId: string, threadId: string, page: { before?: string; after?: string; limit: number }): Promise<MessageRow[]>;
  /** The conversation's thread roots by newest reply, newest first. */
  active(conversationId: string, limit: number): Promise<Array<{ thread_id: string; last_id: string }>>;
  /** These messages of the conversation. */
  roots(conversationId: string, ids: string[]): Promise<MessageRow[]>;
  /** Reply count, newest reply and the viewer's unread count of each of these roots (those with replies). One query. */
  summaries(conversationId: string, rootIds: string[], viewerId: string): Promise<ThreadSummaryRow[]>;
  /** Who replied in each of these roots' threads (deleted replies aside). One query. */
  participants(conversationId: string, rootIds: string[]): Promise<ThreadParticipantRow[]>;
  /** Moves the viewer's mark in a thread forward only; returns whether it moved. */
  markRead(threadId: string, userId: string, messageId: string): Promise<boolean>;
  /** The messages these replies answer, content cut to `length`. One query. */
  replyTargets(ids: string[], length: number): Promise<ReplyTargetRow[]>;
}

export class KyselyThreadStore implements ThreadStore {
  constructor(private readonly db: Kysely<Database>) {}

  async replies(conversationId: string, threadId: string, page: { before?: string; after?: string; limit: number }) {
    let q = this.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).where("thread_id", "=", threadId);
    if (page.before) q = q.where("id", "<", page.before);
    if (page.after !== undefined) return q.where("id", ">", page.after).orderBy("id", "asc").limit(page.limit).execute();
    return (await q.orderBy("id", "desc").limit(page.limit).execute()).reverse();
  }

  active(conversationId: string, limit: number) {
    return this.db
      .selectFrom("messages")
      .select(["thread_id", sql<string>`max(id)`.as("last_id")])
      .where("conversation_id", "=", conversationId)
      .where("thread_id", "is not", null)
      .where("deleted_at", "is", null)
      .groupBy("thread_id")
      .orderBy("last_id", "desc")
      .limit(limit)
      .execute() as Promise<Array<{ thread_id: string; last_id: string }>>;
  }

  roots(conversationId: string, ids: string[]) {
    return this.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).where("id", "in", ids).execute();
  }

  async summaries(conversationId: string, rootIds: string[], viewerId: string) {
    if (rootIds.length === 0) return [];
    return this.db
      .selectFrom("messages as m")
      .leftJoin("thread_reads as tr", (j) => j.onRef("tr.thread_id", "=", "m.thread_id").on("tr.user_id", "=", viewerId))
      .select([
        "m.thread_id",
        sql<number>`count(*)`.as("replies"),
        sql<string>`max(m.id)`.as("last_id"),
        sql<string>`max(m.created_at)`.as("last_at"),
        sql<number>`sum(case when (m.author_id is null or m.author_id <> ${viewerId}) and (tr.last_read_id is null or m.id > tr.last_read_id) then 1 else 0 end)`.as("unread"),
      ])
      .where("m.conversation_id", "=", conversationId)
      .where("m.thread_id", "in", rootIds)
      .where("m.deleted_at", "is", null)
      .groupBy("m.thread_id")
      .execute() as Promise<ThreadSummaryRow[]>;
  }

  async participants(conversationId: string, rootIds: string[]) {
    if (rootIds.length === 0) return [];
    return this.db
      .selectFrom("messages")
      .select(["thread_id", "author_id", sql<string>`max(id)`.as("last_id")])
      .where("conversation_id", "=", conversationId)
      .where("thread_id", "in", rootIds)
      .where("author_id", "is not", null)
      .where("deleted_at", "is", null)
      .groupBy(["thread_id", "author_id"])
      .execute() as Promise<ThreadParticipantRow[]>;
  }

  async markRead(threadId: string, userId: string, messageId: string) {
    const res = await this.db
      .insertInto("thread_reads")
      .values({ thread_id: threadId, user_id: userId, last_read_id: messageId })
      .onConflict((oc) => oc.columns(["thread_id", "user_id"]).doUpdateSet({ last_read_id: messageId }).where("thread_reads.last_read_id", "<", messageId))
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async replyTargets(ids: string[], length: number) {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom("messages")
      .select(["id", "author_id", "guest_name", "kind", "deleted_at", sql<string>`substr(content, 1, ${length})`.as("content")])
      .where("id", "in", ids)
      .execute();
  }
}
