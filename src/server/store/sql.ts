/** Helpers shared by the store modules. */
import { createQueryId, PostgresAdapter, RawNode, sql, type Compilable, type CompiledQuery, type Kysely, type RawBuilder, type Transaction } from "kysely";
import { mentionedUsernames } from "../../shared/protocol";
import type { ConversationKind, Database } from "./schema";

/** Rows relating users a and b in either direction (x = a and y = b, or x = b and y = a). */
export function eitherWay(x: string, y: string, a: string, b: string): RawBuilder<boolean> {
  return sql<boolean>`((${sql.ref(x)} = ${a} and ${sql.ref(y)} = ${b}) or (${sql.ref(x)} = ${b} and ${sql.ref(y)} = ${a}))`;
}

/** Raised by the database on a unique index; names the offending column. */
export function uniqueViolation(err: unknown): string | null {
  const text = String((err as { message?: string })?.message ?? err) + " " + String((err as { detail?: string })?.detail ?? "");
  if (!/unique|duplicate key/i.test(text)) return null;
  if (/email/.test(text)) return "email";
  if (/username/.test(text)) return "username";
  return "id";
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => "\\" + c);
}

/** The key that makes a pair of users have exactly one DM. */
export const dmKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** The newest main-timeline message id of the conversation whose id is in `conversationIdColumn` (the timeline index answers it). */
export function lastMessageId(conversationIdColumn: string): RawBuilder<string | null> {
  return sql<string | null>`(select max(lm.id) from messages lm where lm.conversation_id = ${sql.ref(conversationIdColumn)} and lm.thread_id is null)`;
}

/**
 * The viewer's unread main-timeline messages by others, in conversations of the given kinds,
 * whose text contains "@" and their username: candidates for mentionCount that LIKE finds (its
 * `_` wildcard only widens the net), each confirmed by countNamedMentions. @everyone messages
 * are counted apart, by their flag — except at "nothing", where only the name counts.
 */
export function namedMentionCandidates(db: Kysely<Database>, userId: string, kinds: readonly ConversationKind[]) {
  return db
    .selectFrom("conversation_members as cm")
    .innerJoin("conversations as c", "c.id", "cm.conversation_id")
    .innerJoin("users as u", "u.id", "cm.user_id")
    .innerJoin("messages as m", "m.conversation_id", "cm.conversation_id")
    .select(["m.conversation_id", "m.content", "u.username"])
    .where("cm.user_id", "=", userId)
    .where("c.kind", "in", kinds)
    .where("m.thread_id", "is", null)
    .where("m.deleted_at", "is", null)
    .where((w) => w.or([w("m.mentions_everyone", "=", 0), w("cm.notify_level", "=", "nothing")]))
    .where("m.author_id", "<>", userId)
    .where((w) => w.or([w("cm.last_read_id", "is", null), w("m.id", ">", w.ref("cm.last_read_id"))]))
    .where(sql<boolean>`m.content like ('%@' || u.username || '%')`);
}

/** Per conversation, the candidates that really mention their user (as the client's MENTION_USER reads them). */
export function countNamedMentions(rows: Array<{ conversation_id: string; content: string; username: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) if (mentionedUsernames(r.content).has(r.username)) counts.set(r.conversation_id, (counts.get(r.conversation_id) ?? 0) + 1);
  return counts;
}

/** Everyone who shares a group (a conversation or a space) of `table` with the user. */
export async function coMemberIds(db: Kysely<Database>, table: "conversation_members" | "space_members", userId: string): Promise<string[]> {
  const group = sql.id(table === "space_members" ? "space_id" : "conversation_id");
  const { rows } = await sql<{ user_id: string }>`select distinct b.user_id from ${sql.table(table)} a join ${sql.table(table)} b on b.${group} = a.${group} where a.user_id = ${userId} and b.user_id <> ${userId}`.execute(db);
  return rows.map((r) => r.user_id);
}

/** Thrown inside a transaction to roll it back when a guarded write finds nothing to change. */
export const NOT_APPLIED = Symbol("not applied");

/** Runs fn in a transaction; when it throws NOT_APPLIED, everything is rolled back and `otherwise` returned. */
export async function guarded<T>(db: Kysely<Database>, fn: (tx: Transaction<Database>) => Promise<T>, otherwise: T): Promise<T> {
  try {
    return await db.transaction().execute(fn);
  } catch (err) {
    if (err === NOT_APPLIED) return otherwise;
    throw err;
  }
}

/**
 * A fixed-shape query compiled once. Kysely builds and compiles a query on every call, which on
 * the send path costs more than the database's own work. `build` is called once with marker
 * arguments; each call then puts its values where the markers landed. Only for queries whose
 * SQL does not depend on the values (no `in` lists, no optional clauses, values passed through
 * unchanged).
 */
export function prepared<A extends unknown[], R>(arity: A["length"], build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  type Compiled = { sql: string; query: CompiledQuery["query"]; slots: Array<{ arg: number } | { value: unknown }> };
  // One compilation per dialect: a process may hold SQLite and PostgreSQL stores at once (tests do).
  const byDialect = new Map<unknown, Compiled>();
  const compile = (db: Kysely<Database>): Compiled => {
    const marks = Array.from({ length: arity }, (_, i) => `\u0001arg${i}\u0001`);
    const c = build(db, ...(marks as unknown as A)).compile();
    const slots = c.parameters.map((p) => (marks.includes(p as string) ? { arg: marks.indexOf(p as string) } : { value: p }));
    if (new Set(slots.flatMap((s) => ("arg" in s ? [s.arg] : []))).size !== arity) throw new Error(`a prepared query must use every argument: ${c.sql}`);
    return { sql: c.sql, query: c.query, slots };
  };
  return async (db: Kysely<Database>, ...args: A): Promise<R[]> => {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = byDialect.get(dialect);
    if (!compiled) byDialect.set(dialect, (compiled = compile(db)));
    const parameters = compiled.slots.map((s) => ("arg" in s ? args[s.arg] : s.value));
    const result = await db.executeQuery<R>({ sql: compiled.sql, query: compiled.query, parameters, queryId: createQueryId() });
    return result.rows;
  };
}

/**
 * SQL text written out by hand, run as is. Not CompiledQuery.raw: that freezes the parameters,
 * and a frozen array of thousands of values is slow for everything that reads it afterwards
 * (the driver copies and binds each one).
 */
export async function runSql<R>(db: Kysely<Database>, text: string, parameters: unknown[]): Promise<R[]> {
  const { rows } = await db.executeQuery<R>({ sql: text, query: RawNode.createWithSql(text), parameters, queryId: createQueryId() });
  return rows;
}

/**
 * A statement over an n-row VALUES list of `width` parameters a row, its text written out once
 * per dialect and n: Kysely building and compiling a statement of hundreds of rows costs more
 * than the database takes to run it.
 */
export function valuesStatement(width: number, around: (values: string) => string): (db: Kysely<Database>, n: number) => string {
  const texts = new Map<string, string>();
  return (db, n) => {
    const pg = isPostgres(db);
    const key = `${pg}:${n}`;
    let text = texts.get(key);
    if (!text) {
      let p = 0;
      const row = () => `(${Array.from({ length: width }, () => (pg ? `$${++p}` : "?")).join(", ")})`;
      texts.set(key, (text = around(Array.from({ length: n }, row).join(", "))));
    }
    return text;
  };
}

/** The few places the dialects need different SQL (full-text search) ask this. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
