/**
 * Group commit for messages: sends that arrive in the same event-loop turn are written in one
 * statement, and each is answered only after it committed. A commit (and on PostgreSQL a round
 * trip per statement) is the dominant cost of a send, so under load this multiplies throughput
 * while a lone send still goes straight out. Used by both dialects (KyselyChatStore).
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema";
import type { MessageRow, NewMessage } from "./chat";
import type { Config } from "../config";
import { prepared, runSql, valuesStatement } from "./sql";
import { awaitTurn, TurnGivenUp } from "./commit-turn";

export type Result = { message: MessageRow; created: boolean };

interface Pending {
  m: NewMessage;
  key: string | null;
  resolve: (r: Result) => void;
  reject: (e: unknown) => void;
}

const insert = prepared(
  13,
  (db, id: string, conversationId: string, authorId: string | null, clientId: string | null, kind: NewMessage["kind"], content: string, replyToId: string | null, now: string, mentions: number, here: number, guestId: string | null, guestName: string | null, threadId: string | null) =>
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
        mentions_here: here,
        guest_id: guestId,
        guest_name: guestName,
        thread_id: threadId,
      })
      // No conflict target: a retry collides on the author's (author_id, client_id) index or, for
      // a guest (author_id null), on (guest_id, client_id); naming one left the other an error.
      .onConflict((oc) => oc.doNothing())
      .returningAll(),
);

/** The message stored under m's retry key: (author, clientId), or (guest, clientId) for a guest. */
function originalOf(db: Kysely<Database>, m: NewMessage): Promise<MessageRow | undefined> {
  const q = db.selectFrom("messages").selectAll().where("client_id", "=", m.clientId);
  return (m.authorId !== null ? q.where("author_id", "=", m.authorId) : q.where("guest_id", "=", m.guest?.id ?? null)).executeTakeFirst();
}

export async function insertOne(db: Kysely<Database>, m: NewMessage): Promise<Result> {
  const [inserted] = await insert(db, m.id, m.conversationId, m.authorId, m.clientId, m.kind, m.content, m.replyToId, m.now, m.mentionsEveryone ? 1 : 0, m.mentionsHere ? 1 : 0, m.guest?.id ?? null, m.guest?.name ?? null, m.threadId ?? null);
  if (inserted) return { message: inserted, created: true };
  // A retry (same author or guest, and clientId), here or on another node: the original answers it.
  const original = await originalOf(db, m);
  if (!original) throw new Error(`message ${m.id} was neither inserted nor found`);
  return { message: original, created: false };
}

const COLUMNS = ["id", "conversation_id", "author_id", "client_id", "kind", "content", "reply_to_id", "created_at", "mentions_everyone", "mentions_here", "guest_id", "guest_name", "thread_id"] as const;

/** The n-row insert. No conflict target: a retry may collide on either the author's or the guest's (clientId) index. */
const batchInsertSql = valuesStatement(COLUMNS.length, (values) => `insert into "messages" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) values ${values} on conflict do nothing returning "id"`);

/** The row as stored from `m`, built from the values sent instead of read back. */
const storedRow = (m: NewMessage): MessageRow => ({
  id: m.id,
  conversation_id: m.conversationId,
  author_id: m.authorId,
  client_id: m.clientId,
  kind: m.kind,
  content: m.content,
  reply_to_id: m.replyToId,
  created_at: m.now,
  edited_at: null,
  deleted_at: null,
  mentions_everyone: m.mentionsEveryone ? 1 : 0,
  mentions_here: m.mentionsHere ? 1 : 0,
  guest_id: m.guest?.id ?? null,
  guest_name: m.guest?.name ?? null,
  thread_id: m.threadId ?? null,
});

/** Rows per statement: well under SQLite's 32766 and PostgreSQL's 65535 bound parameters (13 a row). */
const MAX_BATCH = 256;

/** Whose retries collide: (author, clientId) or (guest, clientId); null when nothing can collide. */
const retryKey = (m: NewMessage) => (m.clientId === null ? null : `${m.authorId ?? `guest:${m.guest?.id}`}\u0000${m.clientId}`);

/**
 * Several messages in ONE statement (atomic on its own, so it commits or fails as a whole): a
 * batch costs one round trip and one commit whatever its size, which on PostgreSQL is the whole
 * point. Rows already stored under their (author or guest, clientId) are skipped by the unique
 * indexes and answered with the original; a key repeated within the batch is inserted once.
 */
