/**
 * hello is served from a per-node cache: after every kind of change a user's hello shows, the
 * next hello equals one read straight from the store (a second node on the same database with
 * the cache off), and socket setup still subscribes to what the user newly belongs to.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type CookieJar, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { HelloCache } from "../src/server/hello/cache";

type User = Awaited<ReturnType<typeof registerUser>>;

let node: TestNode;
let reference: TestNode;
let base: string;
let refBase: string;
beforeAll(async () => {
  node = await startNode();
  const db = node.config.database;
  reference = await startNode({ DATABASE_URL: db.kind === "sqlite" ? `sqlite:${db.path}` : db.url, JWT_SECRET: node.config.jwtSecret, HELLO_CACHE_MB: "0" });
  base = `http://127.0.0.1:${node.listen().port}`;
  refBase = `http://127.0.0.1:${reference.listen().port}`;
});
afterAll(async () => {
  await reference?.dispose();
  await node?.dispose();
});

async function helloAt(at: string, jar: CookieJar): Promise<Record<string, any>> {
  const ws = await connectWs(at, jar);
  const { replyTo: _r, presence: _p, ...hello } = await ws.request({ type: "hello" });
  ws.close();
  await ws.closed;
  // Presence and calls live in each node's own registries; the rest comes from the store.
  return hello;
}

/** The user's hello (warm from the previous step) equals a fresh read; returns it. */
async function expectFresh(u: User): Promise<Record<string, any>> {
  const served = await helloAt(base, u.jar);
  expect(served).toEqual(await helloAt(refBase, u.jar));
  return served;
}

async function post(path: string, jar: CookieJar, body: unknown = {}, method = "POST"): Promise<Record<string, any>> {
  const res = await node.req(path, { method, json: body }, jar);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : json(res);
}

