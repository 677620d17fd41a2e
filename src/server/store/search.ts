/**
 * Message search: one query per page, newest first, over the text messages of conversations
 * the user is a member of now. Words go to the dialect's full-text index (migration 0016).
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema";
import type { MessageRow } from "./chat";
import { escapeLike, isPostgres } from "./sql";

export interface SearchCriteria {
  /** Lowercased words; a message must hold a word starting with each. */
  terms: string[];
  fromUsername?: string;
  /** A conversation id, a channel's, group's or space's name, or a DM partner's username; lowercased. */
  in?: string;
  mentions?: string;
  hasLink?: boolean;
  /** Carries at least one attachment. */
  hasFile?: boolean;
  /** ISO times: created before `before`, at or after `after`. */
  before?: string;
  after?: string;
}

export type SearchRow = MessageRow & {
  c_kind: "dm" | "group" | "channel" | "room";
  c_name: string | null;
  c_space_id: string | null;
  u_id: string | null;
  u_username: string | null;
  u_display_name: string | null;
  u_avatar_url: string | null;
};

export interface SearchStore {
  /** Matching messages older than `cursor` (a message id), newest first. */
  messages(userId: string, criteria: SearchCriteria, page: { cursor?: string; limit: number }): Promise<SearchRow[]>;
}

export class KyselySearchStore implements SearchStore {
  readonly #postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.#postgres = isPostgres(db);
  }

  async messages(userId: string, k: SearchCriteria, page: { cursor?: string; limit: number }): Promise<SearchRow[]> {
    // A mention's username must be a word of the text too: the index narrows, LIKE confirms.
    const words = [...k.terms.map((t) => ({ word: t, prefix: true })), ...(k.mentions ? [{ word: k.mentions, prefix: false }] : [])];
    const walk = !this.#postgres && words.length > 0;
    let q = (walk ? this.#walkIndex(userId, words) : this.#fromMessages(userId, words))
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .leftJoin("users as u", "u.id", "m.author_id")
      .selectAll("m")
      .select(["c.kind as c_kind", "c.name as c_name", "c.space_id as c_space_id", "u.id as u_id", "u.username as u_username", "u.display_name as u_display_name", "u.avatar_url as u_avatar_url"])
      .where("m.kind", "=", "text")
      .where("m.deleted_at", "is", null);
    if (k.fromUsername) q = q.where("m.author_id", "=", (eb) => eb.selectFrom("users").select("id").where("username", "=", k.fromUsername!));
    if (k.mentions) q = q.where(sql<boolean>`lower(m.content) like ${`%@${escapeLike(k.mentions)}%`} escape '\\'`);
    if (k.hasLink) q = q.where(sql<boolean>`(lower(m.content) like '%http://%' or lower(m.content) like '%https://%')`);
    if (k.hasFile) q = q.where(({ exists, selectFrom }) => exists(selectFrom("attachments as a").select("a.id").whereRef("a.message_id", "=", "m.id")));
    if (k.in !== undefined) q = q.where("m.conversation_id", "in", this.#conversationsNamed(userId, k.in));
    if (k.before) q = q.where("m.created_at", "<", k.before);
    if (k.after) q = q.where("m.created_at", ">=", k.after);
    if (walk) {
      // A cursor whose message is gone (its conversation removed) still marks its place: the next id after it.
      if (page.cursor) {
        const at = sql`coalesce((select rowid from messages where id = ${page.cursor}), (select rowid from messages where id > ${page.cursor} order by id limit 1), 9223372036854775807)`;
        q = q.where(sql<boolean>`f.rowid < ${at}`);
      }
      return (await q.orderBy(sql`f.rowid`, "desc").limit(page.limit).execute()) as unknown as SearchRow[];
    }
    if (page.cursor) q = q.where("m.id", "<", page.cursor);
    return (await q.orderBy("m.id", "desc").limit(page.limit).execute()) as unknown as SearchRow[];
  }

  /**
   * The user's conversations' messages, newest first by id. PostgreSQL finds the words through
   * its GIN index, fenced off in a subquery (OFFSET 0) so the planner cannot trade it for a walk
   * back along the primary key: it guesses 2 % of rows for any prefix, so for a rare word it
   * walked all 1M messages, computing each one's tsvector (20 s; bench/messages.ts).
   */
  #fromMessages(userId: string, words: Array<{ word: string; prefix: boolean }>) {
    // Words are letters, digits and marks only (query.ts), so they cannot carry query syntax.
    const tsquery = words.map((w) => (w.prefix ? `${w.word}:*` : w.word)).join(" & ");
    const source =
      words.length === 0
        ? this.db.selectFrom("messages as m")
        : this.db.selectFrom((db) =>
            db
              .selectFrom("messages")
              .selectAll()
              .where("kind", "=", "text")
              .where(sql<boolean>`to_tsvector('simple', content) @@ to_tsquery('simple', ${tsquery})`)
              .offset(0)
              .as("m"),
          );
    return source.innerJoin("conversation_members as cm", (j) => j.onRef("cm.conversation_id", "=", "m.conversation_id").on("cm.user_id", "=", userId));
  }

  /**
   * SQLite: the FTS5 index walked newest first, each match checked against the user's
   * membership, stopping at the page's end. Its order is the rowid's, i.e. insertion order:
   * id order except among sends in flight together (ids are minted a few awaits before the
   * insert), and pages follow it through the cursor's rowid, so none is skipped or repeated.
   * CROSS JOIN fixes that order: left to itself the planner read every message of the user's
   * conversations against the whole match list — 80 ms for a word in 100 of 1M messages,
   * 670 ms for one in 10 % (bench/messages.ts).
   */
  #walkIndex(userId: string, words: Array<{ word: string; prefix: boolean }>) {
    const fts = words.map((w) => `"${w.word}"${w.prefix ? "*" : ""}`).join(" AND ");
    return this.db
      .selectFrom(sql<{ rowid: number }>`messages_fts`.as("f"))
      .crossJoin("messages as m")
      .crossJoin("conversation_members as cm")
      .where(sql<boolean>`messages_fts match ${fts}`)
      .where(sql<boolean>`m.rowid = f.rowid`)
      .whereRef("cm.conversation_id", "=", "m.conversation_id")
      .where("cm.user_id", "=", userId);
  }

  /** Conversations `in:` may name; the membership join keeps only the user's. */
  #conversationsNamed(userId: string, name: string) {
    return this.db
      .selectFrom("conversations as n")
      .leftJoin("spaces as s", "s.id", "n.space_id")
      .select("n.id")
      .where((eb) => eb.or([eb("n.id", "=", name), eb(eb.fn("lower", ["n.name"]), "=", name), eb(eb.fn("lower", ["s.name"]), "=", name)]))
      .union(
        this.db
          .selectFrom("conversation_members as d")
          .innerJoin("conversations as dc", "dc.id", "d.conversation_id")
          .innerJoin("users as du", "du.id", "d.user_id")
          .select("d.conversation_id as id")
          .where("dc.kind", "=", "dm")
          .where("du.username", "=", name)
          .where("d.user_id", "!=", userId),
      );
  }
}
