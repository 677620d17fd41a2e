import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { befriend } from "./support/social";

let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode();
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

const json = async (res: Response) => (await res.json()) as Record<string, any>;

/** Two new users, each with a socket that has said hello. */
async function twoOnline() {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const as = await connectWs(base, a.jar);
  const bs = await connectWs(base, b.jar);
  await as.request({ type: "hello" });
  await bs.request({ type: "hello" });
  return { a, b, as, bs };
}

describe("friend requests", () => {
  test("request → accept creates the friendship and the DM in one step, and both parties hear it live", async () => {
    const { a, b, as, bs } = await twoOnline();
    const sent = await node.req("/api/friends/requests", { method: "POST", json: { username: b.user.username } }, a.jar);
    expect(sent.status).toBe(201);
    const { request } = await json(sent);
    const incoming = await bs.waitFor((e) => e.type === "friend:request");
    expect(incoming.request).toMatchObject({ id: request.id, fromId: a.user.id, user: { id: a.user.id } });
    const lists = await json(await node.req("/api/friends/requests", {}, b.jar));
    expect(lists.incoming.map((r: { id: string }) => r.id)).toEqual([request.id]);
    expect((await json(await node.req("/api/friends/requests", {}, a.jar))).outgoing.map((r: { id: string }) => r.id)).toEqual([request.id]);

    const acc = await json(await node.req(`/api/friends/requests/${request.id}/accept`, { method: "POST" }, b.jar));
    expect(acc.conversationId).toBeString();
    for (const [s, other] of [[as, b], [bs, a]] as const) {
      const e = await s.waitFor((e) => e.type === "friend:accepted");
      expect(e.friend.user.id).toBe(other.user.id);
      expect(e.friend.conversationId).toBe(acc.conversationId);
      const conv = await s.waitFor((e) => e.type === "conversation:new");
      expect(conv.conversation.id).toBe(acc.conversationId);
    }
    // The new DM is live immediately: its topic was subscribed without reconnecting.
    await as.request({ type: "message:send", conversationId: acc.conversationId, clientId: "first", content: "hi friend" });
    await bs.waitFor((e) => e.type === "message:new" && e.message.clientId === "first");
    const friends = await json(await node.req("/api/friends", {}, a.jar));
    expect(friends.friends).toEqual([{ user: expect.objectContaining({ id: b.user.id }), presence: "online", conversationId: acc.conversationId }]);
    as.close();
    bs.close();
  });

  test("only the recipient can accept or reject; only the sender can cancel", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const c = await registerUser(node);
    const { request } = await json(await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar));
    expect((await node.req(`/api/friends/requests/${request.id}/accept`, { method: "POST" }, a.jar)).status).toBe(404);
    expect((await node.req(`/api/friends/requests/${request.id}/accept`, { method: "POST" }, c.jar)).status).toBe(404);
    expect((await node.req(`/api/friends/requests/${request.id}/reject`, { method: "POST" }, a.jar)).status).toBe(404);
    expect((await node.req(`/api/friends/requests/${request.id}`, { method: "DELETE" }, b.jar)).status).toBe(404);
    expect((await node.req(`/api/friends/requests/${request.id}`, { method: "DELETE" }, a.jar)).status).toBe(204);
    expect((await json(await node.req("/api/friends/requests", {}, b.jar))).incoming).toEqual([]);
    const again = await json(await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar));
    expect((await node.req(`/api/friends/requests/${again.request.id}/reject`, { method: "POST" }, b.jar)).status).toBe(204);
    expect((await json(await node.req("/api/friends", {}, a.jar))).friends).toEqual([]);
  });

  test("a request crossing one that is declined at that very moment becomes a new request, not an error or a friendship", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const { request } = await json(await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar));
    // Bob's request reads Alice's as pending; her request is declined right after that read.
    const social = node.store.social;
    const read = social.requestBetween.bind(social);
    let declined: Response | undefined;
    social.requestBetween = async (from, to) => {
      const row = await read(from, to);
      if (row?.id === request.id && !declined) declined = await node.req(`/api/friends/requests/${request.id}/reject`, { method: "POST" }, b.jar);
      return row;
    };
    try {
      const asked = await node.req("/api/friends/requests", { method: "POST", json: { userId: a.user.id } }, b.jar);
      expect(declined?.status).toBe(204);
      expect(asked.status).toBe(201);
    } finally {
      social.requestBetween = read;
    }
    expect((await json(await node.req("/api/friends", {}, a.jar))).friends).toEqual([]);
    expect((await json(await node.req("/api/friends/requests", {}, a.jar))).incoming.map((r: { fromId: string }) => r.fromId)).toEqual([b.user.id]);
  });

  test("duplicate, self and already-friend requests are refused with clear codes", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    expect((await node.req("/api/friends/requests", { method: "POST", json: { userId: a.user.id } }, a.jar)).status).toBe(400);
    expect((await node.req("/api/friends/requests", { method: "POST", json: { username: "no_such_user_x" } }, a.jar)).status).toBe(404);
    await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar);
    expect((await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar)).status).toBe(409);
    // Asking back accepts.
    const back = await node.req("/api/friends/requests", { method: "POST", json: { userId: a.user.id } }, b.jar);
    expect(back.status).toBe(200);
    expect((await json(back)).conversationId).toBeString();
    expect((await node.req("/api/friends/requests", { method: "POST", json: { userId: b.user.id } }, a.jar)).status).toBe(409);
  });

  test("unfriending tells both sides, and befriending again reuses the same DM with its history", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: "keep", content: "remember me" } }, a.jar);
    const bs = await connectWs(base, b.jar);
    await bs.request({ type: "hello" });
    expect((await node.req(`/api/friends/${b.user.id}`, { method: "DELETE" }, a.jar)).status).toBe(204);
    expect((await bs.waitFor((e) => e.type === "friend:removed")).userId).toBe(a.user.id);
    expect((await node.req(`/api/friends/${b.user.id}`, { method: "DELETE" }, a.jar)).status).toBe(404);
    expect(await befriend(node, a, b)).toBe(conversationId);
    const hist = await json(await node.req(`/api/conversations/${conversationId}/messages`, {}, b.jar));
    expect(hist.messages.map((m: { content: string }) => m.content)).toEqual(["remember me"]);
    bs.close();
  });
});

