/**
 * Replies and threads: a reply carries a preview of the message it answers (same conversation
 * only); a thread's replies stay out of the main timeline, its root shows count, participants,
 * last reply and the viewer's unread; thread sends are idempotent and come back through sync.
 */
import { expect, test } from "bun:test";
import type { Message } from "../src/shared/protocol";
import { nodeForSuite, registerUser, startNode, type CookieJar, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { connectWs } from "./support/ws";
import { QueryCounter } from "./support/query-counter";

const suite = nodeForSuite();

async function send(node: TestNode, conversationId: string, jar: CookieJar, content: string, extra: Record<string, string> = {}): Promise<Message> {
  const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, ...extra } }, jar);
  if (res.status !== 201) throw new Error(`send: ${res.status} ${await res.text()}`);
  return (await json(res)).message;
}

const timeline = async (conversationId: string, jar: CookieJar): Promise<Message[]> =>
  (await json(await suite.node.req(`/api/conversations/${conversationId}/messages?limit=100`, {}, jar))).messages;

const thread = async (rootId: string, jar: CookieJar, query = "") => json(await suite.node.req(`/api/messages/${rootId}/thread${query}`, {}, jar));

async function pair() {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  return { alice, bob, dm: await befriend(suite.node, alice, bob) };
}

test("a reply reaches the other member with a preview of the original, keeps it in history and sync, and reads as deleted once the original is", async () => {
  const { alice, bob, dm } = await pair();
  const original = await send(suite.node, dm, alice.jar, "Lunch at noon?");
  const bobWs = await connectWs(suite.base, bob.jar);
  try {
    await bobWs.request({ type: "hello" });
    const reply = await send(suite.node, dm, bob.jar, "Yes!", { replyToId: original.id });
    expect(reply.replyTo).toEqual({ id: original.id, authorId: alice.user.id, content: "Lunch at noon?", deleted: false });
    const live = await bobWs.waitFor((e) => e.type === "message:new" && e.message.id === reply.id);
    expect(live.message.replyTo).toEqual(reply.replyTo);

    expect((await suite.node.req(`/api/messages/${original.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
    const listed = (await timeline(dm, alice.jar)).find((m) => m.id === reply.id)!;
    expect(listed.replyTo).toEqual({ id: original.id, authorId: alice.user.id, content: "", deleted: true });
    const synced = await bobWs.request({ type: "sync", conversationId: dm });
    expect(synced.messages.find((m: Message) => m.id === reply.id).replyTo.deleted).toBe(true);
  } finally {
    bobWs.close();
  }
});

test("a reply to a message of another conversation, or to none, is 400 VALIDATION_ERROR naming replyToId, over REST and the socket", async () => {
  const { alice, bob, dm } = await pair();
  const elsewhere = await befriend(suite.node, alice, await registerUser(suite.node));
  const foreign = await send(suite.node, elsewhere, alice.jar, "not here");
  for (const replyToId of [foreign.id, "0190aaaa-0000-7000-8000-000000000000"]) {
    const res = await suite.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "x", replyToId } }, bob.jar);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: { replyToId: expect.any(String) } } });
  }
  const ws = await connectWs(suite.base, bob.jar);
  try {
    const r = await ws.request({ type: "message:send", conversationId: dm, clientId: "c1", content: "x", replyToId: foreign.id });
    expect(r.error.code).toBe("VALIDATION_ERROR");
  } finally {
    ws.close();
  }
  expect(await timeline(dm, bob.jar)).toHaveLength(0);
});

test("thread replies stay out of the main timeline, unread count and last message; the root shows count, participants, last reply and each viewer's unread", async () => {
  const { alice, bob, dm } = await pair();
  const root = await send(suite.node, dm, alice.jar, "Plan for Friday");
  const after = await send(suite.node, dm, alice.jar, "(main timeline goes on)");
  const [aliceWs, bobWs] = [await connectWs(suite.base, alice.jar), await connectWs(suite.base, bob.jar)];
  try {
    await Promise.all([aliceWs.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    const r1 = (await bobWs.request({ type: "message:send", conversationId: dm, clientId: "t1", content: "I bring snacks", threadId: root.id })).message;
    expect(r1.threadId).toBe(root.id);
    const live = await aliceWs.waitFor((e) => e.type === "message:new" && e.message.id === r1.id);
    expect(live.message.threadId).toBe(root.id);
    const r2 = await send(suite.node, dm, alice.jar, "Great", { threadId: root.id });

    const main = await timeline(dm, bob.jar);
    expect(main.map((m) => m.id)).toEqual([root.id, after.id]);
    expect(main[0]!.thread).toEqual({ replyCount: 2, lastReplyId: r2.id, lastReplyAt: r2.createdAt, participantIds: [alice.user.id, bob.user.id], unreadCount: 1 });
    expect((await timeline(dm, alice.jar))[0]!.thread!.unreadCount).toBe(1);
    const conv = (await json(await suite.node.req(`/api/conversations/${dm}`, {}, bob.jar))).conversation;
    expect(conv.lastMessage.id).toBe(after.id);
    expect(conv.unreadCount).toBe(2);

    const page = await thread(root.id, bob.jar);
    expect(page.root.id).toBe(root.id);
    expect(page.messages.map((m: Message) => m.id)).toEqual([r1.id, r2.id]);
    expect(page.hasMore).toBe(false);

    // Bob reads the thread: his unread goes, Alice's stays; his other socket hears of it.
    expect((await bobWs.request({ type: "thread:read", threadId: root.id, messageId: r2.id })).ok).toBe(true);
    expect(await bobWs.waitFor((e) => e.type === "thread:read")).toEqual({ type: "thread:read", conversationId: dm, threadId: root.id, messageId: r2.id });
    expect((await timeline(dm, bob.jar))[0]!.thread!.unreadCount).toBe(0);
    expect((await timeline(dm, alice.jar))[0]!.thread!.unreadCount).toBe(1);
    await Bun.sleep(50);
    expect(aliceWs.events.some((e) => e.type === "thread:read")).toBe(false);

    const listed = (await json(await suite.node.req(`/api/conversations/${dm}/threads`, {}, alice.jar))).threads;
    expect(listed.map((m: Message) => [m.id, m.thread!.replyCount])).toEqual([[root.id, 2]]);
  } finally {
    aliceWs.close();
    bobWs.close();
  }
});

test("deleting a thread reply updates its root for everyone, live: count, last reply and participants; the last one gone takes the summary", async () => {
  const { alice, bob, dm } = await pair();
  const root = await send(suite.node, dm, alice.jar, "Who is coming?");
  const r1 = await send(suite.node, dm, alice.jar, "me", { threadId: root.id });
  const r2 = await send(suite.node, dm, bob.jar, "me too", { threadId: root.id });
  const [aliceWs, bobWs] = [await connectWs(suite.base, alice.jar), await connectWs(suite.base, bob.jar)];
  try {
    await Promise.all([aliceWs.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    expect((await suite.node.req(`/api/messages/${r2.id}`, { method: "DELETE" }, bob.jar)).status).toBe(204);
    const totals = { replyCount: 1, lastReplyId: r1.id, lastReplyAt: r1.createdAt, participantIds: [alice.user.id] };
    for (const ws of [aliceWs, bobWs]) {
      const live = await ws.waitFor((e) => e.type === "message:deleted" && e.messageId === r2.id);
      expect(live).toEqual({ type: "message:deleted", conversationId: dm, messageId: r2.id, thread: { rootId: root.id, authorId: bob.user.id, totals } });
    }
    // What the event said is what a page says.
    expect((await timeline(dm, alice.jar))[0]!.thread).toEqual({ ...totals, unreadCount: 0 });

    expect((await suite.node.req(`/api/messages/${r1.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
    const last = await bobWs.waitFor((e) => e.type === "message:deleted" && e.messageId === r1.id);
    expect(last.thread).toEqual({ rootId: root.id, authorId: alice.user.id, totals: null });
    expect((await timeline(dm, bob.jar))[0]!.thread).toBeUndefined();
    // A message outside threads says nothing of threads.
    const plain = await send(suite.node, dm, alice.jar, "bye");
    expect((await suite.node.req(`/api/messages/${plain.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
    expect((await bobWs.waitFor((e) => e.type === "message:deleted" && e.messageId === plain.id)).thread).toBeUndefined();
  } finally {
    aliceWs.close();
    bobWs.close();
  }
});

test("a retried thread send is stored once, and catch-up through sync brings thread replies with their threadId", async () => {
  const { alice, bob, dm } = await pair();
  const root = await send(suite.node, dm, alice.jar, "root");
  const ws = await connectWs(suite.base, bob.jar);
  try {
    const frame = { type: "message:send", conversationId: dm, clientId: "same", content: "once", threadId: root.id };
    const [a, b] = await Promise.all([ws.request(frame), ws.request(frame)]);
    expect(a.message.id).toBe(b.message.id);
    const again = await ws.request(frame);
    expect(again.message.id).toBe(a.message.id);
    expect((await thread(root.id, alice.jar)).messages).toHaveLength(1);
    expect((await timeline(dm, alice.jar))[0]!.thread!.replyCount).toBe(1);

    const synced = await ws.request({ type: "sync", conversationId: dm, after: root.id });
    expect(synced.messages.map((m: Message) => [m.id, m.threadId])).toEqual([[a.message.id, root.id]]);
  } finally {
    ws.close();
  }
});

test("a thread starts only on a live text message of the conversation's main timeline: anything else is 400 VALIDATION_ERROR naming threadId", async () => {
  const { alice, bob, dm } = await pair();
  const root = await send(suite.node, dm, alice.jar, "root");
  const inThread = await send(suite.node, dm, bob.jar, "reply", { threadId: root.id });
  const gone = await send(suite.node, dm, alice.jar, "soon deleted");
  await suite.node.req(`/api/messages/${gone.id}`, { method: "DELETE" }, alice.jar);
  const foreign = await send(suite.node, await befriend(suite.node, alice, await registerUser(suite.node)), alice.jar, "elsewhere");
  for (const threadId of [inThread.id, gone.id, foreign.id]) {
    const res = await suite.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "x", threadId } }, bob.jar);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: { threadId: expect.any(String) } } });
  }
  // A reply in a thread may quote its root.
  expect((await send(suite.node, dm, bob.jar, "quoting", { threadId: root.id, replyToId: root.id })).replyTo!.id).toBe(root.id);
});

test("only members see a thread: others get 404 NOT_FOUND for its page, its read mark and the conversation's thread list 403", async () => {
  const { alice, dm } = await pair();
  const root = await send(suite.node, dm, alice.jar, "private");
  const reply = await send(suite.node, dm, alice.jar, "also private", { threadId: root.id });
  const outsider = await registerUser(suite.node);
  expect((await suite.node.req(`/api/messages/${root.id}/thread`, {}, outsider.jar)).status).toBe(404);
  expect((await suite.node.req(`/api/messages/${root.id}/thread/read`, { method: "POST", json: { messageId: reply.id } }, outsider.jar)).status).toBe(404);
  expect((await suite.node.req(`/api/conversations/${dm}/threads`, {}, outsider.jar)).status).toBe(403);
  const res = await suite.node.req(`/api/messages/${root.id}/thread/read`, { method: "POST", json: { messageId: root.id } }, alice.jar);
  expect(res.status).toBe(400);
});

test("in a space channel a thread does not raise the channel's unread count, and 50 concurrent repliers are all counted", async () => {
  const owner = await registerUser(suite.node);
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Crowd" } }, owner.jar));
  const channel: string = space.channels[0].id;
  const crowd = await Promise.all(Array.from({ length: 50 }, () => registerUser(suite.node)));
  for (const u of crowd) await joinByInvite(suite.node, owner.jar, space.id, u.jar);
  const root = await send(suite.node, channel, owner.jar, "Ideas thread");
  const ws = await connectWs(suite.base, owner.jar);
  try {
    const before = (await ws.request({ type: "hello" })).spaces[0].channels.find((c: { id: string }) => c.id === channel);
    const sent = await Promise.all(crowd.map((u, i) => send(suite.node, channel, u.jar, `idea ${i}`, { threadId: root.id })));
    expect(new Set(sent.map((m) => m.id)).size).toBe(50);
    const after = (await ws.request({ type: "hello" })).spaces[0].channels.find((c: { id: string }) => c.id === channel);
    expect(after.unreadCount ?? 0).toBe(before.unreadCount ?? 0);
    const [listedRoot] = (await timeline(channel, owner.jar)).filter((m) => m.id === root.id);
    expect(listedRoot!.thread).toMatchObject({ replyCount: 50, unreadCount: 50 });
    expect(listedRoot!.thread!.participantIds).toHaveLength(5);
    const page = await thread(root.id, owner.jar, "?limit=100");
    expect(page.messages).toHaveLength(50);
  } finally {
    ws.close();
  }
}, 120_000);

test("a history page, a thread page and the thread list cost the same number of queries with one thread or many, few participants or many", async () => {
  const counter = new QueryCounter();
  const counted = await startNode({}, { storePlugins: [counter] });
  try {
    const [a, b, c] = [await registerUser(counted), await registerUser(counted), await registerUser(counted)];
    const { space } = await json(await counted.req("/api/spaces", { method: "POST", json: { name: "Cost" } }, a.jar));
    await joinByInvite(counted, a.jar, space.id, b.jar);
    await joinByInvite(counted, a.jar, space.id, c.jar);
    const [busy, quiet] = [space.channels[0].id as string, (await json(await counted.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "quiet", kind: "text" } }, a.jar))).channel.id as string];
    let busyRoot = "";
    for (let i = 0; i < 20; i++) {
      const root = await send(counted, busy, a.jar, `root ${i}`, i > 0 ? { replyToId: busyRoot } : {});
      busyRoot ||= root.id;
      for (const u of [a, b, c]) await send(counted, busy, u.jar, `reply ${i}`, { threadId: root.id, replyToId: root.id });
    }
    // Replies here too: a page without any skips the preview query, which is not what is measured.
    const first = await send(counted, quiet, a.jar, "first");
    const quietRoot = await send(counted, quiet, a.jar, "only root", { replyToId: first.id });
    await send(counted, quiet, a.jar, "one reply", { threadId: quietRoot.id, replyToId: quietRoot.id });
    for (let i = 0; i < 19; i++) await send(counted, quiet, a.jar, `plain ${i}`);
    const cost = async (path: string) => {
      const before = counter.count;
      const body = await json(await counted.req(path, {}, b.jar));
      return { queries: counter.count - before, body };
    };
    const history = [await cost(`/api/conversations/${busy}/messages`), await cost(`/api/conversations/${quiet}/messages`)];
    expect(history[0]!.body.messages.filter((m: Message) => m.thread?.replyCount === 3)).toHaveLength(20);
    expect(history[0]!.queries).toBe(history[1]!.queries);
    const threads = [await cost(`/api/messages/${busyRoot}/thread`), await cost(`/api/messages/${quietRoot.id}/thread`)];
    expect(threads[0]!.body.messages).toHaveLength(3);
    expect(threads[0]!.queries).toBe(threads[1]!.queries);
    const lists = [await cost(`/api/conversations/${busy}/threads`), await cost(`/api/conversations/${quiet}/threads`)];
    expect(lists[0]!.body.threads).toHaveLength(20);
    expect(lists[1]!.body.threads).toHaveLength(1);
    expect(lists[0]!.queries).toBe(lists[1]!.queries);
  } finally {
    await counted.dispose();
  }
}, 120_000);
