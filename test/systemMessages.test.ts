/**
 * Group changes leave lines in the timeline: "Alice added Carol", "Alice renamed the group to
 * …", "Bob left the group". They are system messages (no author), delivered live as
 * `message:new` to the members at that moment and kept in history and sync like any message.
 */
import { expect, test } from "bun:test";
import type { Conversation, Message } from "../src/shared/protocol";
import { registerUser, nodeForSuite } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs, type WsClient } from "./support/ws";

const suite = nodeForSuite();

const json = async <T>(res: Response) => (await res.json()) as T;

async function online(u: Awaited<ReturnType<typeof registerUser>>): Promise<WsClient> {
  const ws = await connectWs(suite.base, u.jar);
  await ws.request({ type: "hello" });
  return ws;
}

const systemLine = (ws: WsClient, conversationId: string, content: string) =>
  ws.waitFor((e) => e.type === "message:new" && e.message.conversationId === conversationId && e.message.kind === "system" && e.message.content === content);

test("adding, renaming and leaving a group each post a system line, live and in history", async () => {
  const { node } = suite;
  const alice = await registerUser(node);
  const bob = await registerUser(node);
  const carol = await registerUser(node);
  const dan = await registerUser(node);
  for (const f of [bob, carol, dan]) await befriend(node, alice, f);
  const created = await node.req("/api/conversations", { method: "POST", json: { memberIds: [bob.user.id] } }, alice.jar);
  const group = (await json<{ conversation: Conversation }>(created)).conversation;
  const [as, bs, cs] = [await online(alice), await online(bob), await online(carol)];
  const A = alice.user.username;
  const B = bob.user.username;

  const added = `${A} added ${carol.user.username} and ${dan.user.username}`;
  expect((await node.req(`/api/conversations/${group.id}/members`, { method: "POST", json: { userIds: [carol.user.id, dan.user.id] } }, alice.jar)).status).toBe(200);
  for (const ws of [as, bs, cs]) await systemLine(ws, group.id, added);

  const renamed = `${A} renamed the group to “Weekend plans”`;
  expect((await node.req(`/api/conversations/${group.id}`, { method: "PATCH", json: { name: "Weekend plans" } }, alice.jar)).status).toBe(200);
  for (const ws of [as, bs, cs]) await systemLine(ws, group.id, renamed);
  // The same name again is no change and says nothing.
  expect((await node.req(`/api/conversations/${group.id}`, { method: "PATCH", json: { name: "Weekend plans" } }, alice.jar)).status).toBe(200);

  const left = `${B} left the group`;
  expect((await node.req(`/api/conversations/${group.id}/members/me`, { method: "DELETE" }, bob.jar)).status).toBe(204);
  for (const ws of [as, cs]) await systemLine(ws, group.id, left);

  const lines = [added, renamed, left];
  const history = await json<{ messages: Message[] }>(await node.req(`/api/conversations/${group.id}/messages`, {}, carol.jar));
  expect(history.messages.map((m) => [m.kind, m.authorId, m.content])).toEqual(lines.map((l) => ["system", null, l]));
  // Catch-up after a drop returns the same rows.
  const synced = await cs.request({ type: "sync", conversationId: group.id });
  expect(synced.messages.map((m: Message) => m.content)).toEqual(lines);
  // Bob is gone: he hears nothing of what follows his leaving, his own line included.
  await as.request({ type: "hello" });
  expect(bs.events.some((e) => e.type === "message:new" && e.message.content === left)).toBe(false);
  for (const ws of [as, bs, cs]) ws.close();
});
