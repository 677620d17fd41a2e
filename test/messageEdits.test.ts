/**
 * Edits and deletes: authors edit their own messages (message:edit / PATCH /api/messages/:id),
 * live for everyone as message:updated; the replaced texts are kept for the author and the
 * space's moderators (GET /api/messages/:id/edits); authors delete, and so do space admins
 * over lower ranks; a deleted message keeps its place with no content, reactions or history.
 */
import { beforeAll, expect, test } from "bun:test";
import type { Message } from "../src/shared/protocol";
import { registerUser, nodeForSuite, type CookieJar } from "./support/parley";
import { befriend } from "./support/social";
import { buildWorld, json, type World } from "./support/spaces";
import { connectWs } from "./support/ws";

const suite = nodeForSuite();
let world: World;
beforeAll(async () => {
  world = await buildWorld(suite.node);
}, 60_000);

async function send(conversationId: string, jar: CookieJar, content = "helo"): Promise<Message> {
  const res = await suite.node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
  expect(res.status).toBe(201);
  return (await json(res)).message;
}
const edit = (id: string, jar: CookieJar, content: string) => suite.node.req(`/api/messages/${id}`, { method: "PATCH", json: { content } }, jar);
const edits = (id: string, jar: CookieJar) => suite.node.req(`/api/messages/${id}/edits`, {}, jar);
const remove = (id: string, jar: CookieJar) => suite.node.req(`/api/messages/${id}`, { method: "DELETE" }, jar);
const code = async (res: Response) => [res.status, (await json(res)).error?.code];

