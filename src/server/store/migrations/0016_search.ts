import { sql, type Kysely } from "kysely";
import { isPostgres } from "../sql";

/**
 * Full-text search over text messages, kept in step by the database itself so every write path
 * (send, group-committed sends, edit, delete, a conversation's removal) updates it in the same
 * transaction. SQLite: an FTS5 index over messages.content (external content keyed by the rowid,
 * which VACUUM keeps for rowid tables) maintained by triggers. PostgreSQL: a GIN index on the
 * message's tsvector. Both tokenize without stemming or accent folding, so a word finds the same
 * messages on either store. Existing messages are indexed here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`create index messages_search on messages using gin (to_tsvector('simple', content)) where kind = 'text'`.execute(db);
    return;
  }
  await sql`create virtual table messages_fts using fts5(content, content = 'messages', tokenize = 'unicode61 remove_diacritics 0')`.execute(db);
  await sql`create trigger messages_fts_insert after insert on messages when new.kind = 'text' begin
      insert into messages_fts (rowid, content) values (new.rowid, new.content);
    end`.execute(db);
  await sql`create trigger messages_fts_update after update of content on messages when old.kind = 'text' begin
      insert into messages_fts (messages_fts, rowid, content) values ('delete', old.rowid, old.content);
      insert into messages_fts (rowid, content) values (new.rowid, new.content);
    end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages when old.kind = 'text' begin
      insert into messages_fts (messages_fts, rowid, content) values ('delete', old.rowid, old.content);
    end`.execute(db);
  await sql`insert into messages_fts (rowid, content) select rowid, content from messages where kind = 'text'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop index messages_search`.execute(db);
    return;
  }
  for (const t of ["messages_fts_insert", "messages_fts_update", "messages_fts_delete"]) await sql`drop trigger ${sql.id(t)}`.execute(db);
  await sql`drop table messages_fts`.execute(db);
}
