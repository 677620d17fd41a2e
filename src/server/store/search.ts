/**
 * Message search: one query per page, newest first, over the text messages of conversations
 * the user is a member of now. Words go to the dialect's full-text index (migrations 0016 and 0026).
 */
import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import type { Database } from "./schema";
import type { MessageRow } from "./chat";
import { escapeLike, isPostgres } from "./sql";

/** A query over messages as `m` (and whatever else it joins); the helpers below only add to it. */
type AnyQuery = SelectQueryBuilder<Database & { m: Database["messages"] }, "m", any>;

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

/**
 * PostgreSQL: how many of the newest messages (below the cursor) a search may walk, checking each
 * against the words, before the rest is left to the GIN index. Bounds the walk when the planner
 * expects a common word to turn up in the user's conversations early and it does not.
 */
const WALK = 10_000;

type Words = Array<{ word: string; prefix: boolean }>;

export class KyselySearchStore implements SearchStore {
  readonly #postgres: boolean;
  readonly #walk: number;

  /** `walk` replaces WALK (tests page across its edge with a few messages). */
  constructor(
    private readonly db: Kysely<Database>,
    opts: { walk?: number } = {},
  ) {
    this.#postgres = isPostgres(db);
    this.#walk = opts.walk ?? WALK;
  }

  async messages(userId: string, k: SearchCriteria, page: { cursor?: string; limit: number }): Promise<SearchRow[]> {
    // A mention's username must be a word of the text too: the index narrows, LIKE confirms.
    const words: Words = [...k.terms.map((t) => ({ word: t, prefix: true })), ...(k.mentions ? [{ word: k.mentions, prefix: false }] : [])];
    if (this.#postgres && words.length > 0) return this.#postgresWords(userId, k, words, page);
    if (this.#postgres || words.length === 0) {
      let q = this.#narrow(this.#member(this.db.selectFrom("messages as m"), userId), userId, k);
      if (page.cursor) q = q.where("m.id", "<", page.cursor);
      return (await this.#details(q).orderBy("m.id", "desc").limit(page.limit).execute()) as unknown as SearchRow[];
    }
    let q = this.#narrow(this.#walkIndex(userId, words), userId, k);
    // A cursor whose message is gone (its conversation removed) still marks its place: the next id after it.
    if (page.cursor) {
      const at = sql`coalesce((select rowid from messages where id = ${page.cursor}), (select rowid from messages where id > ${page.cursor} order by id limit 1), 9223372036854775807)`;
      q = q.where(sql<boolean>`f.rowid < ${at}`);
    }
    return (await this.#details(q).orderBy(sql`f.rowid`, "desc").limit(page.limit).execute()) as unknown as SearchRow[];
  }

  /**
   * PostgreSQL, newest first by id, in one statement: `near` takes the matches among the newest
   * WALK messages below the cursor, with the plan the word's frequency calls for (migration 0026
   * gives the planner lexeme statistics): a walk back along the primary key that stops at the
   * page's end for a common word — a GIN scan would read every one of its matches before sorting
   * (1 s for a word in 10 % of 1M messages; bench/messages.ts) — or the GIN index for a rare one.
   * Only if that page is short does `far` look further back, through the GIN index fenced off in
   * a subquery (OFFSET 0), so that a word the planner expected early cannot walk the whole table.
   * The tsquery is a literal, not a parameter: a prepared statement's generic plan would pick one
   * plan for every word.
   */
  #postgresWords(userId: string, k: SearchCriteria, words: Words, page: { cursor?: string; limit: number }) {
    // Words are letters, digits and marks only (query.ts), so they cannot carry query syntax.
    const tsquery = sql.lit(words.map((w) => (w.prefix ? `${w.word}:*` : w.word)).join(" & "));
    const matches = sql<boolean>`to_tsvector('simple', m.content) @@ to_tsquery('simple', ${tsquery})`;
    const below = <Q extends AnyQuery>(q: Q): Q => (page.cursor ? (q.where("m.id", "<", page.cursor) as Q) : q);
    const query = this.db
      .with("bound", (db) =>
        db.selectNoFrom((eb) =>
          eb.fn
            .coalesce(
              below(db.selectFrom("messages as m").select("m.id")).orderBy("m.id", "desc").offset(sql.lit(this.#walk - 1)).limit(sql.lit(1)),
              sql.lit(""),
            )
            .as("id"),
        ),
      )
      .with(
        (cte) => cte("near").materialized(),
        (db) =>
          below(this.#narrow(this.#member(db.selectFrom("messages as m"), userId), userId, k))
            .select("m.id")
            .where(matches)
            .where("m.id", ">=", (eb) => eb.selectFrom("bound").select("id"))
            .orderBy("m.id", "desc")
            .limit(page.limit),
      )
      .with(
        (cte) => cte("far").materialized(),
        (db) =>
          below(this.#narrow(this.#member(db.selectFrom(db.selectFrom("messages as m").selectAll().where(matches).offset(0).as("m")), userId), userId, k))
            .select("m.id")
            .where("m.id", "<", (eb) => eb.selectFrom("bound").select("id"))
            .where((eb) => eb(eb.selectFrom("near").select((n) => n.fn.countAll().as("n")), "<", page.limit))
            .orderBy("m.id", "desc")
            .limit(page.limit),
      )
      .selectFrom("messages as m")
      .where("m.id", "in", (eb) => eb.selectFrom("near").select("id").unionAll(eb.selectFrom("far").select("id")));
    return this.#details(query).orderBy("m.id", "desc").limit(page.limit).execute() as unknown as Promise<SearchRow[]>;
  }

  #member<Q extends AnyQuery>(q: Q, userId: string): Q {
    return q.innerJoin("conversation_members as cm", (j) => j.onRef("cm.conversation_id", "=", "m.conversation_id").on("cm.user_id", "=", userId)) as unknown as Q;
  }

  /** The criteria other than words, on messages `m`. */
  #narrow<Q extends AnyQuery>(q: Q, userId: string, k: SearchCriteria): Q {
    // A literal kind (not a parameter) lets PostgreSQL's estimates see that nearly every message is text.
    let r: AnyQuery = q.where(sql<boolean>`m.kind = 'text'`).where("m.deleted_at", "is", null);
    if (k.fromUsername) r = r.where("m.author_id", "=", (eb) => eb.selectFrom("users").select("id").where("username", "=", k.fromUsername!));
    if (k.mentions) r = r.where(sql<boolean>`lower(m.content) like ${`%@${escapeLike(k.mentions)}%`} escape '\\'`);
    if (k.hasLink) r = r.where(sql<boolean>`(lower(m.content) like '%http://%' or lower(m.content) like '%https://%')`);
    if (k.hasFile) r = r.where(({ exists, selectFrom }) => exists(selectFrom("attachments as a").select("a.id").whereRef("a.message_id", "=", "m.id")));
    if (k.in !== undefined) r = r.where("m.conversation_id", "in", this.#conversationsNamed(userId, k.in));
    if (k.before) r = r.where("m.created_at", "<", k.before);
    if (k.after) r = r.where("m.created_at", ">=", k.after);
    return r as Q;
  }

  /** Each hit's conversation and author beside the message. */
  #details<Q extends AnyQuery>(q: Q) {
    return q
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .leftJoin("users as u", "u.id", "m.author_id")
      .selectAll("m")
      .select(["c.kind as c_kind", "c.name as c_name", "c.space_id as c_space_id", "u.id as u_id", "u.username as u_username", "u.display_name as u_display_name", "u.avatar_url as u_avatar_url"]);
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
  #walkIndex(userId: string, words: Words) {
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
