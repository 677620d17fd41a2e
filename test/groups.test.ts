/**
 * Group membership limits on the add path: POST /api/conversations/:id/members may fill a group
 * to exactly 50 members and no further; a refused add writes nothing and tells nobody.
 */
import { expect, test } from "bun:test";
import { MAX_GROUP_MEMBERS, type Conversation } from "../src/shared/protocol";
import { registerUser, snapshotTables, tableChanges, nodeForSuite } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";


const suite = nodeForSuite();

/** An owner with 50 friends, and a group of the owner and 48 of them; x and y are not in it yet. */
async function groupOf49() {
  const owner = await registerUser(suite.node);
  const friends: Array<Awaited<ReturnType<typeof registerUser>>> = [];
  for (let i = 0; i < MAX_GROUP_MEMBERS; i++) {
    const f = await registerUser(suite.node);
    await befriend(suite.node, owner, f);
    friends.push(f);
  }
  const [x, y] = friends.slice(-2) as [(typeof friends)[0], (typeof friends)[0]];
  const created = await suite.node.req("/api/conversations", { method: "POST", json: { memberIds: friends.slice(0, -2).map((f) => f.user.id), name: "full house" } }, owner.jar);
  expect(created.status).toBe(201);
  const { conversation } = (await created.json()) as { conversation: Conversation };
  expect(conversation.members).toHaveLength(MAX_GROUP_MEMBERS - 1);
  return { owner, friends, x, y, conversation, members: `/api/conversations/${conversation.id}/members` };
}

test("adding members stops at 50 in all: a refused add changes nothing", async () => {
  expect(MAX_GROUP_MEMBERS).toBe(50);
  const { owner, friends, x, y, conversation, members } = await groupOf49();

  const watchX = await connectWs(suite.base, x.jar);
  await watchX.request({ type: "hello" });
  try {
    const before = await snapshotTables(suite.node);
    const tooMany = await suite.node.req(members, { method: "POST", json: { userIds: [x.user.id, y.user.id] } }, owner.jar);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    expect(tableChanges(before, await snapshotTables(suite.node))).toEqual({});
    expect((await suite.node.req(`/api/conversations/${conversation.id}`, {}, x.jar)).status).toBe(403);

    // Exactly 50 is allowed; one more is not.
    const fill = await suite.node.req(members, { method: "POST", json: { userIds: [x.user.id] } }, owner.jar);
    expect(fill.status).toBe(200);
    expect(((await fill.json()) as { conversation: Conversation }).conversation.members).toHaveLength(MAX_GROUP_MEMBERS);
    // x heard only of the add that let them in.
    await watchX.waitFor((e) => e.type === "conversation:new" && e.conversation.id === conversation.id);
    expect(watchX.events.filter((e) => e.type === "conversation:new")).toHaveLength(1);

    const full = await snapshotTables(suite.node);
    const overflow = await suite.node.req(members, { method: "POST", json: { userIds: [y.user.id] } }, owner.jar);
    expect(overflow.status).toBe(400);
    expect(((await overflow.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    expect(tableChanges(full, await snapshotTables(suite.node))).toEqual({});
    expect((await suite.node.req(`/api/conversations/${conversation.id}`, {}, y.jar)).status).toBe(403);
    const after = (await (await suite.node.req(`/api/conversations/${conversation.id}`, {}, owner.jar)).json()) as { conversation: Conversation };
    expect(after.conversation.members.map((m) => m.id).sort()).toEqual([owner, ...friends.slice(0, -2), x].map((u) => u.user.id).sort());
  } finally {
    watchX.close();
  }
}, 120_000);

test("two adds at once to a group of 49 admit exactly one: the count and the insert are one step", async () => {
  const { owner, x, y, conversation, members } = await groupOf49();
  const results = await Promise.all([x, y].map((u) => suite.node.req(members, { method: "POST", json: { userIds: [u.user.id] } }, owner.jar)));
  expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  const after = (await (await suite.node.req(`/api/conversations/${conversation.id}`, {}, owner.jar)).json()) as { conversation: Conversation };
  expect(after.conversation.members).toHaveLength(MAX_GROUP_MEMBERS);
}, 120_000);
