import { sql, type Kysely } from "kysely";
import { isPostgres } from "../sql";

/**
 * PostgreSQL: the search index covers every message, not only text ones. The planner takes no
 * statistics from a partial index, so it guessed the same share of rows for every word and could
 * not tell a word in 10 % of messages from one in 100; with the expression index whole, ANALYZE
 * keeps the lexemes' frequencies and each search gets the plan its word needs — walking the
 * newest messages for a common word, the index for a rare one (store/search.ts). Searches still
 * ask for text messages only. SQLite's FTS5 index is unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index messages_search`.execute(db);
  await sql`create index messages_search on messages using gin (to_tsvector('simple', content))`.execute(db);
  await sql`analyze messages`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index messages_search`.execute(db);
  await sql`create index messages_search on messages using gin (to_tsvector('simple', content)) where kind = 'text'`.execute(db);
}