test("an author's edit reaches the other member live with editedAt, and history pages show the new text", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  const m = await send(dm, alice.jar);
  expect(m.editedAt).toBeNull();
  const [aliceWs, bobWs] = [await connectWs(suite.base, alice.jar), await connectWs(suite.base, bob.jar)];
  try {
    await Promise.all([aliceWs.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    const reply = await aliceWs.request({ type: "message:edit", messageId: m.id, content: "hello" });
    expect(reply.ok).toBe(true);
    expect(reply.message).toMatchObject({ id: m.id, content: "hello", createdAt: m.createdAt });
    expect(reply.message.editedAt >= m.createdAt).toBe(true);
    const live = await bobWs.waitFor((e) => e.type === "message:updated");
    expect(live.message).toEqual(reply.message);

    const res = await edit(m.id, alice.jar, "hello, **Bob**");
    expect(res.status).toBe(200);
    expect((await json(res)).message.content).toBe("hello, **Bob**");
    const { messages } = await json(await suite.node.req(`/api/conversations/${dm}/messages`, {}, bob.jar));
    expect(messages[0]).toMatchObject({ id: m.id, content: "hello, **Bob**", editedAt: expect.any(String) });

    // The same text again is no edit: nothing kept, nothing sent.
    await edit(m.id, alice.jar, "hello, **Bob**");
    expect((await json(await edits(m.id, alice.jar))).edits.map((e: { content: string }) => e.content)).toEqual(["helo", "hello"]);
    await new Promise((r) => setTimeout(r, 100));
    expect(bobWs.events.filter((e) => e.type === "message:updated")).toHaveLength(2);
  } finally {
    aliceWs.close();
    bobWs.close();
  }
});

test("only the author edits: everyone else, space owners included, gets 403; strangers 403; a deleted message 404", async () => {
  const { owner, admin, member, outsider } = world.users;
  const m = await send(world.textChannelId, member.jar, "mine");
  for (const jar of [owner.jar, admin.jar, outsider.jar]) expect(await code(await edit(m.id, jar, "theirs"))).toEqual([403, "FORBIDDEN"]);
  const bad = await edit(m.id, member.jar, "   ");
  expect(await code(bad)).toEqual([400, "VALIDATION_ERROR"]);
  expect(await code(await edit("0190d6b2-0000-7000-8000-000000000000", member.jar, "x"))).toEqual([404, "NOT_FOUND"]);
  expect((await remove(m.id, member.jar)).status).toBe(204);
  expect(await code(await edit(m.id, member.jar, "back"))).toEqual([404, "NOT_FOUND"]);
});

test("edit history is read by the author and by space moderators over lower ranks, by no one else", async () => {
  const { owner, admin, member, outsider } = world.users;
  const byMember = await send(world.textChannelId, member.jar, "first");
  await edit(byMember.id, member.jar, "second");
  await edit(byMember.id, member.jar, "third");
  for (const jar of [member.jar, admin.jar, owner.jar]) {
    const res = await edits(byMember.id, jar);
    expect(res.status).toBe(200);
    const list = (await json(res)).edits;
    expect(list.map((e: { content: string }) => e.content)).toEqual(["first", "second"]);
    expect(list.every((e: { editedAt: string }) => e.editedAt >= byMember.createdAt)).toBe(true);
  }
  const other = await world.newMember();
  expect(await code(await edits(byMember.id, other.jar))).toEqual([403, "FORBIDDEN"]);
  expect(await code(await edits(byMember.id, outsider.jar))).toEqual([403, "FORBIDDEN"]);
  const byOwner = await send(world.textChannelId, owner.jar, "boss");
  await edit(byOwner.id, owner.jar, "Boss");
  expect(await code(await edits(byOwner.id, admin.jar))).toEqual([403, "FORBIDDEN"]);

  // In a DM there are no moderators: the other member does not see what was replaced.
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  const d = await send(dm, alice.jar, "oops");
  await edit(d.id, alice.jar, "fixed");
  expect(await code(await edits(d.id, bob.jar))).toEqual([403, "FORBIDDEN"]);
});

test("authors delete theirs and admins those of lower ranks, live for everyone; the message keeps its place and loses its history", async () => {
  const { owner, admin, member } = world.users;
  const ownerWs = await connectWs(suite.base, owner.jar);
  try {
    await ownerWs.request({ type: "hello" });
    const m = await send(world.textChannelId, member.jar, "to go");
    await edit(m.id, member.jar, "to go soon");
    const other = await world.newMember();
    expect(await code(await remove(m.id, other.jar))).toEqual([403, "FORBIDDEN"]);
    const reply = await (async () => {
      const ws = await connectWs(suite.base, admin.jar);
      try {
        return await ws.request({ type: "message:delete", messageId: m.id });
      } finally {
        ws.close();
      }
    })();
    expect(reply.ok).toBe(true);
    expect(await ownerWs.waitFor((e) => e.type === "message:deleted" && e.messageId === m.id)).toEqual({ type: "message:deleted", conversationId: world.textChannelId, messageId: m.id });
    const { messages } = await json(await suite.node.req(`/api/conversations/${world.textChannelId}/messages?limit=100`, {}, owner.jar));
    expect(messages.find((x: Message) => x.id === m.id)).toMatchObject({ content: "" });
    expect(await code(await edits(m.id, owner.jar))).toEqual([404, "NOT_FOUND"]);

    const byAdmin = await send(world.textChannelId, admin.jar, "admin's");
    expect(await code(await remove(byAdmin.id, member.jar))).toEqual([403, "FORBIDDEN"]);
    expect((await remove(byAdmin.id, owner.jar)).status).toBe(204);
  } finally {
    ownerWs.close();
  }
});

test("an edit never notifies anyone anew, and dropping @everyone or @here drops the mention", async () => {
  const { owner } = world.users;
  const plain = await send(world.textChannelId, owner.jar, "hello all");
  expect((await json(await edit(plain.id, owner.jar, "hello @everyone"))).message.mentionsEveryone).toBe(false);
  const loud = await send(world.textChannelId, owner.jar, "@everyone meeting");
  expect(loud.mentionsEveryone).toBe(true);
  expect((await json(await edit(loud.id, owner.jar, "@everyone meeting at 3"))).message.mentionsEveryone).toBe(true);
  expect((await json(await edit(loud.id, owner.jar, "meeting cancelled"))).message.mentionsEveryone).toBe(false);
  expect((await json(await edit(plain.id, owner.jar, "hello @here"))).message.mentionsHere).toBe(false);
  const here = await send(world.textChannelId, owner.jar, "@here standup");
  expect(here.mentionsHere).toBe(true);
  expect((await json(await edit(here.id, owner.jar, "standup is off"))).message.mentionsHere).toBe(false);
});
