/** Helpers shared by the store modules. */
import { sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import type { Database } from "./schema";

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

/** The newest message id of the conversation whose id is in `conversationIdColumn` (the index answers it). */
export function lastMessageId(conversationIdColumn: string): RawBuilder<string | null> {
  return sql<string | null>`(select max(lm.id) from messages lm where lm.conversation_id = ${sql.ref(conversationIdColumn)})`;
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
