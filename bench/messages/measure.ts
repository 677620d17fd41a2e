/**
 * The three levels each read of bench/messages.ts is timed at, on the same data in the same run:
 * raw SQL (a connection of its own, the statement prepared once, no Parley code), Parley's Store
 * (store.search.messages / store.chat.messages, what the services call), and the HTTP endpoint
 * in-process (app.fetch: cookie auth, zod, the service — snippets, reactions, attachments — and
 * JSON). Iterations take the levels in turn, rotating which goes first, so load on the shared
 * machine falls on all three alike.
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import type { Parley } from "../../src/server/server";
import { dist, type Dist } from "../lib/harness";

export interface Raw {
  search(userId: string, word: string, limit: number): Promise<string[]>;
  history(conversationId: string, before: string | undefined, limit: number): Promise<string[]>;
  /** The plan the database picks for a search and a history page (for the report). */
  plans(userId: string, word: string, conversationId: string, before: string): Promise<{ search: string; history: string }>;
  close(): Promise<void>;
}

const SELECT = `m.*, c.kind as c_kind, c.name as c_name, c.space_id as c_space_id, u.id as u_id, u.username as u_username, u.display_name as u_display_name, u.avatar_url as u_avatar_url`;

/**
 * The search as one hand-written statement: SQLite walks the FTS5 index newest first (rowid
 * order), checks membership per match and stops at the page's end, as the Store does.
 */
const SQLITE_SEARCH = `select ${SELECT} from messages_fts f
  cross join messages m
  cross join conversation_members cm
  join conversations c on c.id = m.conversation_id
  left join users u on u.id = m.author_id
  where messages_fts match ? and m.rowid = f.rowid and cm.conversation_id = m.conversation_id and cm.user_id = ?
    and m.kind = 'text' and m.deleted_at is null
  order by f.rowid desc limit ?`;
/**
 * PostgreSQL, as the Store does it: the matches among the newest 10,000 messages (the Store's
 * WALK), planned with the word's statistics, and only when those fall short of the page, the GIN
 * index's matches further back. The tsquery is a literal (one prepared statement per word).
 */
const PG_SEARCH = (tsquery: string) => `with bound as (select coalesce((select id from messages order by id desc offset 9999 limit 1), '') as id),
  near as materialized (
    select m.id from messages m join conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = $1
    where m.kind = 'text' and m.deleted_at is null and to_tsvector('simple', m.content) @@ to_tsquery('simple', '${tsquery}') and m.id >= (select id from bound)
    order by m.id desc limit $2),
  far as materialized (
    select m.id from (select * from messages m where to_tsvector('simple', m.content) @@ to_tsquery('simple', '${tsquery}') offset 0) m
    join conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = $1
    where m.kind = 'text' and m.deleted_at is null and m.id < (select id from bound) and (select count(*) from near) < $2
    order by m.id desc limit $2)
  select ${SELECT} from messages m
  join conversations c on c.id = m.conversation_id
  left join users u on u.id = m.author_id
  where m.id in (select id from near union all select id from far)
  order by m.id desc limit $2`;
const HISTORY = (p: (n: number) => string) =>
  `select * from messages where conversation_id = ${p(1)} and thread_id is null and id < ${p(2)} order by id desc limit ${p(3)}`;

export function rawSqlite(path: string): Raw {
  const db = new Database(path, { readonly: true, strict: true });
  const search = db.prepare(SQLITE_SEARCH);
  const history = db.prepare(HISTORY(() => "?"));
  const ids = (rows: unknown[]) => (rows as Array<{ id: string }>).map((r) => r.id);
  return {
    search: async (userId, word, limit) => ids(search.all(`"${word}"*`, userId, limit)),
    // "\uffff" sorts after every id: the newest page without a second statement.
    history: async (id, before, limit) => ids(history.all(id, before ?? "\uffff", limit).reverse()),
    plans: async (userId, word, id, before) => ({
      search: (db.prepare(`explain query plan ${SQLITE_SEARCH}`).all(`"${word}"*`, userId, 21) as Array<{ detail: string }>).map((r) => r.detail).join("; "),
      history: (db.prepare(`explain query plan ${HISTORY(() => "?")}`).all(id, before, 51) as Array<{ detail: string }>).map((r) => r.detail).join("; "),
    }),
    close: async () => db.close(),
  };
}