export async function insertMany(db: Kysely<Database>, ms: NewMessage[]): Promise<Array<Result | Error>> {
  const keys = ms.map(retryKey);
  const firstByKey = new Map<string, NewMessage>();
  const rows: Array<{ m: NewMessage; order: string }> = [];
  ms.forEach((m, i) => {
    const key = keys[i] ?? null;
    if (key !== null && firstByKey.has(key)) return;
    if (key !== null) firstByKey.set(key, m);
    rows.push({ m, order: key ?? m.id });
  });
  // Index locks taken in (author, clientId) order, so concurrent writers on other nodes never deadlock.
  rows.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const stored = rows.map((r) => storedRow(r.m));
  const parameters = new Array<unknown>(stored.length * COLUMNS.length);
  let p = 0;
  for (const r of stored) for (const c of COLUMNS) parameters[p++] = r[c];
  const inserted = await runSql<{ id: string }>(db, batchInsertSql(db, rows.length), parameters);
  // Only ids come back: a stored row is exactly the values sent (no defaults or triggers fill any column).
  const insertedIds = new Set(inserted.map((r) => r.id));
  const byId = new Map(stored.filter((r) => insertedIds.has(r.id)).map((r) => [r.id, r]));
  const originals = new Map<string, MessageRow | undefined>();
  const original = async (m: NewMessage, key: string) => {
    if (!originals.has(key)) originals.set(key, await originalOf(db, m));
    return originals.get(key);
  };
  const out: Array<Result | Error> = [];
  for (const [i, m] of ms.entries()) {
    const key = keys[i] ?? null;
    const first = key === null ? m : firstByKey.get(key)!;
    const row = byId.get(first.id);
    if (row) {
      out.push({ message: row, created: first === m });
      continue;
    }
    const prior = key === null ? undefined : await original(m, key);
    out.push(prior ? { message: prior, created: false } : new Error(`message ${m.id} was neither inserted nor found`));
  }
  return out;
}

/**
 * Batches in flight at once: two on PostgreSQL when its pool leaves room for them and the
 * reads, else one. The later batch holds a connection while it waits for the earlier one,
 * which may need another (a retry's original, its rows again one by one after a refused one);
 * on a pool of one that is the connection held, and both would wait out the 5 s turn bound
 * (commit-turn.ts: a wait for a connection is no lock, so giving way to waiters does not end it).
 */
export function batchesInFlight(database: Config["database"]): number {
  return database.kind === "postgres" && database.poolSize >= 3 ? 2 : 1;
}

/**
 * Group commit: the sends of one event-loop turn go out together in one statement, and each is
 * answered only once it has committed. Commits follow the order ids were handed out in (a reader
 * paging `after` an id never skips an earlier one still in flight on this node). With one writer
 * (SQLite: one connection anyway) a batch is one statement. With two (batchesInFlight): each is
 * a transaction that inserts at once but commits only after the batch before it did, so the
 * next batch's rows are written (on another backend, another core) while the earlier one
 * commits; it gives way to anyone waiting on its rows meanwhile (awaitTurn). A retry key
 * (author or guest, clientId) is in at most one batch in flight; a send whose key is already
 * there waits for the next batch (it then gets the original).
 */
export class InsertBatcher {
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;
  #keysInFlight = new Set<string>();
  /** Settles when the newest batch in flight has committed or given up. */
  #previous: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly writers = 1,
  ) {}

  insert(m: NewMessage): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ m, key: retryKey(m), resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.writers || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  #take(): Pending[] {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    for (const p of this.#queue) {
      if (batch.length >= MAX_BATCH || (p.key !== null && this.#keysInFlight.has(p.key))) later.push(p);
      else batch.push(p);
    }
    this.#queue = later;
    return batch;
  }

  async #flush(): Promise<void> {
    const batch = this.#take();
    if (batch.length === 0) return;
    const keys = batch.flatMap((p) => p.key ?? []);
    for (const k of keys) this.#keysInFlight.add(k);
    // Nothing in flight before it: no commit to wait for, so one statement on its own does.
    const alone = this.#inFlight === 0;
    this.#inFlight++;
    const previous = this.#previous;
    let settled!: () => void;
    this.#previous = new Promise<void>((r) => (settled = r));
    // The next batch may start writing now; it commits after this one.
    this.#schedule();
    try {
      await this.#write(batch, alone ? null : previous);
    } finally {
      settled();
      for (const k of keys) this.#keysInFlight.delete(k);
      this.#inFlight--;
      this.#schedule();
    }
  }

  /**
   * Writes a batch; with `previous`, in a transaction that commits once that batch settled, or
   * that gives way to anyone waiting on its rows (awaitTurn) and goes again after it, alone.
   */
  async #write(batch: Pending[], previous: Promise<void> | null): Promise<void> {
    if (batch.length === 1 && previous === null) {
      await insertOne(this.db, batch[0]!.m).then(batch[0]!.resolve, batch[0]!.reject);
      return;
    }
    let results: Array<Result | Error> | undefined;
    try {
      const ms = batch.map((p) => p.m);
      results =
        previous === null
          ? await insertMany(this.db, ms)
          : await this.db.transaction().execute(async (tx) => {
              const written = await insertMany(tx, ms);
              await awaitTurn(tx, previous);
              return written;
            });
    } catch (err) {
      await previous;
      // Rolled back: no commit is left to wait for, and nothing of it holds a lock while it waits.
      if (err instanceof TurnGivenUp) return this.#write(batch, null);
      // The statement failed as a whole, so nothing of it is stored: one bad row (say, its
      // conversation was just deleted) must not sink the others, so each goes again alone and
      // gets its own answer. Idempotent by clientId, so a commit whose reply was lost is found, not doubled.
      for (const p of batch) await insertOne(this.db, p.m).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => (results[i] instanceof Error ? p.reject(results[i]) : p.resolve(results[i] as Result)));
  }
}
