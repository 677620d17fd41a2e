/**
 * The 1M-message data set of bench/messages.ts, generated from a seed so every run and both stores
 * hold the same rows, and bulk-loaded straight into Parley's tables: multi-row INSERTs in large
 * transactions. The full-text index keeps in step as on the write path — SQLite's FTS5 triggers
 * and PostgreSQL's GIN expression index (migration 0016) are in place while the rows go in.
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { newId } from "../../src/shared/ids";

export const COMMON = "meeting";
export const RARE = "xylophone";

export interface Shape {
  messages: number;
  conversations: number;
  /** Conversations the reader (the searching user) is a member of. */
  readerIn: number;
  authors: number;
  /** Share of messages holding COMMON, and how many hold RARE. */
  commonShare: number;
  rareCount: number;
}

export interface Loaded {
  /** The reader's conversations, and from each, ids of its messages to page back from. */
  readerConversations: string[];
  cursors: Array<{ conversationId: string; before: string }>;
  /** Messages holding each word, all and visible to the reader. */
  counts: { common: number; commonVisible: number; rare: number; rareVisible: number };
  loadSeconds: number;
}

/** mulberry32: small, fast, seeded. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 4,000 made-up words (no x, y or "me" at the start, so none starts with COMMON or RARE), drawn Zipf-like. */
function vocabulary(rand: () => number) {
  const syl = ["ka", "lo", "ri", "tu", "ne", "sa", "po", "di", "gu", "fe", "bo", "zi", "ha", "nu", "te", "wa"];
  const words = new Set<string>();
  while (words.size < 4000) {
    const n = 2 + Math.floor(rand() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += syl[Math.floor(rand() * syl.length)];
    words.add(w);
  }
  const list = [...words];
  // Rank r drawn with weight 1/r: the inverse of the harmonic CDF, approximated by exp.
  const H = Math.log(list.length) + 0.5772;
  return () => list[Math.min(list.length - 1, Math.floor(Math.exp(rand() * H)) - 1)]!;
}

interface Fixture {
  users: Array<{ id: string; username: string }>;
  /** members: authors first (five), then the reader where they are in it. */
  conversations: Array<{ id: string; authors: string[]; members: string[] }>;
}

function fixture(shape: Shape, readerId: string, rand: () => number): Fixture {
  const users = Array.from({ length: shape.authors }, (_, i) => ({ id: newId(), username: `bench_author_${i}` }));
  const conversations = Array.from({ length: shape.conversations }, (_, i) => {
    const authors = new Set<string>();
    while (authors.size < 5) authors.add(users[Math.floor(rand() * users.length)]!.id);
    return { id: newId(), authors: [...authors], members: i < shape.readerIn ? [...authors, readerId] : [...authors] };
  });
  return { users, conversations };
}

type Row = [id: string, conversation_id: string, author_id: string, client_id: string, kind: string, content: string, created_at: string];
const COLS = ["id", "conversation_id", "author_id", "client_id", "kind", "content", "created_at"] as const;

/** Yields the messages in batches, oldest first, over the year before now; tallies the words. */
function* messages(shape: Shape, fx: Fixture, rand: () => number, readerSet: Set<string>, counts: Loaded["counts"], cursors: Loaded["cursors"], batch: number) {
  const word = vocabulary(rand);
  const rareAt = new Set<number>();
  while (rareAt.size < shape.rareCount) rareAt.add(Math.floor(rand() * shape.messages));
  const end = Date.now() - 60_000;
  const step = (365 * 86_400_000) / shape.messages;
  let rows: Row[] = [];
  for (let i = 0; i < shape.messages; i++) {
    const c = fx.conversations[Math.floor(rand() * fx.conversations.length)]!;
    const author = c.authors[Math.floor(rand() * c.authors.length)]!;
    const n = 4 + Math.floor(rand() * 12);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(word());
    const visible = readerSet.has(c.id);
    if (rand() < shape.commonShare) {
      words.splice(Math.floor(rand() * words.length), 0, COMMON);
      counts.common++;
      if (visible) counts.commonVisible++;
    }
    if (rareAt.has(i)) {
      words.splice(Math.floor(rand() * words.length), 0, RARE);
      counts.rare++;
      if (visible) counts.rareVisible++;
    }
    const at = end - (shape.messages - i) * step;
    const id = newId(at);
    if (visible && rand() < 0.002) cursors.push({ conversationId: c.id, before: id });
    rows.push([id, c.id, author, `bench-${i}`, "text", words.join(" "), new Date(at).toISOString()]);
    if (rows.length === batch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length) yield rows;
}

function prepare(shape: Shape, readerId: string) {
  const rand = rng(20261206);
  const now = new Date().toISOString();
  const fx = fixture(shape, readerId, rand);
  const readerConversations = fx.conversations.slice(0, shape.readerIn).map((c) => c.id);
  const counts = { common: 0, commonVisible: 0, rare: 0, rareVisible: 0 };
  const cursors: Loaded["cursors"] = [];
  return { rand, now, fx, readerConversations, counts, cursors, readerSet: new Set(readerConversations) };
}

export async function loadSqlite(path: string, shape: Shape, readerId: string, log: (s: string) => void): Promise<Loaded> {
  const t0 = performance.now();
  const p = prepare(shape, readerId);
  const db = new Database(path, { strict: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA synchronous = OFF"); // this loading connection only; Parley's keeps FULL
    db.transaction(() => {
      const u = db.prepare("insert into users (id, email, username, display_name, password_hash, created_at, updated_at) values (?, ?, ?, ?, null, ?, ?)");
      for (const x of p.fx.users) u.run(x.id, `${x.username}@bench.invalid`, x.username, x.username, p.now, p.now);
      const c = db.prepare("insert into conversations (id, kind, name, owner_id, created_at) values (?, 'group', ?, ?, ?)");
      const m = db.prepare("insert into conversation_members (conversation_id, user_id, joined_at) values (?, ?, ?)");
      p.fx.conversations.forEach((x, i) => {
        c.run(x.id, `group ${i}`, x.members[0]!, p.now);
        for (const member of x.members) m.run(x.id, member, p.now);
      });
    })();
    const per = 100;
    const one = `(${COLS.map(() => "?").join(", ")})`;
    const insert = db.prepare(`insert into messages (${COLS.join(", ")}) values ${Array.from({ length: per }, () => one).join(", ")}`);
    const insertRest = (rows: Row[]) => db.prepare(`insert into messages (${COLS.join(", ")}) values ${rows.map(() => one).join(", ")}`).run(...(rows.flat() as never[]));
    let done = 0;
    for (const rows of messages(shape, p.fx, p.rand, p.readerSet, p.counts, p.cursors, 50_000)) {
      db.transaction(() => {
        let i = 0;
        for (; i + per <= rows.length; i += per) insert.run(...(rows.slice(i, i + per).flat() as never[]));
        if (i < rows.length) insertRest(rows.slice(i));
      })();
      done += rows.length;
      if (done % 200_000 === 0) log(`  SQLite: ${done} messages (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return { readerConversations: p.readerConversations, cursors: p.cursors, counts: p.counts, loadSeconds: (performance.now() - t0) / 1000 };
}

export async function loadPostgres(url: string, shape: Shape, readerId: string, log: (s: string) => void): Promise<Loaded> {
  const t0 = performance.now();
  const p = prepare(shape, readerId);
  const sql = new SQL({ url, max: 2 });
  try {
    await sql.begin(async (tx) => {
      await tx`insert into users ${tx(p.fx.users.map((x) => ({ id: x.id, email: `${x.username}@bench.invalid`, username: x.username, display_name: x.username, created_at: p.now, updated_at: p.now })))}`;
      await tx`insert into conversations ${tx(p.fx.conversations.map((x, i) => ({ id: x.id, kind: "group", name: `group ${i}`, owner_id: x.members[0]!, created_at: p.now })))}`;
      const members = p.fx.conversations.flatMap((x) => x.members.map((m) => ({ conversation_id: x.id, user_id: m, joined_at: p.now })));
      await tx`insert into conversation_members ${tx(members)}`;
    });
    let done = 0;
    let inFlight: Promise<unknown>[] = [];
    for (const rows of messages(shape, p.fx, p.rand, p.readerSet, p.counts, p.cursors, 20_000)) {
      // Two transactions at a time (the pool), each of 2,000-row statements (7 × 2,000 parameters).
      inFlight.push(
        sql.begin(async (tx) => {
          for (let i = 0; i < rows.length; i += 2000) {
            const objs = rows.slice(i, i + 2000).map((r) => Object.fromEntries(COLS.map((k, j) => [k, r[j]])));
            await tx`insert into messages ${tx(objs)}`;
          }
        }),
      );
      if (inFlight.length >= 2) {
        await Promise.all(inFlight);
        inFlight = [];
      }
      done += rows.length;
      if (done % 200_000 === 0) log(`  PostgreSQL: ${done} messages (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await Promise.all(inFlight);
    // What autovacuum would have done by the time a table holds a year of messages.
    await sql.unsafe("vacuum analyze messages");
    await sql.unsafe("analyze conversation_members");
    await sql.unsafe("analyze conversations");
    await sql.unsafe("analyze users");
  } finally {
    await sql.close();
  }
  return { readerConversations: p.readerConversations, cursors: p.cursors, counts: p.counts, loadSeconds: (performance.now() - t0) / 1000 };
}