describe("blocking", () => {
  test("blocking withdraws a pending request and both sides hear it live", async () => {
    const { a, b, as, bs } = await twoOnline();
    const { request } = await json(await node.req("/api/friends/requests", { method: "POST", json: { username: b.user.username } }, a.jar));
    await bs.waitFor((e) => e.type === "friend:request");
    expect((await node.req("/api/blocks", { method: "POST", json: { userId: a.user.id } }, b.jar)).status).toBe(204);
    for (const s of [as, bs]) expect(await s.waitFor((e) => e.type === "friend:request-removed")).toMatchObject({ requestId: request.id });
    expect((await json(await node.req("/api/friends/requests", {}, b.jar))).incoming).toEqual([]);
    as.close();
    bs.close();
  });
});

describe("group conversations", () => {
  test("a group is created with friends, renamed, extended and left, with events to members", async () => {
    const owner = await registerUser(node);
    const f1 = await registerUser(node);
    const f2 = await registerUser(node);
    const stranger = await registerUser(node);
    await befriend(node, owner, f1);
    await befriend(node, owner, f2);
    const s1 = await connectWs(base, f1.jar);
    await s1.request({ type: "hello" });
    const refused = await node.req("/api/conversations", { method: "POST", json: { memberIds: [stranger.user.id] } }, owner.jar);
    expect(refused.status).toBe(403);
    const created = await node.req("/api/conversations", { method: "POST", json: { memberIds: [f1.user.id], name: "Weekend" } }, owner.jar);
    expect(created.status).toBe(201);
    const { conversation } = await json(created);
    expect(conversation).toMatchObject({ kind: "group", name: "Weekend", ownerId: owner.user.id });
    expect((await s1.waitFor((e) => e.type === "conversation:new")).conversation.id).toBe(conversation.id);
    await s1.request({ type: "message:send", conversationId: conversation.id, clientId: "g1", content: "hey all" });
    const renamed = await node.req(`/api/conversations/${conversation.id}`, { method: "PATCH", json: { name: "Trip" } }, f1.jar);
    expect((await json(renamed)).conversation.name).toBe("Trip");
    const added = await json(await node.req(`/api/conversations/${conversation.id}/members`, { method: "POST", json: { userIds: [f2.user.id] } }, owner.jar));
    expect(added.conversation.members).toHaveLength(3);
    expect((await node.req(`/api/conversations/${conversation.id}/messages`, {}, f2.jar)).status).toBe(200);
    expect((await node.req(`/api/conversations/${conversation.id}/members/me`, { method: "DELETE" }, f1.jar)).status).toBe(204);
    await s1.waitFor((e) => e.type === "conversation:removed");
    expect((await node.req(`/api/conversations/${conversation.id}/messages`, {}, f1.jar)).status).toBe(403);
    await node.req(`/api/conversations/${conversation.id}/messages`, { method: "POST", json: { clientId: "after-leave", content: "gone?" } }, owner.jar);
    await Bun.sleep(100);
    expect(s1.events.some((e) => e.type === "message:new" && e.message.clientId === "after-leave")).toBe(false);
    s1.close();
  });

  test("a group holds at most 50 members", async () => {
    const owner = await registerUser(node);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push("01900000-0000-7000-8000-" + String(i).padStart(12, "0"));
    const res = await node.req("/api/conversations", { method: "POST", json: { memberIds: ids } }, owner.jar);
    expect(res.status).toBe(400);
  });
});

describe("history", () => {
  test("history pages backwards with before and forwards with after, at most 100", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const r = await json(await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: `h${i}`, content: `m${i}` } }, a.jar));
      ids.push(r.message.id);
    }
    const latest = await json(await node.req(`/api/conversations/${conversationId}/messages?limit=50`, {}, b.jar));
    expect(latest.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(70));
    expect(latest.hasMore).toBe(true);
    const older = await json(await node.req(`/api/conversations/${conversationId}/messages?before=${ids[70]}&limit=100`, {}, b.jar));
    expect(older.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, 70));
    expect(older.hasMore).toBe(false);
    const after = await json(await node.req(`/api/conversations/${conversationId}/messages?after=${ids[9]}&limit=5`, {}, b.jar));
    expect(after.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(10, 15));
    expect((await node.req(`/api/conversations/${conversationId}/messages?limit=101`, {}, b.jar)).status).toBe(400);
  });

  test("an empty or oversize message is refused and nothing is stored", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    for (const content of ["", "   ", "x".repeat(4001)]) {
      const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: `bad-${content.length}`, content } }, a.jar);
      expect(res.status).toBe(400);
    }
    expect((await json(await node.req(`/api/conversations/${conversationId}/messages`, {}, a.jar))).messages).toEqual([]);
  });
});
