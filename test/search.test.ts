/**
 * Message search (GET /api/search): words and filters over the text messages of conversations
 * the caller is a member of now — never others', and not after leaving; edits re-index, deletes
 * un-index; snippets carry ranges; pages follow a cursor at one query each.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Message, SearchHit, SearchResult } from "../src/shared/protocol";
import { CookieJar, registerUser, nodeForSuite, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { buildWorld, json, type World } from "./support/spaces";
import { connectWs } from "./support/ws";
import { QueryCounter } from "./support/query-counter";
import type { KyselyStore } from "../src/server/store/store";
import * as searchMigration from "../src/server/store/migrations/0016_search";

const suite = nodeForSuite();
let world: World;
beforeAll(async () => {
  world = await buildWorld(suite.node);
}, 60_000);

type User = Awaited<ReturnType<typeof registerUser>>;

/** A word no other test uses (letters only, so no other word starts with it). */
const word = () => `q${crypto.randomUUID().replace(/[^a-f]/g, "").slice(0, 12)}`;

async function send(conversationId: string, jar: CookieJar, content: string, node: TestNode = suite.node): Promise<Message> {
  const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
  expect(res.status).toBe(201);
  return (await json(res)).message;
}

const query = (q: string, jar: CookieJar, extra = "", node: TestNode = suite.node) => node.req(`/api/search?q=${encodeURIComponent(q)}${extra}`, {}, jar);

async function search(q: string, jar: CookieJar, extra = "", node: TestNode = suite.node): Promise<SearchResult> {
  const res = await query(q, jar, extra, node);
  expect(res.status).toBe(200);
  return (await res.json()) as SearchResult;
}

const ids = async (q: string, jar: CookieJar) => (await search(q, jar)).hits.map((h) => h.message.id);
const marked = (h: SearchHit) => h.snippet.highlights.map(([a, b]) => h.snippet.text.slice(a, b));

async function pair(): Promise<{ alice: User; bob: User; dm: string }> {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  return { alice, bob, dm: await befriend(suite.node, alice, bob) };
}

test("words find messages by the start of their words, in any order and case, newest first, with who, where and the matches marked", async () => {
  const { alice, bob, dm } = await pair();
  const w = word();
  const older = await send(dm, alice.jar, `Deploying ${w.toUpperCase()}ish tonight`);
  const newer = await send(dm, bob.jar, `the ${w} deployment went fine`);
  await send(dm, bob.jar, `the ${w} rollback`);
  const { hits, nextCursor } = await search(`deploy ${w}`, alice.jar);
  expect(hits.map((h) => h.message.id)).toEqual([newer.id, older.id]);
  expect(nextCursor).toBeNull();
  expect(hits[0]).toMatchObject({
    message: { id: newer.id, conversationId: dm, authorId: bob.user.id, content: newer.content },
    conversation: { id: dm, kind: "dm", spaceId: null },
    author: { id: bob.user.id, username: bob.user.username },
    snippet: { text: newer.content },
  });
  expect(marked(hits[0]!)).toEqual([w, "deployment"]);
  expect(marked(hits[1]!)).toEqual(["Deploying", `${w.toUpperCase()}ish`]);
  // Bob reads the same conversation, so he finds the same; a word that is only inside another finds nothing.
  expect(await ids(`${w} DEPLOY`, bob.jar)).toEqual([newer.id, older.id]);
  expect(await ids(`ploy ${w}`, alice.jar)).toEqual([]);
});

