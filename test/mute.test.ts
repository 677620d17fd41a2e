/**
 * PUT /api/conversations/:id/mute: a per-member flag, shown only to the member who set it (in
 * GET /api/conversations, hello and the space's channels) and announced only to their sockets.
 */
import { expect, test } from "bun:test";
import { expandHello, type HelloResult } from "../src/shared/hello";
import type { Conversation } from "../src/shared/protocol";
import { registerUser, type CookieJar, nodeForSuite } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { connectWs } from "./support/ws";


const suite = nodeForSuite();

const mute = (id: string, jar: CookieJar, body: unknown) => suite.node.req(`/api/conversations/${id}/mute`, { method: "PUT", json: body }, jar);

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

test("muting a DM is the muter's alone: listed, in hello, and announced to their other sockets only", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  expect((await listed(alice.jar, dm)).muted).toBe(false);

  const aliceOther = await connectWs(suite.base, alice.jar);
  const bobWs = await connectWs(suite.base, bob.jar);
  try {
    await Promise.all([aliceOther.request({ type: "hello" }), bobWs.request({ type: "hello" })]);
    expect((await mute(dm, alice.jar, { muted: true })).status).toBe(204);

    expect(await aliceOther.waitFor((e) => e.type === "conversation:muted")).toEqual({ type: "conversation:muted", conversationId: dm, muted: true });
    expect((await listed(alice.jar, dm)).muted).toBe(true);
    expect((await listed(bob.jar, dm)).muted).toBe(false);
    expect((await helloOf(alice.jar)).conversations.find((c: Conversation) => c.id === dm).muted).toBe(true);
    expect((await helloOf(bob.jar)).conversations.find((c: Conversation) => c.id === dm).muted).toBe(false);

    // Bob hears the message sent after the mute, and never heard of the mute before it.
    const sent = await aliceOther.request({ type: "message:send", conversationId: dm, clientId: "after-mute", content: "still here" });
    expect(sent.ok).toBe(true);
    await bobWs.waitFor((e) => e.type === "message:new" && e.message.clientId === "after-mute");
    expect(bobWs.events.some((e) => e.type === "conversation:muted")).toBe(false);

    expect((await mute(dm, alice.jar, { muted: false })).status).toBe(204);
    await aliceOther.waitFor((e) => e.type === "conversation:muted" && e.muted === false);
    expect((await listed(alice.jar, dm)).muted).toBe(false);
  } finally {
    aliceOther.close();
    bobWs.close();
  }
});

test("only members may mute: anyone else gets 403 FORBIDDEN, whether or not the conversation exists", async () => {
  const [alice, bob, eve] = [await registerUser(suite.node), await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  for (const id of [dm, "0190d6b2-0000-7000-8000-000000000000"]) {
    const res = await mute(id, eve.jar, { muted: true });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("FORBIDDEN");
  }
  expect((await listed(alice.jar, dm)).muted).toBe(false);
  expect((await listed(bob.jar, dm)).muted).toBe(false);
});

test("a bad body is 400 VALIDATION_ERROR and changes nothing", async () => {
  const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
  const dm = await befriend(suite.node, alice, bob);
  for (const body of [{}, { muted: "yes" }, { muted: 1 }, { muted: true, extra: 1 }, null]) {
    const res = await mute(dm, alice.jar, body);
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
  }
  expect((await listed(alice.jar, dm)).muted).toBe(false);
});

test("a muted channel shows in hello.spaces and GET /api/spaces/:id for the muter only", async () => {
  const [owner, member] = [await registerUser(suite.node), await registerUser(suite.node)];
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, owner.jar));
  await joinByInvite(suite.node, owner.jar, space.id, member.jar);
  const general = space.channels.find((c: any) => c.kind === "text").id as string;

  expect((await mute(general, member.jar, { muted: true })).status).toBe(204);

  const channelOf = (spaces: any[]) => spaces.find((s) => s.id === space.id).channels.find((c: any) => c.id === general);
  expect(channelOf(expandHello((await helloOf(member.jar)) as HelloResult).spaces).muted).toBe(true);
  expect(channelOf(expandHello((await helloOf(owner.jar)) as HelloResult).spaces).muted).toBe(false);
  expect(channelOf([(await json(await suite.node.req(`/api/spaces/${space.id}`, {}, member.jar))).space]).muted).toBe(true);
  expect(channelOf([(await json(await suite.node.req(`/api/spaces/${space.id}`, {}, owner.jar))).space]).muted).toBe(false);
  // Channels stay out of the DM list.
  expect(await listed(member.jar, general)).toBeUndefined();
});
