/**
 * Reactions: reaction:add / reaction:remove frames and PUT / DELETE /api/messages/:id/reactions/:emoji,
 * idempotent, live to the conversation as reaction:updated, listed on history pages in a
 * constant number of queries, capped per message in distinct emoji, members only.
 */
import { expect, test } from "bun:test";
import { MAX_REACTIONS_PER_MESSAGE, type Message } from "../src/shared/protocol";
import { nodeForSuite, registerUser, startNode, type CookieJar } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { connectWs } from "./support/ws";
import { QueryCounter } from "./support/query-counter";

const counter = new QueryCounter();
const suite = nodeForSuite();

/** Enough distinct emoji to pass the cap. */
const EMOJI = ["😀", "😂", "😍", "🤔", "😎", "😭", "😡", "👍", "👎", "👏", "🙏", "🔥", "🎉", "❤️", "💯", "✅", "❌", "👀", "🚀", "🍕", "🐱", "🌈", "⚽", "🎸", "🍺"];

const put = (id: string, emoji: string, jar: CookieJar) => suite.node.req(`/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`, { method: "PUT" }, jar);
const del = (id: string, emoji: string, jar: CookieJar) => suite.node.req(`/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`, { method: "DELETE" }, jar);

async function send(conversationId: string, jar: CookieJar, content = "hello"): Promise<Message> {
  const res = await suite.node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
  expect(res.status).toBe(201);
  return (await json(res)).message;
}

async function page(conversationId: string, jar: CookieJar): Promise<Message[]> {
  return (await json(await suite.node.req(`/api/conversations/${conversationId}/messages?limit=100`, {}, jar))).messages;
}

async function pair() {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  return { alice, bob, dm: await befriend(suite.node, alice, bob) };
}

