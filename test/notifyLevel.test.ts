/**
 * PUT /api/conversations/:id/notify-level: a per-member choice of what notifies them (every
 * message, mentions only, nothing), shown only to that member (in GET /api/conversations, hello
 * and the space's channels) and announced only to their sockets; and the migration that turned
 * the old mute flag into a level.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Migrator, sql } from "kysely";
import { expandHello, type HelloResult } from "../src/shared/hello";
import { newId } from "../src/shared/ids";
import type { Conversation } from "../src/shared/protocol";
import { postgresDialect, sqliteDialect } from "../src/server/store/dialects";
import { migrations } from "../src/server/store/migrations";
import { KyselyStore } from "../src/server/store/store";
import { createTestDatabase } from "./support/postgres";
import { registerUser, type CookieJar, nodeForSuite } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { connectWs } from "./support/ws";

const suite = nodeForSuite();

const setLevel = (id: string, jar: CookieJar, body: unknown) => suite.node.req(`/api/conversations/${id}/notify-level`, { method: "PUT", json: body }, jar);

async function listed(jar: CookieJar, id: string): Promise<Conversation> {
  const { conversations } = (await json(await suite.node.req("/api/conversations", {}, jar))) as { conversations: Conversation[] };
  return conversations.find((c) => c.id === id)!;
}

async function helloOf(jar: CookieJar): Promise<Record<string, any>> {
  const ws = await connectWs(suite.base, jar);
  try {
    return await ws.request({ type: "hello" });
  } finally {
    ws.close();
  }
}

test("a DM notifies of everything until a member chooses otherwise; the choice is theirs alone: listed, in hello, and announced to their other sockets only", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  expect((await listed(alice.jar, dm)).notifyLevel).toBe("all");

  const aliceOther = await connectWs(suite.base, alice.jar);
  const bobWs = await connectWs(suite.base, bob.jar);
  try {
    await Promise.all([aliceOther.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    for (const level of ["nothing", "mentions"] as const) {
      expect((await setLevel(dm, alice.jar, { level })).status).toBe(204);
      expect(await aliceOther.waitFor((e) => e.type === "conversation:notify-level" && e.level === level)).toEqual({ type: "conversation:notify-level", conversationId: dm, level });
      expect((await listed(alice.jar, dm)).notifyLevel).toBe(level);
      expect((await helloOf(alice.jar)).conversations.find((c: Conversation) => c.id === dm).notifyLevel).toBe(level);
      expect((await json(await suite.node.req(`/api/conversations/${dm}`, {}, alice.jar))).conversation.notifyLevel).toBe(level);
    }
    expect((await listed(bob.jar, dm)).notifyLevel).toBe("all");
    // hello leaves the kind's default out; expanded, it reads "all".
    const bobHello = (await helloOf(bob.jar)) as HelloResult;
    expect(bobHello.conversations.find((c) => c.id === dm)).not.toHaveProperty("notifyLevel");
    expect(expandHello(bobHello).conversations.find((c) => c.id === dm)!.notifyLevel).toBe("all");

    // Bob hears the message sent after the change, and never heard of the change before it.
    const sent = await aliceOther.request({ type: "message:send", conversationId: dm, clientId: "after-level", content: "still here" });
    expect(sent.ok).toBe(true);
    await bobWs.waitFor((e) => e.type === "message:new" && e.message.clientId === "after-level");
    expect(bobWs.events.some((e) => e.type === "conversation:notify-level")).toBe(false);

    expect((await setLevel(dm, alice.jar, { level: "all" })).status).toBe(204);
    await aliceOther.waitFor((e) => e.type === "conversation:notify-level" && e.level === "all");
    expect((await listed(alice.jar, dm)).notifyLevel).toBe("all");
  } finally {
    aliceOther.close();
    bobWs.close();
  }
});

test("only members may choose a level: anyone else gets 403 FORBIDDEN, whether or not the conversation exists", async () => {
  const [alice, bob, eve] = [await registerUser(suite.node), await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  for (const id of [dm, "0190d6b2-0000-7000-8000-000000000000"]) {
    const res = await setLevel(id, eve.jar, { level: "nothing" });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("FORBIDDEN");
  }
  expect((await listed(alice.jar, dm)).notifyLevel).toBe("all");
  expect((await listed(bob.jar, dm)).notifyLevel).toBe("all");
});

test("a bad body is 400 VALIDATION_ERROR and changes nothing", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  for (const body of [{}, { level: "some" }, { level: null }, { muted: true }, { level: "nothing", extra: 1 }, null]) {
    const res = await setLevel(dm, alice.jar, body);
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
  }
  expect((await listed(alice.jar, dm)).notifyLevel).toBe("all");
});

test("a channel notifies of mentions only until a member chooses otherwise, shown in hello.spaces and GET /api/spaces/:id for them only", async () => {
  const [owner, member] = [await registerUser(suite.node), await registerUser(suite.node)];
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, owner.jar));
  await joinByInvite(suite.node, owner.jar, space.id, member.jar);
  const general = space.channels.find((c: any) => c.kind === "text").id as string;

  const channelOf = (spaces: any[]) => spaces.find((s) => s.id === space.id).channels.find((c: any) => c.id === general);
  const inHello = async (jar: CookieJar) => channelOf(expandHello((await helloOf(jar)) as HelloResult).spaces).notifyLevel;
  const inSpace = async (jar: CookieJar) => channelOf([(await json(await suite.node.req(`/api/spaces/${space.id}`, {}, jar))).space]).notifyLevel;
  expect([await inHello(member.jar), await inSpace(member.jar)]).toEqual(["mentions", "mentions"]);
  // hello leaves the channel default out.
  expect(channelOf((await helloOf(member.jar)).spaces)).not.toHaveProperty("notifyLevel");

  for (const level of ["all", "nothing"] as const) {
    expect((await setLevel(general, member.jar, { level })).status).toBe(204);
    expect([await inHello(member.jar), await inSpace(member.jar)]).toEqual([level, level]);
  }
  expect([await inHello(owner.jar), await inSpace(owner.jar)]).toEqual(["mentions", "mentions"]);
  // Channels stay out of the DM list.
  expect(await listed(member.jar, general)).toBeUndefined();
});

test("unread mentions of the viewer count apart from unread messages, in DMs and channels, until read; near misses do not count", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  const me = alice.user.username;
  const say = async (jar: CookieJar, id: string, content: string) =>
    (await json(await suite.node.req(`/api/conversations/${id}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar))).message.id as string;
  await say(bob.jar, dm, "no names");
  const named = await say(bob.jar, dm, `hey @${me}, look`);
  await say(bob.jar, dm, `@${me}x is someone else, mail bob@${me} is an address`);
  await say(alice.jar, dm, `talking to myself @${me}`);
  const counts = (c: { unreadCount: number; mentionCount?: number }) => [c.unreadCount, c.mentionCount ?? 0];
  expect(counts(await listed(alice.jar, dm))).toEqual([3, 1]);
  expect(counts((await json(await suite.node.req(`/api/conversations/${dm}`, {}, alice.jar))).conversation)).toEqual([3, 1]);
  expect(counts((await helloOf(alice.jar)).conversations.find((c: Conversation) => c.id === dm))).toEqual([3, 1]);
  expect(counts(await listed(bob.jar, dm))).toEqual([1, 0]);
  expect((await suite.node.req(`/api/conversations/${dm}/read`, { method: "POST", json: { messageId: named } }, alice.jar)).status).toBeLessThan(300);
  expect(counts(await listed(alice.jar, dm))).toEqual([1, 0]);

  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, bob.jar));
  await joinByInvite(suite.node, bob.jar, space.id, alice.jar);
  const general = space.channels.find((c: any) => c.kind === "text").id as string;
  await say(bob.jar, general, `@${me} the plan`);
  await say(bob.jar, general, "@everyone the raid");
  await say(bob.jar, general, "plain talk");
  const channelOf = (spaces: any[]) => spaces.find((s) => s.id === space.id).channels.find((c: any) => c.id === general);
  expect(counts(channelOf(expandHello((await helloOf(alice.jar)) as HelloResult).spaces))).toEqual([3, 2]);
  expect(counts(channelOf([(await json(await suite.node.req(`/api/spaces/${space.id}`, {}, alice.jar))).space]))).toEqual([3, 2]);
});

test("at nothing an @everyone is no mention of the reader (Discord's Nothing level) — a mention by name still is, even beside @everyone — in hello and GET /api/spaces/:id", async () => {
  const [owner, reader] = [await registerUser(suite.node), await registerUser(suite.node)];
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, owner.jar));
  await joinByInvite(suite.node, owner.jar, space.id, reader.jar);
  const general = space.channels.find((c: any) => c.kind === "text").id as string;
  for (const content of ["@everyone the raid", `@everyone and @${reader.user.username} bring potions`, `@${reader.user.username} alone`]) {
    expect((await suite.node.req(`/api/conversations/${general}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, owner.jar)).status).toBe(201);
  }
  const channelOf = (spaces: any[]) => spaces.find((s) => s.id === space.id).channels.find((c: any) => c.id === general);
  const mentions = async () => [
    channelOf(expandHello((await helloOf(reader.jar)) as HelloResult).spaces).mentionCount ?? 0,
    channelOf([(await json(await suite.node.req(`/api/spaces/${space.id}`, {}, reader.jar))).space]).mentionCount ?? 0,
  ];
  expect(await mentions()).toEqual([3, 3]);
  expect((await setLevel(general, reader.jar, { level: "nothing" })).status).toBe(204);
  expect(await mentions()).toEqual([2, 2]);
  expect((await setLevel(general, reader.jar, { level: "all" })).status).toBe(204);
  expect(await mentions()).toEqual([3, 3]);
});

test("migrating a database that had mutes: a muted member hears mentions only, everyone else keeps the default", async () => {
  const pg = process.env.TEST_STORE === "postgres" ? await createTestDatabase() : null;
  const dir = mkdtempSync(join(tmpdir(), "parley-notify-"));
  const store = new KyselyStore(pg ? postgresDialect(pg.url, 10) : sqliteDialect(join(dir, "t.db")).dialect);
  try {
    const before = await new Migrator({ db: store.db, provider: migrations }).migrateTo("0016_search");
    expect(before.error).toBeUndefined();
    const now = new Date().toISOString();
    // Written as the schema stood at 0016: today's createUser also sets columns added later.
    const [mia, noa] = [newId(), newId()];
    for (const [id, name] of [[mia, "mia"], [noa, "noa"]] as const) {
      await sql`insert into users (id, email, username, display_name, password_hash, email_verified, created_at, updated_at)
        values (${id}, ${`${name}@example.com`}, ${`${name}_old`}, ${name}, ${"hash"}, ${0}, ${now}, ${now})`.execute(store.db);
    }
    const group = await store.chat.createGroup({ id: newId(), ownerId: mia, name: "old", memberIds: [noa], now });
    await sql`update conversation_members set muted = 1 where conversation_id = ${group.id} and user_id = ${mia}`.execute(store.db);

    await store.migrate();
    const levelOf = async (userId: string) => (await store.chat.summaries(userId, { id: group.id }))[0]!.notifyLevel;
    expect(await levelOf(mia)).toBe("mentions");
    expect(await levelOf(noa)).toBe("all");
  } finally {
    await store.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