export function rawPostgres(url: string): Raw {
  const sql = new SQL({ url, max: 1 });
  const ids = (rows: unknown[]) => (rows as Array<{ id: string }>).map((r) => r.id);
  const history = HISTORY((n) => `$${n}`);
  const plan = async (text: string, params: unknown[]) =>
    ((await sql.unsafe(`explain (analyze, costs off, timing off) ${text}`, params)) as Array<Record<string, string>>).map((r) => Object.values(r)[0]!.trim()).join("; ");
  return {
    search: async (userId, word, limit) => ids(await sql.unsafe(PG_SEARCH(`${word}:*`), [userId, limit])),
    history: async (id, before, limit) => ids([...(await sql.unsafe(history, [id, before ?? "\uffff", limit]))].reverse()),
    plans: async (userId, word, id, before) => ({ search: await plan(PG_SEARCH(`${word}:*`), [userId, 21]), history: await plan(history, [id, before, 51]) }),
    close: () => sql.close(),
  };
}

export type Level = "raw SQL" | "Store" | "HTTP in-process";
export const LEVELS: Level[] = ["raw SQL", "Store", "HTTP in-process"];

export interface Case {
  name: string;
  /** One call per level; i picks the iteration's input. Each returns the ids it got, oldest or newest first as the level does. */
  run: Record<Level, (i: number) => Promise<string[]>>;
}

export function cases(node: Parley, raw: Raw, reader: { id: string; cookie: string }, cursors: Array<{ conversationId: string; before: string }>, words: { common: string; rare: string }): Case[] {
  const http = async (path: string) => {
    const res = await node.app.fetch(new Request(`http://127.0.0.1${path}`, { headers: { cookie: reader.cookie } }), { ip: "127.0.0.1", port: 0 });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  // Search pages are 20 hits; Parley asks for one more to know whether another page follows.
  const search = (word: string): Case => ({
    name: `search "${word}"`,
    run: {
      "raw SQL": (_i) => raw.search(reader.id, word, 21).then((ids) => ids.slice(0, 20)),
      Store: async (_i) => (await node.store.search.messages(reader.id, { terms: [word] }, { limit: 21 })).slice(0, 20).map((r) => r.id),
      "HTTP in-process": async (_i) => ((await http(`/api/search?q=${word}`)) as { hits: Array<{ message: { id: string } }> }).hits.map((h) => h.message.id),
    },
  });
  const at = (i: number) => cursors[i % cursors.length]!;
  // Oldest first; the 51st (oldest) only says that more follow.
  const page = (ids: string[]) => (ids.length > 50 ? ids.slice(1) : ids);
  // History pages are 50 messages back from a point in one of the reader's conversations (51 asked for).
  const history: Case = {
    name: "history page (50 before a message)",
    run: {
      "raw SQL": (i) => raw.history(at(i).conversationId, at(i).before, 51).then(page),
      Store: async (i) => page((await node.store.chat.messages(at(i).conversationId, { before: at(i).before, limit: 51 })).map((r) => r.id)),
      "HTTP in-process": async (i) =>
        ((await http(`/api/conversations/${at(i).conversationId}/messages?before=${at(i).before}&limit=50`)) as { messages: Array<{ id: string }> }).messages.map((m) => m.id),
    },
  };
  return [search(words.common), search(words.rare), history];
}

export interface CaseResult {
  name: string;
  hits: number;
  levels: Record<Level, Dist>;
}

/** Checks the levels agree on iteration 0, warms up, then times `n` rounds of every level. */
export async function measure(c: Case, n: number, warm: number): Promise<CaseResult> {
  const first = await Promise.all(LEVELS.map((l) => c.run[l](0)));
  for (const [k, ids] of first.entries()) {
    if (JSON.stringify(ids) !== JSON.stringify(first[0])) throw new Error(`${c.name}: ${LEVELS[k]} returned other messages than raw SQL (${ids.length} vs ${first[0]!.length})`);
  }
  for (let i = 0; i < warm; i++) for (const l of LEVELS) await c.run[l](i);
  const samples: Record<Level, number[]> = { "raw SQL": [], Store: [], "HTTP in-process": [] };
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < LEVELS.length; k++) {
      const l = LEVELS[(i + k) % LEVELS.length]!;
      const t0 = performance.now();
      await c.run[l](i);
      samples[l].push(performance.now() - t0);
    }
  }
  return { name: c.name, hits: first[0]!.length, levels: { "raw SQL": dist(samples["raw SQL"]), Store: dist(samples.Store), "HTTP in-process": dist(samples["HTTP in-process"]) } };
}
