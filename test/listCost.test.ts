/** hello and every list cost the same number of store queries however many spaces, channels, friends and conversations a user has. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type CookieJar, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { QueryCounter } from "./support/query-counter";
import { befriend } from "./support/social";
import { joinByInvite } from "./support/spaces";
import { newId } from "../src/shared/ids";
import { MAX_MESSAGE_LENGTH, PREVIEW_LENGTH } from "../src/shared/protocol";


const counter = new QueryCounter();
let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode({ MAX_SPACES_PER_USER: "200" }, { storePlugins: [counter] });
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

type User = Awaited<ReturnType<typeof registerUser>>;

const post = async (path: string, jar: CookieJar, json: unknown = {}) => {
  const res = await node.req(path, { method: "POST", json }, jar);
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, any>);
};

/** A user in `spaces` spaces (one shared with a friend who posts in it), with `friends` friends (a DM each), a group, a block and incoming requests. */
async function populated(spaces: number, friends: number): Promise<User> {
  const u = await registerUser(node);
  const pals: User[] = [];
  for (let i = 0; i < friends; i++) {
    const f = await registerUser(node);
    const dm = await befriend(node, u, f);
    await post(`/api/conversations/${dm}/messages`, f.jar, { content: "hello", clientId: `dm${i}` });
    pals.push(f);
  }
  await post("/api/conversations", u.jar, { memberIds: pals.slice(0, 2).map((p) => p.user.id), name: "group" });
  for (let i = 0; i < spaces; i++) {
    const { space } = await post("/api/spaces", u.jar, { name: `space ${i}` });
    await post(`/api/spaces/${space.id}/channels`, u.jar, { name: "more", kind: "text" });
    if (i === 0) {
      await joinByInvite(node, u.jar, space.id, pals[0]!.jar);
      await post(`/api/conversations/${space.channels[0].id}/messages`, pals[0]!.jar, { content: "hi", clientId: `sp${i}` });
    }
  }
  const stranger = await registerUser(node);
  await post("/api/blocks", u.jar, { userId: stranger.user.id });
  for (let i = 0; i < Math.min(friends, 3); i++) await post("/api/friends/requests", (await registerUser(node)).jar, { username: u.user.username });
  return u;
}

/** Queries one call costs, and its result (to check the data really is there). */
async function cost<T>(call: () => Promise<T>): Promise<{ queries: number; result: T }> {
  const before = counter.count;
  const result = await call();
  return { queries: counter.count - before, result };
}

/** Waits until no query has run for a while (a closed socket's presence update runs after the close). */
async function settled(): Promise<void> {
  for (let last = -1; last !== counter.count; ) {
    last = counter.count;
    await Bun.sleep(100);
  }
}

const LISTS = ["/api/spaces", "/api/friends", "/api/friends/requests", "/api/conversations", "/api/blocks"];

describe("list cost", () => {
  test("hello and each list endpoint run the same number of queries for a user in 1 space as for one in 100 spaces with many friends", async () => {
    const small = await populated(1, 2);
    const big = await populated(100, 12);
    await settled();
    const costs = async (u: User) => {
      const lists: Record<string, number> = {};
      for (const path of LISTS) lists[path] = (await cost(() => node.req(path, {}, u.jar))).queries;
      const ws = await connectWs(base, u.jar);
      await ws.request({ type: "hello" }); // the socket's own setup is done once this answers
      // Measured cold: the node's hello cache dropped for this user (as any change they see does).
      await node.bus.publish({ type: "hello:stale", userIds: [u.user.id] });
      const hello = await cost(() => ws.request({ type: "hello" }));
      const warm = await cost(() => ws.request({ type: "hello" }));
      ws.close();
      await ws.closed;
      await settled();
      return { hello: hello.queries, warm: warm.queries, helloResult: hello.result, lists };
    };
    const s = await costs(small);
    const b = await costs(big);
    expect(b.helloResult.spaces).toHaveLength(100);
    expect(b.helloResult.spaces[0].channels).toHaveLength(3);
    // The friend's join line and their "hi".
    expect(b.helloResult.spaces[0].channels.find((c: { name: string }) => c.name === "general")).toMatchObject({ unreadCount: 2 });
    expect(b.helloResult.conversations).toHaveLength(13);
    expect(b.helloResult.friends).toHaveLength(12);
    expect(s.helloResult.spaces).toHaveLength(1);
    expect(b.hello).toBe(s.hello);
    expect(b.hello).toBeGreaterThan(0);
    // Nothing changed since: served from the cache.
    expect([s.warm, b.warm]).toEqual([0, 0]);
    expect(b.lists).toEqual(s.lists);
  }, 120_000);

  test("hello stays small for a user in 100 spaces with 200 friends whose every DM ends in a message of the longest length", async () => {
    const u = await registerUser(node);
    const now = () => new Date().toISOString();
    // Friends straight through the store: 200 argon2 registrations would only slow the test down.
    for (let i = 0; i < 200; i++) {
      const id = newId();
      const username = `pal_${process.pid}_${i}`;
      await node.store.accounts.createUser({ id, email: `${username}@example.com`, username, displayName: `Pal number ${i}`, passwordHash: null, now: now() });
      const request = await node.store.social.createRequest({ id: newId(), from_id: id, to_id: u.user.id, created_at: now() });
      const { conversationId } = (await node.store.social.acceptRequest(request, newId(), now()))!;
      await node.store.chat.insertMessage({ id: newId(), conversationId, authorId: id, clientId: `long${i}`, kind: "text", content: "x".repeat(MAX_MESSAGE_LENGTH), replyToId: null, now: now() });
    }
    for (let i = 0; i < 100; i++) await post("/api/spaces", u.jar, { name: `space ${i}` });
    const ws = await connectWs(base, u.jar);
    const hello = await ws.request({ type: "hello" });
    ws.close();
    expect(hello.friends).toHaveLength(200);
    expect(hello.conversations).toHaveLength(200);
    expect(hello.spaces).toHaveLength(100);
    expect(hello.conversations[0].lastMessage.content).toHaveLength(PREVIEW_LENGTH);
    expect(hello.conversations[0].unreadCount).toBe(1);
    // Each person once (200 profiles), 200 friend and DM summaries with 100-character previews and their defaults
    // left out, 100 spaces with two channel summaries each: ~168 KiB (~194 KiB with the defaults spelled out). The
    // old shape came to ~1 MiB here (every message whole, every profile repeated).
    expect(JSON.stringify(hello).length).toBeLessThan(175 * 1024);
  }, 120_000);
});