test("never a message from a conversation the caller is not in: outsiders, the banned, and members once they leave the space or the group", async () => {
  const { owner, member, outsider, banned } = world.users;
  const w = word();
  const m = await send(world.textChannelId, member.jar, `channel secret ${w}`);
  const joiner = await world.newMember();
  expect((await search(w, joiner.jar)).hits[0]).toMatchObject({ message: { id: m.id }, conversation: { id: world.textChannelId, kind: "channel", spaceId: world.spaceId } });
  for (const jar of [outsider.jar, banned.jar]) expect(await ids(w, jar)).toEqual([]);
  expect((await suite.node.req(`/api/spaces/${world.spaceId}/leave`, { method: "POST" }, joiner.jar)).status).toBeLessThan(300);
  expect(await ids(w, joiner.jar)).toEqual([]);
  expect(await ids(w, owner.jar)).toEqual([m.id]);

  const [a, b, c] = [await registerUser(suite.node), await registerUser(suite.node), await registerUser(suite.node)];
  await befriend(suite.node, a, b);
  await befriend(suite.node, a, c);
  const group = (await json(await suite.node.req("/api/conversations", { method: "POST", json: { memberIds: [b.user.id, c.user.id], name: "Trio" } }, a.jar))).conversation;
  const g = await send(group.id, a.jar, `group secret ${w}`);
  expect(await ids(w, c.jar)).toEqual([g.id]);
  expect((await suite.node.req(`/api/conversations/${group.id}/members/me`, { method: "DELETE" }, c.jar)).status).toBe(204);
  expect(await ids(w, c.jar)).toEqual([]);
  expect(await ids(w, b.jar)).toEqual([g.id]);
});

