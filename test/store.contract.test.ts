/**
 * The Store contract, run against every implementation: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is set (each run in a database of its own).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId } from "../src/shared/ids";
import { openStore } from "../src/server/store/open";
import type { KyselyStore, Store } from "../src/server/store/store";
import { KyselySearchStore, type SearchCriteria } from "../src/server/store/search";
import type { Config } from "../src/server/config";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";
import { QueryCounter } from "./support/query-counter";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";

/** Holds back the answer of the second message batch (an insert answering ids only), as a slow commit would be. */
class SlowSecondBatch implements KyselyPlugin {
  batches = 0;
  constructor(private readonly ms: number) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows;
    if (rows.length > 1 && rows.every((r) => Object.keys(r).length === 1 && "id" in r) && ++this.batches === 2) await new Promise((r) => setTimeout(r, this.ms));
    return args.result;
  }
}

interface Backend {
  name: string;
  open(): Promise<{ database: Config["database"]; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "parley-store-"));
      return { database: { kind: "sqlite", path: join(dir, "t.db") }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
if (TEST_DATABASE_URL) {
  backends.push({
    name: "postgres",
    async open() {
      const db = await createTestDatabase();
      return { database: { kind: "postgres", url: db.url, poolSize: 10 }, cleanup: () => db.drop() };
    },
  });
} else {
  console.warn("store contract: TEST_DATABASE_URL not set — skipping the PostgreSQL run");
  test.skip("store contract on postgres (TEST_DATABASE_URL not set)", () => {});
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();

for (const backend of backends) {
  describe(`store contract on ${backend.name}`, () => {
    let store: Store;
    let database: Config["database"];
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ database, cleanup } = await backend.open());
      store = await openStore(database);
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    let n = 0;
    const user = (over: Partial<{ email: string; username: string }> = {}) => {
      const i = ++n;
      return store.accounts.createUser({
        id: newId(),
        email: over.email ?? `u${i}@example.com`,
        username: over.username ?? `user_${i}`,
        displayName: `User ${i}`,
        passwordHash: "hash",
        now: iso(),
      });
    };
    const session = async (userId: string, refreshHash = newId()) =>
      store.accounts.createSession({ id: newId(), userId, userAgent: "test", ip: "127.0.0.1", refreshHash, now: iso(), expiresAt: iso(Date.now() + 3600_000) });

    test("migrations are idempotent: opening the same database again changes nothing", async () => {
      const u = await user();
      const again = await openStore(database);
      expect((await again.accounts.userById(u.id))?.username).toBe(u.username);
      await again.close();
    });

    test("a created user is found by id, email and username", async () => {
      const u = await user();
      expect((await store.accounts.userById(u.id))?.email).toBe(u.email);
      expect((await store.accounts.userByLogin(u.email.toUpperCase()))?.id).toBe(u.id);
      expect((await store.accounts.userByLogin(u.username))?.id).toBe(u.id);
      expect(await store.accounts.usernameTaken(u.username)).toBe(true);
      expect(await store.accounts.userById(newId())).toBeUndefined();
    });

    test("duplicate email or username is a CONFLICT naming the field, and the first user is intact", async () => {
      const u = await user();
      await expect(user({ email: u.email })).rejects.toMatchObject({ code: "CONFLICT", details: { field: "email" } });
      await expect(user({ username: u.username })).rejects.toMatchObject({ code: "CONFLICT", details: { field: "username" } });
      expect((await store.accounts.userById(u.id))?.display_name).toBe(u.display_name);
    });

    test("prefix search treats LIKE wildcards literally", async () => {
      await user({ username: "wild_card" });
      await user({ username: "wildxcard" });
      expect((await store.accounts.searchUsers("wild_", 20)).map((u) => u.username)).toEqual(["wild_card"]);
      expect(await store.accounts.searchUsers("%", 20)).toEqual([]);
    });

    test("updating a profile changes only the given fields", async () => {
      const u = await user();
      const updated = await store.accounts.updateUser(u.id, { displayName: "New Name" }, iso());
      expect(updated?.display_name).toBe("New Name");
      expect(updated?.email).toBe(u.email);
      expect((await store.accounts.updateUser(u.id, { avatarUrl: "https://x.example/a.png" }, iso()))?.display_name).toBe("New Name");
    });

    test("login failures count per address and per account; idle counts start over; a success reports and clears them", async () => {
      const key = `u:${newId()}`;
      const t = Date.now();
      const at = (s: number) => iso(t + s * 1000);
      expect(await store.throttle.recordLoginFailure(key, "1.1.1.1", at(0), at(-60))).toEqual({ failures: 1, addresses: 1 });
      expect(await store.throttle.recordLoginFailure(key, "1.1.1.1", at(1), at(-59))).toEqual({ failures: 2, addresses: 1 });
      expect(await store.throttle.recordLoginFailure(key, "2.2.2.2", at(2), at(-58))).toEqual({ failures: 1, addresses: 2 });
      await store.throttle.blockLogin(key, "1.1.1.1", at(30));
      expect(await store.throttle.loginBlocks(key, "1.1.1.1")).toEqual({ address: at(30), account: null });
      expect(await store.throttle.loginBlocks(key, "2.2.2.2")).toEqual({ address: null, account: null });
      // 100 s later the window (60 s) has passed: 2.2.2.2 starts over.
      expect(await store.throttle.recordLoginFailure(key, "2.2.2.2", at(100), at(40))).toEqual({ failures: 1, addresses: 1 });
      expect(await store.throttle.loginSucceeded(key, "2.2.2.2")).toEqual({ count: 1, lastAt: at(100) });
      expect(await store.throttle.loginSucceeded(key, "2.2.2.2")).toBeNull();
    });

    test("a refresh token rotates once; spending it again reports reuse and revokes the session", async () => {
      const u = await user();
      const s = await session(u.id, "h1");
      const first = await store.accounts.rotateRefresh("h1", "h2", iso());
      expect(first.kind).toBe("ok");
      expect((await store.accounts.rotateRefresh("h2", "h3", iso())).kind).toBe("ok");
      expect(await store.accounts.rotateRefresh("h1", "h4", iso())).toEqual({ kind: "reused", sessionId: s.id });
      expect((await store.accounts.sessionById(s.id))?.revoked_at).not.toBeNull();
      expect((await store.accounts.rotateRefresh("h3", "h5", iso())).kind).toBe("invalid");
      expect((await store.accounts.rotateRefresh("never-issued", "h6", iso())).kind).toBe("invalid");
    });

    test("concurrent rotations of one token: exactly one succeeds", async () => {
      const u = await user();
      await session(u.id, "race-0");
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.accounts.rotateRefresh("race-0", `race-next-${i}`, iso())));
      expect(results.filter((r) => r.kind === "ok")).toHaveLength(1);
    });

    test("sessions are listed newest-used first and revoked one by one or all at once", async () => {
      const u = await user();
      const other = await user();
      const a = await session(u.id);
      const b = await session(u.id);
      await session(other.id);
      expect((await store.accounts.listSessions(u.id, iso())).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
      expect(await store.accounts.revokeSession(other.id, a.id, iso())).toBe(false);
      expect(await store.accounts.revokeSession(u.id, a.id, iso())).toBe(true);
      expect((await store.accounts.listSessions(u.id, iso())).map((s) => s.id)).toEqual([b.id]);
      await store.accounts.revokeAllSessions(u.id, iso());
      expect(await store.accounts.listSessions(u.id, iso())).toEqual([]);
      expect(await store.accounts.listSessions(other.id, iso())).toHaveLength(1);
    });

    test("an OIDC identity links to one user and linking twice is harmless", async () => {
      const u = await user();
      await store.accounts.linkIdentity("oidc", "sub-1", u.id, iso());
      await store.accounts.linkIdentity("oidc", "sub-1", u.id, iso());
      expect(await store.accounts.userIdForIdentity("oidc", "sub-1")).toBe(u.id);
      expect(await store.accounts.userIdForIdentity("oidc", "sub-2")).toBeUndefined();
    });

    const spaceWith = async (memberCount: number) => {
      const owner = await user();
      const space = await store.spaces.createSpace({ id: newId(), name: "S", ownerId: owner.id, now: iso(), channels: [{ id: newId(), name: "general", kind: "text" }, { id: newId(), name: "General", kind: "voice" }] });
      const invite = await store.spaces.createInvite({ code: newId(), spaceId: space.id, createdBy: owner.id, maxUses: null, expiresAt: null, now: iso() });
      const members = [];
      for (let i = 0; i < memberCount; i++) {
        const m = await user();
        await store.spaces.acceptInvite(invite.code, m.id, iso());
        members.push(m.id);
      }
      return { spaceId: space.id, owner: owner.id, members };
    };

    test("ownership moves only from the current owner, even on a stale check or at once", async () => {
      const { spaceId, owner, members: [b, c] } = await spaceWith(2);
      expect(await store.spaces.transferOwnership(spaceId, owner, b!)).toBe(true);
      // The old owner's second transfer (its permission check made before the first) changes nothing.
      expect(await store.spaces.transferOwnership(spaceId, owner, c!)).toBe(false);
      expect(await store.spaces.transferOwnership(spaceId, b!, newId())).toBe(false);
      expect([await store.spaces.role(spaceId, owner), await store.spaces.role(spaceId, b!), await store.spaces.role(spaceId, c!)]).toEqual(["admin", "owner", "member"]);
      expect((await store.spaces.space(spaceId))?.owner_id).toBe(b!);
      const race = await spaceWith(2);
      const won = await Promise.all(race.members.map((m) => store.spaces.transferOwnership(race.spaceId, race.owner, m)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await store.spaces.members(race.spaceId)).filter((m) => m.role === "owner")).toHaveLength(1);
    });

    test("a channel reorder must name every channel of the space exactly once", async () => {
      const { spaceId } = await spaceWith(0);
      const [text, voice] = (await store.spaces.channels(spaceId)).map((c) => c.id) as [string, string];
      for (const ids of [[voice], [voice, voice], [voice, text, newId()]]) expect(await store.spaces.reorderChannels(spaceId, ids)).toBe(false);
      expect((await store.spaces.channels(spaceId)).map((c) => [c.id, c.position])).toEqual([[text, 0], [voice, 1]]);
      expect(await store.spaces.reorderChannels(spaceId, [voice, text])).toBe(true);
      expect((await store.spaces.channels(spaceId)).map((c) => [c.id, c.position])).toEqual([[voice, 0], [text, 1]]);
    });

    test("one user's concurrent accepts of an invite join once and spend one use", async () => {
      const { spaceId, owner } = await spaceWith(0);
      const invite = await store.spaces.createInvite({ code: newId(), spaceId, createdBy: owner, maxUses: 1, expiresAt: null, now: iso() });
      const guest = await user();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.spaces.acceptInvite(invite.code, guest.id, iso())));
      expect(results.map((r) => r.kind).sort()).toEqual(["already-member", "already-member", "already-member", "already-member", "joined"]);
      expect((await store.spaces.invite(invite.code))?.uses).toBe(1);
      expect(await store.spaces.memberCount(spaceId)).toBe(2);
    });

    test("a message keeps whether it mentions everyone (default: no)", async () => {
      const { spaceId, owner } = await spaceWith(0);
      const [general] = await store.spaces.channels(spaceId);
      const send = (mentionsEveryone?: boolean) =>
        store.chat.insertMessage({ id: newId(), conversationId: general!.id, authorId: owner, clientId: newId(), kind: "text", content: "@everyone", replyToId: null, mentionsEveryone, now: iso() });
      const [yes, no] = [(await send(true)).message, (await send()).message];
      expect([Number((await store.chat.message(yes.id))?.mentions_everyone), Number((await store.chat.message(no.id))?.mentions_everyone)]).toEqual([1, 0]);
    });

    // The send path's prepared queries are compiled once per dialect; both dialects run in this process.
    test("the send path's lookups answer on every dialect: membership, blocks, deleted peers, insert once", async () => {
      const [a, b, c, d] = [await user(), await user(), await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const group = await store.chat.createGroup({ id: newId(), ownerId: a.id, name: null, memberIds: [a.id, b.id, d.id], now: iso() });
      const writable = async (conversationId: string, userId: string) => {
        const w = await store.chat.writableConversation(conversationId, userId);
        return w && { id: w.conversation.id, blocked: w.blocked, deleted: w.deleted };
      };
      expect((await store.chat.memberConversation(dm, a.id))?.id).toBe(dm);
      expect(await store.chat.memberConversation(dm, c.id)).toBeUndefined();
      expect([await writable(dm, a.id), await writable(dm, c.id)]).toEqual([{ id: dm, blocked: false, deleted: false }, undefined]);
      expect(await store.social.blockedBetween(a.id, b.id)).toBe(false);
      await store.social.block(b.id, a.id, iso());
      expect([await store.social.blockedBetween(a.id, b.id), await store.social.blockedBetween(b.id, a.id)]).toEqual([true, true]);
      // Either way round, for either side; a group with them in it is not read-only.
      expect([await writable(dm, a.id), await writable(dm, b.id)]).toEqual([
        { id: dm, blocked: true, deleted: false },
        { id: dm, blocked: true, deleted: false },
      ]);
      expect(await writable(group.id, a.id)).toEqual({ id: group.id, blocked: false, deleted: false });
      // A deleted account: its DMs are read-only for good; a group it was in is not.
      const req2 = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: d.id, created_at: iso() });
      const { conversationId: dm2 } = (await store.social.acceptRequest(req2, newId(), iso()))!;
      await store.deletion.erase(d.id, iso());
      await store.deletion.finish(d.id, iso());
      expect(await writable(dm2, a.id)).toEqual({ id: dm2, blocked: false, deleted: true });
      expect(await writable(group.id, a.id)).toEqual({ id: group.id, blocked: false, deleted: false });
      const m = { id: newId(), conversationId: dm, authorId: a.id, clientId: "once", kind: "text" as const, content: "hi", replyToId: null, now: iso() };
      const first = await store.chat.insertMessage(m);
      const again = await store.chat.insertMessage({ ...m, id: newId() });
      expect([first.created, again.created, again.message.id]).toEqual([true, false, first.message.id]);
    });

    test("the writable checks of one turn go in one query, and each asker gets its own answer", async () => {
      const [a, b, c, d] = [await user(), await user(), await user(), await user()];
      const dmWith = async (x: string, y: string) => (await store.social.acceptRequest(await store.social.createRequest({ id: newId(), from_id: x, to_id: y, created_at: iso() }), newId(), iso()))!.conversationId;
      const [open, blocked] = [await dmWith(a.id, b.id), await dmWith(a.id, c.id)];
      const group = await store.chat.createGroup({ id: newId(), ownerId: a.id, name: null, memberIds: [a.id, d.id], now: iso() });
      await store.social.block(c.id, a.id, iso());
      const counter = new QueryCounter();
      const counted = await openStore(database, [counter]);
      counter.count = 0;
      const asks: Array<[string, string]> = [[open, a.id], [open, b.id], [open, a.id], [blocked, a.id], [group.id, d.id], [group.id, b.id], [newId(), a.id]];
      const answers = await Promise.all(asks.map(([conversationId, userId]) => counted.chat.writableConversation(conversationId, userId)));
      expect(counter.count).toBe(1);
      await counted.close();
      expect(answers.map((w) => w && [w.conversation.id, w.blocked, w.deleted])).toEqual([
        [open, false, false],
        [open, false, false],
        [open, false, false],
        [blocked, true, false],
        [group.id, false, false],
        undefined,
        undefined,
      ]);
      // The same question asked twice in a turn: one lookup, but not one shared object to mutate.
      expect(answers[0]!.conversation).not.toBe(answers[2]!.conversation);
      expect(Object.keys(answers[4]!.conversation).sort()).toEqual(Object.keys(group).sort());
    });

    test("sends of one turn go in one statement: a retry, a repeat within the batch and a guest retry get the original, nothing is stored twice", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const msg = (authorId: string, clientId: string, content = clientId) => ({ id: newId(), conversationId: dm, authorId, clientId, kind: "text" as const, content, replyToId: null, now: iso() });
      const guest = { id: newId(), name: "Guest" };
      const earlier = await store.chat.insertMessage(msg(a.id, "earlier"));
      const earlierGuest = await store.chat.insertMessage({ ...msg("", "g1"), authorId: null, guest });
      const counter = new QueryCounter();
      const counted = await openStore(database, [counter]);
      counter.count = 0;
      // One event-loop turn: these reach the batcher together.
      const results = await Promise.all([
        counted.chat.insertMessage(msg(a.id, "new-1")),
        counted.chat.insertMessage(msg(a.id, "earlier", "a retry")),
        counted.chat.insertMessage(msg(b.id, "twice", "first")),
        counted.chat.insertMessage(msg(b.id, "twice", "second")),
        counted.chat.insertMessage({ ...msg("", "g1", "guest retry"), authorId: null, guest }),
        counted.chat.insertMessage(msg(b.id, "new-2")),
      ]);
      // The insert, then one lookup per original (the two earlier sends).
      expect(counter.count).toBe(3);
      await counted.close();
      expect(results.map((r) => [r.message.content, r.created])).toEqual([["new-1", true], ["earlier", false], ["first", true], ["first", false], ["g1", false], ["new-2", true]]);
      expect([results[1]!.message.id, results[3]!.message.id, results[4]!.message.id]).toEqual([earlier.message.id, results[2]!.message.id, earlierGuest.message.id]);
      const stored = await store.chat.messages(dm, { limit: 100 });
      expect(stored.map((m) => m.client_id).sort()).toEqual(["earlier", "g1", "new-1", "new-2", "twice"]);
      // A batch answers with the rows it sent, not read back: they must be the rows as stored.
      for (const r of [results[0]!, results[2]!, results[5]!]) expect(r.message).toEqual((await store.chat.message(r.message.id))!);
    });

    test("a guest's send taken by two nodes at once is stored once, and both answer with the original", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const guest = { id: newId(), name: "Guest" };
      const send = (clientId: string) => ({ id: newId(), conversationId: dm, authorId: null, clientId, kind: "text" as const, content: clientId, replyToId: null, guest, now: iso() });
      // Another node: its own connections and batcher on the same database.
      const other = await openStore(database);
      const clientIds = Array.from({ length: 20 }, (_, i) => `both-${i}`);
      // One pair at a time: each node's send goes out alone (not in a batch), as a lone retry does.
      const pairs = [];
      for (const c of clientIds) pairs.push(await Promise.all([store.chat.insertMessage(send(c)), other.chat.insertMessage(send(c))]));
      await other.close();
      for (const [x, y] of pairs) {
        expect(x.message.id).toBe(y.message.id);
        expect([x.created, y.created].sort()).toEqual([false, true]);
      }
      const stored = await store.chat.messages(dm, { limit: 100 });
      expect(stored.map((m) => m.client_id).sort()).toEqual([...clientIds].sort());
    });

    test("a batch with a row the database refuses fails that send alone; the others commit once and are answered", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const msg = (conversationId: string, clientId: string) => ({ id: newId(), conversationId, authorId: a.id, clientId, kind: "text" as const, content: clientId, replyToId: null, now: iso() });
      const earlier = await store.chat.insertMessage(msg(dm, "earlier"));
      // A conversation that does not exist (say, deleted meanwhile): its foreign key refuses the row.
      const settled = await Promise.allSettled([
        store.chat.insertMessage(msg(dm, "ok-1")),
        store.chat.insertMessage(msg(newId(), "orphan")),
        store.chat.insertMessage(msg(dm, "earlier")),
        store.chat.insertMessage(msg(dm, "ok-2")),
      ]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
      const ok = settled.map((s) => (s.status === "fulfilled" ? [s.value.message.client_id, s.value.created] : null));
      expect(ok).toEqual([["ok-1", true], null, ["earlier", false], ["ok-2", true]]);
      expect((settled[2] as PromiseFulfilledResult<{ message: { id: string } }>).value.message.id).toBe(earlier.message.id);
      expect((await store.chat.messages(dm, { limit: 100 })).map((m) => m.client_id).sort()).toEqual(["earlier", "ok-1", "ok-2"]);
      expect(await store.chat.messageByClientId(a.id, "orphan")).toBeUndefined();
    });

    test("sends beyond one batch: each stored once, a retry of a send still in flight gets the original, and a reader never sees a later message before an earlier one", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const msg = (clientId: string, content = clientId) => ({ id: newId(), conversationId: dm, authorId: a.id, clientId, kind: "text" as const, content, replyToId: null, now: iso() });
      // The second batch's insert answers 300 ms late, so it commits late: the third must not commit before it.
      const slow = new SlowSecondBatch(300);
      const writer = await openStore(database, [slow]);
      const sent = Array.from({ length: 700 }, (_, i) => msg(`m${i}`));
      const looks: string[][] = [];
      let writing = true;
      const reader = (async () => {
        while (writing) {
          looks.push((await store.chat.messages(dm, { limit: 1000 })).map((m) => m.id));
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const first = sent.map((m) => writer.chat.insertMessage(m));
      // A turn later the first batch is in flight: a retry of one of its sends, and of one still queued.
      await new Promise((r) => setImmediate(r));
      const retries = [writer.chat.insertMessage(msg("m0", "retry")), writer.chat.insertMessage(msg("m699", "retry"))];
      const results = await Promise.all(first);
      const again = await Promise.all(retries);
      writing = false;
      await reader;
      await writer.close();
      expect(slow.batches).toBeGreaterThanOrEqual(3);
      expect(results.filter((r) => r.created).length).toBe(700);
      expect(again.map((r) => [r.created, r.message.id, r.message.content])).toEqual([
        [false, results[0]!.message.id, "m0"],
        [false, results[699]!.message.id, "m699"],
      ]);
      const inOrder = sent.map((m) => m.id);
      expect((await store.chat.messages(dm, { limit: 1000 })).map((m) => m.id)).toEqual(inOrder);
      // Whenever the reader looked, it saw the sends up to some point, none missing before it.
      for (const ids of looks) expect(ids).toEqual(inOrder.slice(0, ids.length));
    });

    test("a refused row in a batch that waits its turn fails that send alone, and the rest still commit in order", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const sent = Array.from({ length: 600 }, (_, i) => ({ id: newId(), conversationId: i === 300 ? newId() : dm, authorId: a.id, clientId: `r${i}`, kind: "text" as const, content: `r${i}`, replyToId: null, now: iso() }));
      const settled = await Promise.allSettled(sent.map((m) => store.chat.insertMessage(m)));
      expect(settled.map((r, i) => (r.status === "rejected") === (i === 300)).every(Boolean)).toBe(true);
      expect((await store.chat.messages(dm, { limit: 1000 })).map((m) => m.id)).toEqual(sent.filter((_, i) => i !== 300).map((m) => m.id));
    });

    test("on a pool of one connection, a batch that must read after its insert (a retry's original) is not held up by the batch behind it", async () => {
      const [a, b] = [await user(), await user()];
      const req = await store.social.createRequest({ id: newId(), from_id: a.id, to_id: b.id, created_at: iso() });
      const { conversationId: dm } = (await store.social.acceptRequest(req, newId(), iso()))!;
      const msg = (clientId: string) => ({ id: newId(), conversationId: dm, authorId: a.id, clientId, kind: "text" as const, content: clientId, replyToId: null, now: iso() });
      const earlier = await store.chat.insertMessage(msg("one-earlier"));
      // DATABASE_POOL_SIZE=1: a second batch in flight would hold the only connection while it waits for the first.
      const narrow = await openStore(database.kind === "postgres" ? { ...database, poolSize: 1 } : database);
      const started = performance.now();
      const first = [msg("one-earlier"), msg("one-a"), msg("one-b")].map((m) => narrow.chat.insertMessage(m));
      await new Promise((r) => setImmediate(r));
      const second = [msg("one-c"), msg("one-d")].map((m) => narrow.chat.insertMessage(m));
      const results = await Promise.all([...first, ...second]);
      const took = performance.now() - started;
      await narrow.close();
      expect(results.map((r) => r.created)).toEqual([false, true, true, true, true]);
      expect(results[0]!.message.id).toBe(earlier.message.id);
      expect(took).toBeLessThan(2000);
    });

    test("reactions: added once, capped in distinct emoji, listed for a page at once, gone with their message", async () => {
      const { spaceId, owner } = await spaceWith(0);
      const [general] = await store.spaces.channels(spaceId);
      const post = async () => (await store.chat.insertMessage({ id: newId(), conversationId: general!.id, authorId: owner, clientId: newId(), kind: "text", content: "hi", replyToId: null, now: iso() })).message;
      const [m, other] = [await post(), await post()];
      const add = (messageId: string, emoji: string) => store.reactions.add({ messageId, userId: owner, emoji, now: iso() }, 2);
      expect([await add(m.id, "🎉"), await add(m.id, "🎉"), await add(m.id, "👍"), await add(m.id, "🔥"), await add(other.id, "🔥")]).toEqual(["added", "exists", "added", "full", "added"]);
      expect((await store.reactions.forMessages([m.id, other.id])).map((r) => [r.message_id === m.id, r.emoji])).toEqual([[true, "🎉"], [true, "👍"], [false, "🔥"]]);
      expect([await store.reactions.remove(m.id, owner, "👍"), await store.reactions.remove(m.id, owner, "👍"), await store.reactions.count(m.id, "🎉")]).toEqual([true, false, 1]);
      await store.chat.deleteMessage(m.id, iso());
      expect(await store.reactions.forMessages([m.id])).toEqual([]);
    });

    test("an edit replaces the text and keeps the old one; a deleted message takes no edit and loses its history", async () => {
      const { spaceId, owner } = await spaceWith(0);
      const [general] = await store.spaces.channels(spaceId);
      const { message: m } = await store.chat.insertMessage({ id: newId(), conversationId: general!.id, authorId: owner, clientId: newId(), kind: "text", content: "v1 @here", replyToId: null, mentionsHere: true, now: iso() });
      expect(Number(m.mentions_here)).toBe(1);
      const edited = await store.edits.edit({ id: newId(), messageId: m.id, content: "v2", mentionsEveryone: false, mentionsHere: false, now: iso() });
      expect([edited?.content, edited?.edited_at !== null, Number(edited?.mentions_here)]).toEqual(["v2", true, 0]);
      await store.edits.edit({ id: newId(), messageId: m.id, content: "v3", mentionsEveryone: false, mentionsHere: false, now: iso() });
      expect((await store.edits.history(m.id)).map((e) => e.content)).toEqual(["v1 @here", "v2"]);
      await store.chat.deleteMessage(m.id, iso());
      expect(await store.edits.edit({ id: newId(), messageId: m.id, content: "v4", mentionsEveryone: false, mentionsHere: false, now: iso() })).toBeUndefined();
      expect(await store.edits.history(m.id)).toEqual([]);
    });

    test("a TOTP factor is enabled once, accepts each time step once, and its recovery codes and pending sign-ins are single-use", async () => {
      const u = await user();
      expect(await store.totp.beginEnrolment(u.id, "sealed-1", iso())).toBe(true);
      expect(await store.totp.beginEnrolment(u.id, "sealed-2", iso())).toBe(true);
      expect(await store.totp.enable(u.id, 100, ["h1", "h2"], iso())).toBe(true);
      expect(await store.totp.enable(u.id, 101, ["h3"], iso())).toBe(false);
      expect(await store.totp.beginEnrolment(u.id, "sealed-3", iso())).toBe(false);
      expect((await store.totp.factor(u.id))?.secret).toBe("sealed-2");
      expect([await store.totp.acceptStep(u.id, 100), await store.totp.acceptStep(u.id, 99), await store.totp.acceptStep(u.id, 101), await store.totp.acceptStep(u.id, 101)]).toEqual([false, false, true, false]);
      expect([await store.totp.useRecoveryCode(u.id, "h1", iso()), await store.totp.useRecoveryCode(u.id, "h1", iso()), await store.totp.recoveryCodesLeft(u.id)]).toEqual([true, false, 1]);
      expect([await store.totp.recordFailure(u.id), await store.totp.recordFailure(u.id)]).toEqual([1, 2]);
      await store.totp.clearFailures(u.id);
      expect((await store.totp.factor(u.id))?.failures).toBe(0);

      const later = iso(Date.now() + 60_000);
      await store.totp.createChallenge("c1", u.id, iso(), later);
      expect((await store.totp.challenge("c1", iso()))?.user_id).toBe(u.id);
      expect(await store.totp.challenge("c1", later)).toBeUndefined();
      expect(await store.totp.failChallenge("c1")).toBe(1);
      expect([await store.totp.consumeChallenge("c1", iso(), 1), await store.totp.consumeChallenge("c1", iso(), 3), await store.totp.consumeChallenge("c1", iso(), 3)]).toEqual([false, true, false]);

      await store.totp.createChallenge("c2", u.id, iso(), later);
      await store.totp.remove(u.id);
      expect([await store.totp.factor(u.id), await store.totp.challenge("c2", iso()), await store.totp.recoveryCodesLeft(u.id)]).toEqual([undefined, undefined, 0]);
    });

    test("message search pages alike through the newest messages it walks and the index beyond them", async () => {
      const [a, b, c] = [await user(), await user(), await user()];
      const mine = await store.chat.createGroup({ id: newId(), ownerId: a.id, name: null, memberIds: [a.id, b.id], now: iso() });
      const theirs = await store.chat.createGroup({ id: newId(), ownerId: b.id, name: null, memberIds: [b.id, c.id], now: iso() });
      const w = `walk${n}x`;
      const expected: string[] = [];
      const fromB: string[] = [];
      for (let i = 0; i < 30; i++) {
        // Matches in a's group, in a group a is not in, and messages without the word, interleaved.
        const inMine = i % 3 !== 1;
        const content = i % 5 === 4 ? `nothing here ${i}` : `${w}ing number ${i}`;
        const author = i % 2 ? b.id : a.id;
        const { message } = await store.chat.insertMessage({ id: newId(), conversationId: inMine ? mine.id : theirs.id, authorId: inMine ? author : c.id, clientId: newId(), kind: "text", content, replyToId: null, now: iso() });
        if (inMine && content.startsWith(w)) {
          expected.unshift(message.id);
          if (author === b.id) fromB.unshift(message.id);
        }
      }
      // With a walk of 4 messages, most pages start among them and end in the GIN index (PostgreSQL).
      const small = new KyselySearchStore((store as KyselyStore).db, { walk: 4 });
      const pages = async (search: KyselySearchStore, criteria: SearchCriteria, limit: number) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 30; page++) {
          const rows = await search.messages(a.id, criteria, { cursor, limit: limit + 1 });
          seen.push(...rows.slice(0, limit).map((r) => r.id));
          if (rows.length <= limit) return seen;
          cursor = rows[limit - 1]!.id;
        }
        throw new Error("pages never ended");
      };
      for (const limit of [1, 3, 50]) {
        expect(await pages(small, { terms: [w] }, limit)).toEqual(expected);
        expect(await pages(store.search as KyselySearchStore, { terms: [w] }, limit)).toEqual(expected);
        expect(await pages(small, { terms: [w], fromUsername: b.username }, limit)).toEqual(fromB);
      }
    });

    test("ids are time-sortable", async () => {
      const ids = Array.from({ length: 1000 }, () => newId());
      expect([...ids].sort()).toEqual(ids);
    });
  });
}
