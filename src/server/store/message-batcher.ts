/**
 * Group commit for messages: sends that arrive in the same event-loop turn are written in one
 * transaction, and each is answered only after that COMMIT. A commit is the dominant cost of
 * a send, so under load this multiplies throughput while a lone send still goes straight out.
 * One batch writes at a time; rows go in (author, clientId) order so concurrent writers on
 * other nodes always take index locks in the same order.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema";
import type { MessageRow, NewMessage } from "./chat";
import { prepared } from "./sql";

export type Result = { message: MessageRow; created: boolean };

interface Pending {
  m: NewMessage;
  resolve: (r: Result) => void;
  reject: (e: unknown) => void;
}

const insert = prepared(
  12,
  (db, id: string, conversationId: string, authorId: string | null, clientId: string | null, kind: NewMessage["kind"], content: string, replyToId: string | null, now: string, mentions: number, guestId: string | null, guestName: string | null, threadId: string | null) =>
    db
      .insertInto("messages")
      .values({
        id,
        conversation_id: conversationId,
        author_id: authorId,
        client_id: clientId,
        kind,
        content,
        reply_to_id: replyToId,
        created_at: now,
        edited_at: null,
        deleted_at: null,
        mentions_everyone: mentions,
        guest_id: guestId,
        guest_name: guestName,
        thread_id: threadId,
      })
      .onConflict((oc) => oc.columns(["author_id", "client_id"]).doNothing())
      .returningAll(),
);

export async function insertOne(db: Kysely<Database>, m: NewMessage): Promise<Result> {
  if (m.guest) {
    // Guests have no author id, so their retries are found by (guest_id, client_id); a unique index backs it.
    const original = await db.selectFrom("messages").selectAll().where("guest_id", "=", m.guest.id).where("client_id", "=", m.clientId).executeTakeFirst();
    if (original) return { message: original, created: false };
  }
  const [inserted] = await insert(db, m.id, m.conversationId, m.authorId, m.clientId, m.kind, m.content, m.replyToId, m.now, m.mentionsEveryone ? 1 : 0, m.guest?.id ?? null, m.guest?.name ?? null, m.threadId ?? null);
  if (inserted) return { message: inserted, created: true };
  // A retry (same author and clientId): the original answers it.
  const original = await db.selectFrom("messages").selectAll().where("author_id", "=", m.authorId).where("client_id", "=", m.clientId).executeTakeFirstOrThrow();
  return { message: original, created: false };
}

export class InsertBatcher {
  #queue: Pending[] = [];
  #writing = false;

  constructor(private readonly db: Kysely<Database>) {}

  insert(m: NewMessage): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ m, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 1) {
      await insertOne(this.db, batch[0]!.m).then(batch[0]!.resolve, batch[0]!.reject);
    } else {
      batch.sort((a, b) => `${a.m.authorId ?? a.m.guest?.id}\u0000${a.m.clientId}`.localeCompare(`${b.m.authorId ?? b.m.guest?.id}\u0000${b.m.clientId}`));
      try {
        const results = await this.db.transaction().execute(async (tx) => {
          const out: Result[] = [];
          for (const p of batch) out.push(await insertOne(tx, p.m));
          return out;
        });
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch {
        // One bad row (say, its conversation was just deleted) must not sink the others.
        for (const p of batch) await insertOne(this.db, p.m).then(p.resolve, p.reject);
      }
    }
    if (this.#queue.length > 0) setImmediate(() => void this.#flush());
    else this.#writing = false;
  }
}