test("a reaction reaches the other member live with its count, is listed in history with who reacted, and adding it twice changes nothing", async () => {
  const { alice, bob, dm } = await pair();
  const m = await send(dm, alice.jar);
  const [aliceWs, bobWs] = [await connectWs(suite.base, alice.jar), await connectWs(suite.base, bob.jar)];
  try {
    await Promise.all([aliceWs.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    expect((await bobWs.request({ type: "reaction:add", messageId: m.id, emoji: "🎉" })).ok).toBe(true);
    expect(await aliceWs.waitFor((e) => e.type === "reaction:updated")).toEqual({
      type: "reaction:updated", conversationId: dm, messageId: m.id, emoji: "🎉", userId: bob.user.id, added: true, count: 1,
    });
    expect((await aliceWs.request({ type: "reaction:add", messageId: m.id, emoji: "🎉" })).ok).toBe(true);
    await bobWs.waitFor((e) => e.type === "reaction:updated" && e.userId === alice.user.id && e.count === 2);

    // Again: accepted, stored once, announced to no one.
    expect((await bobWs.request({ type: "reaction:add", messageId: m.id, emoji: "🎉" })).ok).toBe(true);
    expect((await put(m.id, "🎉", bob.jar)).status).toBe(204);
    const [listed] = await page(dm, alice.jar);
    expect(listed!.reactions).toEqual([{ emoji: "🎉", count: 2, userIds: [bob.user.id, alice.user.id] }]);
    expect(aliceWs.events.filter((e) => e.type === "reaction:updated")).toHaveLength(2);

    expect((await bobWs.request({ type: "reaction:remove", messageId: m.id, emoji: "🎉" })).ok).toBe(true);
    expect(await aliceWs.waitFor((e) => e.type === "reaction:updated" && !e.added)).toMatchObject({ userId: bob.user.id, count: 1 });
    expect((await bobWs.request({ type: "reaction:remove", messageId: m.id, emoji: "🎉" })).ok).toBe(true);
    expect((await del(m.id, "🎉", bob.jar)).status).toBe(204);
    expect((await page(dm, bob.jar))[0]!.reactions).toEqual([{ emoji: "🎉", count: 1, userIds: [alice.user.id] }]);
    const synced = await bobWs.request({ type: "sync", conversationId: dm });
    expect(synced.messages[0].reactions).toEqual([{ emoji: "🎉", count: 1, userIds: [alice.user.id] }]);
  } finally {
    aliceWs.close();
    bobWs.close();
  }
});

test("REST takes a percent-encoded emoji, skin tones and joined sequences included; anything but one emoji is 400 VALIDATION_ERROR", async () => {
  const { alice, dm } = await pair();
  const m = await send(dm, alice.jar);
  for (const emoji of ["👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️"]) expect((await put(m.id, emoji, alice.jar)).status).toBe(204);
  // Sorted: reactions list in the order first given, and four PUTs can share a millisecond.
  expect((await page(dm, alice.jar))[0]!.reactions!.map((r) => r.emoji).sort()).toEqual(["👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️"].sort());
  for (const bad of ["a", "🎉🎉", "🎉 ", "<b>", "%00"]) {
    const res = await put(m.id, bad, alice.jar);
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
  }
  const ws = await connectWs(suite.base, alice.jar);
  try {
    const r = await ws.request({ type: "reaction:add", messageId: m.id, emoji: "ok" });
    expect(r.error.code).toBe("VALIDATION_ERROR");
  } finally {
    ws.close();
  }
});

test(`a message carries at most ${MAX_REACTIONS_PER_MESSAGE} different emoji: one more is 409 TOO_MANY_REACTIONS with the cap in details (over REST and the socket), more of one already there is fine`, async () => {
  const { alice, bob, dm } = await pair();
  const m = await send(dm, alice.jar);
  for (const emoji of EMOJI.slice(0, MAX_REACTIONS_PER_MESSAGE)) expect((await put(m.id, emoji, alice.jar)).status).toBe(204);
  const over = await put(m.id, EMOJI[MAX_REACTIONS_PER_MESSAGE]!, bob.jar);
  expect(over.status).toBe(409);
  expect((await json(over)).error).toMatchObject({ code: "TOO_MANY_REACTIONS", details: { max: MAX_REACTIONS_PER_MESSAGE } });
  const ws = await connectWs(suite.base, bob.jar);
  try {
    // The socket's reply carries the same details as the HTTP answer.
    expect(await ws.request({ type: "reaction:add", messageId: m.id, emoji: EMOJI[MAX_REACTIONS_PER_MESSAGE]! })).toMatchObject({
      ok: false,
      error: { code: "TOO_MANY_REACTIONS", details: { max: MAX_REACTIONS_PER_MESSAGE } },
    });
  } finally {
    ws.close();
  }
  expect((await put(m.id, EMOJI[0]!, bob.jar)).status).toBe(204);
  const reactions = (await page(dm, alice.jar))[0]!.reactions!;
  expect(reactions).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
  expect(reactions[0]).toEqual({ emoji: EMOJI[0]!, count: 2, userIds: [alice.user.id, bob.user.id] });
});

test("under 50 concurrent writers the cap holds exactly and every count is right", async () => {
  const owner = await registerUser(suite.node);
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Crowd" } }, owner.jar));
  const channel: string = space.channels[0].id;
  const crowd = await Promise.all(Array.from({ length: 50 }, () => registerUser(suite.node)));
  for (const u of crowd) await joinByInvite(suite.node, owner.jar, space.id, u.jar);
  const [same, distinct] = [await send(channel, owner.jar, "one"), await send(channel, owner.jar, "two")];

  const sameStatuses = await Promise.all(crowd.map((u) => put(same.id, "🔥", u.jar).then((r) => r.status)));
  expect(sameStatuses.every((s) => s === 204)).toBe(true);
  const manyEmoji = [...EMOJI, ...["🍎", "🍌", "🍇", "🍉", "🍒", "🍑", "🥝", "🥥", "🥑", "🍆", "🥕", "🌽", "🥦", "🧄", "🧅", "🍄", "🥜", "🌰", "🍞", "🥐", "🥖", "🥨", "🥯", "🧀", "🥚"]];
  const distinctStatuses = await Promise.all(crowd.map((u, i) => put(distinct.id, manyEmoji[i]!, u.jar).then((r) => r.status)));
  expect(distinctStatuses.filter((s) => s === 204)).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
  expect(distinctStatuses.filter((s) => s === 409)).toHaveLength(50 - MAX_REACTIONS_PER_MESSAGE);

  const listed = await page(channel, owner.jar);
  const byId = new Map(listed.map((m) => [m.id, m]));
  expect(byId.get(same.id)!.reactions).toEqual([{ emoji: "🔥", count: 50, userIds: expect.any(Array) }]);
  expect(new Set(byId.get(same.id)!.reactions![0]!.userIds).size).toBe(50);
  expect(byId.get(distinct.id)!.reactions).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
}, 120_000);

test("only members react: others get 404 NOT_FOUND, a read-only DM 403 FORBIDDEN, and a deleted message loses its reactions", async () => {
  const { alice, bob, dm } = await pair();
  const eve = await registerUser(suite.node);
  const m = await send(dm, alice.jar);
  for (const id of [m.id, "0190d6b2-0000-7000-8000-000000000000"]) {
    const res = await put(id, "👍", eve.jar);
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("NOT_FOUND");
  }
  expect((await put(m.id, "👍", bob.jar)).status).toBe(204);
  expect((await suite.node.req("/api/blocks", { method: "POST", json: { userId: alice.user.id } }, bob.jar)).status).toBeLessThan(300);
  const blocked = await put(m.id, "👀", alice.jar);
  expect(blocked.status).toBe(403);
  expect((await json(blocked)).error.code).toBe("FORBIDDEN");

  expect((await suite.node.req(`/api/messages/${m.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
  expect((await page(dm, alice.jar))[0]!.reactions).toBeUndefined();
  expect((await put(m.id, "👍", bob.jar)).status).toBe(404);
});

test("a history page costs the same number of queries with or without reactions", async () => {
  const counted = await startNode({}, { storePlugins: [counter] });
  try {
    const [a, b] = [await registerUser(counted), await registerUser(counted)];
    const dm = await befriend(counted, a, b);
    const bare = await befriend(counted, a, await registerUser(counted));
    for (let i = 0; i < 30; i++) {
      const ids = await Promise.all([dm, bare].map(async (c) => (await json(await counted.req(`/api/conversations/${c}/messages`, { method: "POST", json: { clientId: `${c}${i}`, content: `m${i}` } }, a.jar))).message.id as string));
      for (const emoji of EMOJI.slice(0, 3)) {
        await counted.req(`/api/messages/${ids[0]}/reactions/${encodeURIComponent(emoji)}`, { method: "PUT" }, a.jar);
        await counted.req(`/api/messages/${ids[0]}/reactions/${encodeURIComponent(emoji)}`, { method: "PUT" }, b.jar);
      }
    }
    const cost = async (c: string) => {
      const before = counter.count;
      const res = await json(await counted.req(`/api/conversations/${c}/messages?limit=50`, {}, a.jar));
      return { queries: counter.count - before, reacted: res.messages.filter((m: Message) => m.reactions).length };
    };
    const [withReactions, without] = [await cost(dm), await cost(bare)];
    expect(withReactions.reacted).toBe(30);
    expect(without.reacted).toBe(0);
    expect(withReactions.queries).toBe(without.queries);
  } finally {
    await counted.dispose();
  }
}, 120_000);

test("reactions spend the user's write budget, over a socket as over REST", async () => {
  const tight = await startNode({ WRITE_BURST: "4", WRITE_RATE_PER_SECOND: "0.01" });
  try {
    const [a, b] = [await registerUser(tight), await registerUser(tight)];
    const dm = await befriend(tight, a, b);
    const m = (await json(await tight.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: "x", content: "hi" } }, b.jar))).message;
    const ws = await connectWs(`http://127.0.0.1:${tight.listen().port}`, a.jar);
    try {
      const replies = [];
      for (const emoji of EMOJI.slice(0, 6)) replies.push(await ws.request({ type: "reaction:add", messageId: m.id, emoji }));
      expect(replies.some((r) => !r.ok && r.error.code === "RATE_LIMITED")).toBe(true);
      expect((await tight.req(`/api/messages/${m.id}/reactions/${encodeURIComponent("🍕")}`, { method: "PUT" }, a.jar)).status).toBe(429);
    } finally {
      ws.close();
    }
  } finally {
    await tight.dispose();
  }
}, 60_000);