describe("hello cache", () => {
  test("friend requests, acceptance, profiles of friends and requesters, the user's own settings and blocks show in the next hello", async () => {
    const [a, b, c] = [await registerUser(node), await registerUser(node), await registerUser(node)];
    await expectFresh(a);
    const { request } = await post("/api/friends/requests", b.jar, { userId: a.user.id });
    expect((await expectFresh(a)).requests.incoming).toHaveLength(1);
    await post("/api/friends/requests", c.jar, { userId: a.user.id });
    await post(`/api/friends/requests/${request.id}/accept`, a.jar);
    expect((await expectFresh(a)).friends.map((f: { userId: string }) => f.userId)).toEqual([b.user.id]);
    await post("/api/users/me", b.jar, { displayName: "Bea Renamed" }, "PATCH");
    expect((await expectFresh(a)).users.find((u: { id: string }) => u.id === b.user.id).displayName).toBe("Bea Renamed");
    // c only asked: a still shows c's profile with the request.
    await post("/api/users/me", c.jar, { displayName: "Cy Renamed" }, "PATCH");
    expect((await expectFresh(a)).users.find((u: { id: string }) => u.id === c.user.id).displayName).toBe("Cy Renamed");
    await post("/api/users/me", a.jar, { presenceVisibility: "spaces" }, "PATCH");
    expect((await expectFresh(a)).user.presenceVisibility).toBe("spaces");
    await post("/api/blocks", b.jar, { userId: a.user.id });
    const blocked = await expectFresh(a);
    expect(blocked.friends).toEqual([]);
    expect(blocked.conversations[0].readOnly).toBe("blocked");
  }, 60_000);

  test("messages, edits, deletes, read marks, mutes and group changes show in the next hello", async () => {
    const [a, b, c] = [await registerUser(node), await registerUser(node), await registerUser(node)];
    const dm = await befriend(node, a, b);
    await befriend(node, a, c);
    await expectFresh(a);
    const sent = await post(`/api/conversations/${dm}/messages`, b.jar, { content: "first", clientId: "m1" });
    let h = await expectFresh(a);
    expect(h.conversations.find((x: { id: string }) => x.id === dm)).toMatchObject({ unreadCount: 1, lastMessage: { content: "first" } });
    await post(`/api/messages/${sent.message.id}`, b.jar, { content: "edited" }, "PATCH");
    expect((await expectFresh(a)).conversations.find((x: { id: string }) => x.id === dm).lastMessage.content).toBe("edited");
    await post(`/api/conversations/${dm}/read`, a.jar, { messageId: sent.message.id });
    // Read up: an unread count of 0 is left out.
    expect((await expectFresh(a)).conversations.find((x: { id: string }) => x.id === dm)).not.toHaveProperty("unreadCount");
    // b's read mark shows in a's hello too.
    await post(`/api/conversations/${dm}/read`, b.jar, { messageId: sent.message.id });
    expect((await expectFresh(a)).conversations.find((x: { id: string }) => x.id === dm).reads[b.user.id]).toBe(sent.message.id);
    await post(`/api/messages/${sent.message.id}`, b.jar, undefined, "DELETE");
    await expectFresh(a);
    await post(`/api/conversations/${dm}/notify-level`, a.jar, { level: "mentions" }, "PUT");
    expect((await expectFresh(a)).conversations.find((x: { id: string }) => x.id === dm).notifyLevel).toBe("mentions");
    const { conversation: group } = await post("/api/conversations", b.jar, { memberIds: [a.user.id], name: "trio" });
    expect((await expectFresh(a)).conversations.some((x: { id: string }) => x.id === group.id)).toBe(true);
    await post(`/api/conversations/${group.id}`, b.jar, { name: "renamed trio" }, "PATCH");
    expect((await expectFresh(a)).conversations.find((x: { id: string }) => x.id === group.id).name).toBe("renamed trio");
    await post(`/api/conversations/${group.id}/members`, a.jar, { userIds: [c.user.id] });
    expect((await expectFresh(b)).conversations.find((x: { id: string }) => x.id === group.id).memberIds).toContain(c.user.id);
    await post(`/api/conversations/${group.id}/members/me`, a.jar, undefined, "DELETE");
    expect((await expectFresh(a)).conversations.some((x: { id: string }) => x.id === group.id)).toBe(false);
    await expectFresh(b);
  }, 60_000);

  test("spaces, channels, member counts, roles, channel messages and leaving show in the next hello", async () => {
    const [owner, a] = [await registerUser(node), await registerUser(node)];
    await expectFresh(a);
    await expectFresh(owner);
    const { space } = await post("/api/spaces", owner.jar, { name: "Guild" });
    expect((await expectFresh(owner)).spaces.map((s: { id: string }) => s.id)).toEqual([space.id]);
    await joinByInvite(node, owner.jar, space.id, a.jar);
    expect((await expectFresh(owner)).spaces[0].memberCount).toBe(2);
    expect((await expectFresh(a)).spaces[0].channels.find((c: { kind: string }) => c.kind === "text").unreadCount).toBeUndefined();
    await post(`/api/spaces/${space.id}`, owner.jar, { name: "Guild Renamed" }, "PATCH");
    expect((await expectFresh(a)).spaces[0].name).toBe("Guild Renamed");
    const { channel } = await post(`/api/spaces/${space.id}/channels`, owner.jar, { name: "news", kind: "text" });
    expect((await expectFresh(a)).spaces[0].channels.map((c: { id: string }) => c.id)).toContain(channel.id);
    await post(`/api/conversations/${channel.id}/messages`, owner.jar, { content: "@everyone read this", clientId: "n1" });
    expect((await expectFresh(a)).spaces[0].channels.find((c: { id: string }) => c.id === channel.id)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
    await post(`/api/conversations/${channel.id}/notify-level`, a.jar, { level: "nothing" }, "PUT");
    expect((await expectFresh(a)).spaces[0].channels.find((c: { id: string }) => c.id === channel.id).notifyLevel).toBe("nothing");
    await post(`/api/spaces/${space.id}/members/${a.user.id}`, owner.jar, { role: "admin" }, "PATCH");
    expect((await expectFresh(a)).spaces[0].role).toBe("admin");
    await post(`/api/spaces/${space.id}/channels/reorder`, owner.jar, { channelIds: [channel.id, ...space.channels.map((c: { id: string }) => c.id)] });
    await expectFresh(a);
    await post(`/api/channels/${channel.id}`, owner.jar, undefined, "DELETE");
    expect((await expectFresh(a)).spaces[0].channels.map((c: { id: string }) => c.id)).not.toContain(channel.id);
    await post(`/api/spaces/${space.id}/leave`, a.jar);
    expect((await expectFresh(a)).spaces).toEqual([]);
    expect((await expectFresh(owner)).spaces[0].memberCount).toBe(1);
  }, 60_000);

  test("a socket opened after the user joins a space or makes a room hears their chat, though an earlier socket set up from the cache", async () => {
    const [owner, a] = [await registerUser(node), await registerUser(node)];
    const { space } = await post("/api/spaces", owner.jar, { name: "Late" });
    await helloAt(base, a.jar);
    await joinByInvite(node, owner.jar, space.id, a.jar);
    const ws = await connectWs(base, a.jar);
    await ws.request({ type: "hello" });
    const general = space.channels.find((c: { kind: string }) => c.kind === "text").id;
    await post(`/api/conversations/${general}/messages`, owner.jar, { content: "welcome", clientId: "w1" });
    await ws.waitFor((e) => e.type === "message:new" && e.message.content === "welcome");
    const { room } = await post("/api/rooms", a.jar, { name: "standup" });
    const later = await connectWs(base, a.jar);
    await later.request({ type: "hello" });
    await post(`/api/conversations/${room.conversationId}/messages`, a.jar, { content: "agenda", clientId: "r1" });
    await later.waitFor((e) => e.type === "message:new" && e.message.content === "agenda");
    ws.close();
    later.close();
  }, 60_000);
});

describe("HelloCache", () => {
  const load = (deps: string[], value: number) => async () => ({ value, deps, bytes: 10 });

  test("a read that a change overtakes is answered but not kept; one that no change touches is kept", async () => {
    const cache = new HelloCache(1000);
    let release!: () => void;
    const paused = cache.read("u1", "hello", async () => {
      await new Promise<void>((r) => (release = r));
      return { value: 1, deps: ["c:x"], bytes: 10 };
    });
    cache.invalidate(["c:x"]);
    release();
    expect(await paused).toBe(1);
    expect(await cache.read("u1", "hello", load(["c:x"], 2))).toBe(2);
    cache.invalidate(["c:other", "sp:y", "u:u2"]);
    expect(await cache.read("u1", "hello", load(["c:x"], 3))).toBe(2);
    cache.invalidate(["c:x"]);
    expect(await cache.read("u1", "hello", load(["c:x"], 4))).toBe(4);
    cache.invalidate(["u:u1"]);
    expect(await cache.read("u1", "hello", load([], 5))).toBe(5);
  });

  test("past its budget the least recently read user is dropped first, and a zero budget keeps nothing", async () => {
    const cache = new HelloCache(25);
    await cache.read("a", "hello", load([], 1));
    await cache.read("b", "hello", load([], 1));
    await cache.read("a", "hello", load([], 2));
    await cache.read("c", "hello", load([], 1));
    expect(cache.size).toBe(2);
    expect(await cache.read("a", "hello", load([], 3))).toBe(1);
    expect(await cache.read("b", "hello", load([], 3))).toBe(3);
    const off = new HelloCache(0);
    await off.read("a", "hello", load([], 1));
    expect(off.size).toBe(0);
  });
});
