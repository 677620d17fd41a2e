/**
 * Discord's system messages channel: someone joining a space through an invite posts "X joined
 * the space" in its first text channel — a system message, live and in history and sync like
 * any message — unless the space's owner or admins turned "Announce new members" off.
 */
import { expect, test } from "bun:test";
import type { Message } from "../src/shared/protocol";
import { registerUser, nodeForSuite } from "./support/parley";
import { joinByInvite, json } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";

const suite = nodeForSuite();

async function online(jar: Awaited<ReturnType<typeof registerUser>>["jar"]): Promise<WsClient> {
  const ws = await connectWs(suite.base, jar);
  await ws.request({ type: "hello" });
  return ws;
}

async function newSpace() {
  const owner = await registerUser(suite.node);
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Join Club" } }, owner.jar));
  return { owner, space };
}

test("a join posts a system line in the first text channel, live to members and the joiner, and in history and sync", async () => {
  const { node } = suite;
  const { owner, space } = await newSpace();
  expect(space.joinMessages).toBe(true);
  // "First" is by position: a channel moved to the top becomes the announcement channel.
  const { channel: rules } = await json(await node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "rules", kind: "text" } }, owner.jar));
  const order = [rules.id, ...space.channels.map((c: { id: string }) => c.id)];
  expect((await node.req(`/api/spaces/${space.id}/channels/reorder`, { method: "POST", json: { channelIds: order } }, owner.jar)).status).toBe(200);
  const guest = await registerUser(node);
  const [ows, gws] = [await online(owner.jar), await online(guest.jar)];

  await joinByInvite(node, owner.jar, space.id, guest.jar);
  const line = `${guest.user.username} joined the space`;
  for (const ws of [ows, gws]) {
    const e = await ws.waitFor((x) => x.type === "message:new" && x.message.kind === "system");
    expect([e.message.conversationId, e.message.authorId, e.message.content]).toEqual([rules.id, null, line]);
  }
  const history = await json(await node.req(`/api/conversations/${rules.id}/messages`, {}, guest.jar));
  expect(history.messages.map((m: Message) => [m.kind, m.authorId, m.content])).toEqual([["system", null, line]]);
  const general = await json(await node.req(`/api/conversations/${space.channels[0].id}/messages`, {}, guest.jar));
  expect(general.messages).toEqual([]);
  const synced = await ows.request({ type: "sync", conversationId: rules.id });
  expect(synced.messages.map((m: Message) => m.content)).toEqual([line]);
  // It is a channel message like any other: unread for the members who were there, not for the joiner.
  const mine = await json(await node.req(`/api/spaces/${space.id}`, {}, owner.jar));
  expect(mine.space.channels.find((c: { id: string }) => c.id === rules.id).unreadCount).toBe(1);
  const theirs = await json(await node.req(`/api/spaces/${space.id}`, {}, guest.jar));
  expect(theirs.space.channels.find((c: { id: string }) => c.id === rules.id).unreadCount).toBe(0);
  for (const ws of [ows, gws]) ws.close();
});

test("with Announce new members off, joins post nothing; only managers may change it", async () => {
  const { node } = suite;
  const { owner, space } = await newSpace();
  const member = await registerUser(node);
  await joinByInvite(node, owner.jar, space.id, member.jar);
  const ows = await online(owner.jar);

  const refused = await node.req(`/api/spaces/${space.id}`, { method: "PATCH", json: { joinMessages: false } }, member.jar);
  expect(refused.status).toBe(403);
  const empty = await node.req(`/api/spaces/${space.id}`, { method: "PATCH", json: {} }, owner.jar);
  expect([empty.status, (await json(empty)).error.code]).toEqual([400, "VALIDATION_ERROR"]);
  const off = await node.req(`/api/spaces/${space.id}`, { method: "PATCH", json: { joinMessages: false } }, owner.jar);
  expect([(await json(off)).space.joinMessages, (await json(await node.req(`/api/spaces/${space.id}`, {}, owner.jar))).space.name]).toEqual([false, "Join Club"]);
  const updated = await ows.waitFor((e) => e.type === "space:updated");
  expect(updated.space.joinMessages).toBe(false);

  const quiet = await registerUser(node);
  await joinByInvite(node, owner.jar, space.id, quiet.jar);
  const history = await json(await node.req(`/api/conversations/${space.channels[0].id}/messages`, {}, owner.jar));
  expect(history.messages.map((m: Message) => m.content)).toEqual([`${member.user.username} joined the space`]);
  ows.close();
});