test("an edit re-indexes the message and a delete takes it out", async () => {
  const { alice, bob, dm } = await pair();
  const [before, after] = [word(), word()];
  const m = await send(dm, alice.jar, `typo ${before}`);
  expect(await ids(before, bob.jar)).toEqual([m.id]);
  expect((await suite.node.req(`/api/messages/${m.id}`, { method: "PATCH", json: { content: `fixed ${after}` } }, alice.jar)).status).toBe(200);
  expect(await ids(before, bob.jar)).toEqual([]);
  const [hit] = (await search(after, bob.jar)).hits;
  expect(hit).toMatchObject({ message: { id: m.id, content: `fixed ${after}`, editedAt: expect.any(String) } });
  expect((await suite.node.req(`/api/messages/${m.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
  expect(await ids(after, bob.jar)).toEqual([]);
  expect(await ids(`from:${alice.user.username}`, bob.jar)).toEqual([]);
});

test("sends that arrive together (one group commit) are all found", async () => {
  const { alice, bob, dm } = await pair();
  const w = word();
  const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => send(dm, i % 2 ? alice.jar : bob.jar, `burst ${w} ${i}`)));
  const found = (await search(w, alice.jar, "&limit=50")).hits.map((h) => h.message.id);
  expect(found.toSorted()).toEqual(sent.map((m) => m.id).toSorted());
});

test("from:, in:, mentions:, has:link, before: and after: narrow the words, and work alone", async () => {
  const { owner, member, admin } = world.users;
  const w = word();
  const plain = await send(world.textChannelId, member.jar, `${w} plain`);
  const link = await send(world.textChannelId, owner.jar, `${w} see https://example.com/notes`);
  const mention = await send(world.textChannelId, owner.jar, `${w} ping @${member.user.username} please`);
  const other = await send(world.textChannelId, owner.jar, `${w} ping @${member.user.username}x not them`);
  const dm = await befriend(suite.node, owner, admin);
  const inDm = await send(dm, admin.jar, `${w} in private`);

  expect(await ids(`${w} from:${member.user.username}`, owner.jar)).toEqual([plain.id]);
  expect(await ids(`from:@${owner.user.username.toUpperCase()} ${w}`, owner.jar)).toEqual([other.id, mention.id, link.id]);
  expect(await ids(`${w} has:link`, owner.jar)).toEqual([link.id]);
  const byMention = await search(`mentions:${member.user.username} ${w}`, owner.jar);
  expect(byMention.hits.map((h) => h.message.id)).toEqual([mention.id]);
  expect(marked(byMention.hits[0]!)).toEqual([w, `@${member.user.username}`]);
  expect(await ids(`${w} in:${admin.user.username}`, owner.jar)).toEqual([inDm.id]);
  expect(await ids(`${w} in:${world.textChannelId}`, owner.jar)).toEqual([other.id, mention.id, link.id, plain.id]);
  const channelName = (await json(await suite.node.req(`/api/spaces/${world.spaceId}`, {}, owner.jar))).space.channels[0].name as string;
  expect(await ids(`${w} in:"#${channelName.toUpperCase()}"`, owner.jar)).toEqual([other.id, mention.id, link.id, plain.id]);
  expect(await ids(`${w} in:Guild`, owner.jar)).toEqual([other.id, mention.id, link.id, plain.id]);
  expect(await ids(`${w} in:nowhere`, owner.jar)).toEqual([]);

  const day = plain.createdAt.slice(0, 10);
  const shift = (d: number) => new Date(Date.parse(`${day}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
  expect(await ids(`${w} before:${day}`, owner.jar)).toEqual([]);
  expect(await ids(`${w} after:${day}`, owner.jar)).toEqual([]);
  expect(await ids(`${w} after:${shift(-1)} before:${shift(1)}`, owner.jar)).toEqual([inDm.id, other.id, mention.id, link.id, plain.id]);

  // Filters alone: the newest of the caller's messages that pass them.
  expect((await search(`from:${admin.user.username} in:${admin.user.username}`, owner.jar)).hits[0]?.message.id).toBe(inDm.id);
  expect((await search(`mentions:${member.user.username}`, member.jar)).hits[0]?.message.id).toBe(mention.id);
});

test("a long message's snippet is cut around the first match with the ranges moved along; matches never become markup", async () => {
  const { alice, bob, dm } = await pair();
  const w = word();
  const long = `${"lorem ipsum dolor ".repeat(20)}<b>${w}</b> & more ${"sit amet ".repeat(40)}`;
  await send(dm, alice.jar, long);
  const [hit] = (await search(w, bob.jar)).hits;
  const { text, highlights } = hit!.snippet;
  expect(text.startsWith("…")).toBe(true);
  expect(text.endsWith("…")).toBe(true);
  expect(text.length).toBeLessThanOrEqual(202);
  expect(text).toContain(`<b>${w}</b> & more`);
  expect(highlights).toEqual([[text.indexOf(w), text.indexOf(w) + w.length]]);
  expect(hit!.message.content).toBe(long);
});

test("pages follow the cursor with nothing twice and nothing left out", async () => {
  const { alice, bob, dm } = await pair();
  const w = word();
  const sent: string[] = [];
  for (let i = 0; i < 23; i++) sent.push((await send(dm, i % 3 ? alice.jar : bob.jar, `page ${w} number ${i}`)).id);
  const seen: string[] = [];
  let cursor = "";
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(5);
    const page = await search(w, bob.jar, `&limit=5${cursor ? `&cursor=${cursor}` : ""}`);
    seen.push(...page.hits.map((h) => h.message.id));
    if (!page.nextCursor) break;
    expect(page.hits).toHaveLength(5);
    cursor = page.nextCursor;
  }
  expect(seen).toEqual(sent.toReversed());
});

test("bad queries are 400 VALIDATION_ERROR saying why; without a signed-in user (a room guest too) it is 401", async () => {
  const { alice } = await pair();
  for (const [q, why] of [
    ["", /Enter something/],
    ["   ?! ", /word or a filter/],
    ["has:pictures", /has: takes link or file/],
    ["x before:2024-02-30", /YYYY-MM-DD/],
    ["x after:yesterday", /YYYY-MM-DD/],
    ["from:a", /username/],
    ["from:", /needs a value/],
    ["x from:bob_1 from:carol", /once/],
    ["x after:2024-05-01 before:2024-05-02", /No day/],
    ["a b c d e f g h i j k", /at most 10 words/],
    ["x".repeat(201), /./],
  ] as const) {
    const res = await query(q, alice.jar);
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(error)).toMatch(why);
  }
  expect((await query("x", alice.jar, "&cursor=")).status).toBe(400);
  expect((await query("x", alice.jar, "&limit=51")).status).toBe(400);
  // Words that look like filters but are not stay words.
  const w = word();
  const { dm } = await (async () => {
    const bob = await registerUser(suite.node);
    return { dm: await befriend(suite.node, alice, bob) };
  })();
  const m = await send(dm, alice.jar, `meet at 10:30 re:${w}`);
  expect(await ids(`re:${w} 10:30`, alice.jar)).toEqual([m.id]);

  expect((await query("hello", new CookieJar())).status).toBe(401);
  const room = (await json(await suite.node.req("/api/rooms", { method: "POST", json: { name: "Search room", allowGuests: true } }, alice.jar))).room;
  const guest = new CookieJar();
  expect((await suite.node.req(`/api/rooms/${room.slug}/guests`, { method: "POST", json: { name: "Visitor" } }, guest)).status).toBe(201);
  const ws = await connectWs(suite.base, guest);
  try {
    expect((await ws.request({ type: "message:send", conversationId: room.conversationId, clientId: crypto.randomUUID(), content: `guest says ${w}` })).ok).toBe(true);
  } finally {
    ws.close();
  }
  const res = await query(w, guest);
  expect(res.status).toBe(401);
  expect((await json(res)).error.code).toBe("UNAUTHORIZED");
  // The host reads the room's chat, guests' lines included.
  const [hit] = (await search(`guest ${w}`, alice.jar)).hits;
  expect(hit).toMatchObject({ author: null, message: { guest: { name: "Visitor" } }, conversation: { id: room.conversationId, kind: "room" } });
});

test("messages stored before the index existed are found once it is built", async () => {
  const { alice, bob, dm } = await pair();
  const w = word();
  const m = await send(dm, alice.jar, `from long ago ${w}`);
  const db = (suite.node.store as KyselyStore).db;
  await searchMigration.down(db as never);
  await searchMigration.up(db as never);
  expect(await ids(w, bob.jar)).toEqual([m.id]);
  const n = await send(dm, bob.jar, `and since ${w}`);
  expect(await ids(w, alice.jar)).toEqual([n.id, m.id]);
});

let counted: TestNode | undefined;
afterAll(() => counted?.dispose());

test("a page costs the same queries whether it holds one hit or fifty from many conversations", async () => {
  const counter = new QueryCounter();
  counted = await startNode({}, { storePlugins: [counter] });
  const me = await registerUser(counted);
  const w = word();
  const others: User[] = [];
  for (let i = 0; i < 5; i++) {
    const other = await registerUser(counted);
    others.push(other);
    const dm = await befriend(counted, me, other);
    for (let j = 0; j < 12; j++) await send(dm, j % 2 ? me.jar : other.jar, `${w} ${i} ${j} @${me.user.username}`, counted);
  }
  const cost = async (q: string, limit: number) => {
    const before = counter.count;
    const res = await search(q, me.jar, `&limit=${limit}`, counted);
    return { queries: counter.count - before, hits: res.hits.length };
  };
  const one = await cost(w, 1);
  const full = await cost(w, 50);
  const filtered = await cost(`${w} mentions:${me.user.username} from:${others[0]!.user.username} in:${others[0]!.user.username}`, 50);
  const none = await cost(`${w} in:nowhere`, 50);
  expect([one.hits, full.hits, filtered.hits, none.hits]).toEqual([1, 50, 6, 0]);
  expect(new Set([one.queries, full.queries, filtered.queries, none.queries]).size).toBe(1);
});

test("search spends the caller's read budget: past it, 429 RATE_LIMITED with Retry-After", async () => {
  const node = await startNode({ READ_BURST: "3", READ_RATE_PER_SECOND: "0.0001" });
  try {
    const me = await registerUser(node);
    for (let i = 0; i < 3; i++) expect((await query("anything", me.jar, "", node)).status).toBe(200);
    const res = await query("anything", me.jar, "", node);
    expect(res.status).toBe(429);
    expect((await json(res)).error.code).toBe("RATE_LIMITED");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  } finally {
    await node.dispose();
  }
});
