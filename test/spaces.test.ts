import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type CookieJar, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { buildWorld, joinByInvite, json, ROLES, type Role, type World } from "./support/spaces";

let node: TestNode;
let base: string;
let w: World;
beforeAll(async () => {
  node = await startNode();
  base = `http://127.0.0.1:${node.listen().port}`;
  w = await buildWorld(node);
});
afterAll(() => node.dispose());

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);

/**
 * Every action, who may do it, and how to try it. Each try gets fresh targets where the
 * action would otherwise destroy what the next role needs.
 */
const ACTIONS: Array<{ name: string; allowed: Role[]; attempt: (jar: CookieJar) => Promise<Response> }> = [
  { name: "view the space", allowed: ["owner", "admin", "member"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}`, {}, jar) },
  { name: "rename the space", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}`, { method: "PATCH", json: { name: "Guild" } }, jar) },
  { name: "set the icon", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/icon`, { method: "PUT", body: PNG }, jar) },
  {
    name: "delete the space",
    allowed: ["owner"],
    attempt: async (jar) => {
      // A throwaway space where every role is present, so the owner's success destroys nothing shared.
      const other = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Doomed" } }, w.users.owner.jar));
      for (const r of ["admin", "member"] as const) await joinByInvite(node, w.users.owner.jar, other.space.id, w.users[r].jar);
      await node.req(`/api/spaces/${other.space.id}/members/${w.users.admin.user.id}`, { method: "PATCH", json: { role: "admin" } }, w.users.owner.jar);
      return node.req(`/api/spaces/${other.space.id}`, { method: "DELETE", json: { confirm: "Doomed" } }, jar);
    },
  },
  { name: "create a channel", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/channels`, { method: "POST", json: { name: "News Feed", kind: "text" } }, jar) },
  { name: "rename a channel", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/channels/${w.textChannelId}`, { method: "PATCH", json: { name: "general" } }, jar) },
  {
    name: "delete a channel",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      const c = await json(await node.req(`/api/spaces/${w.spaceId}/channels`, { method: "POST", json: { name: "temp", kind: "voice" } }, w.users.owner.jar));
      return node.req(`/api/channels/${c.channel.id}`, { method: "DELETE" }, jar);
    },
  },
  { name: "reorder channels", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/channels/reorder`, { method: "POST", json: { channelIds: [w.textChannelId, w.voiceChannelId] } }, jar) },
  { name: "list members", allowed: ["owner", "admin", "member"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/members`, {}, jar) },
  {
    name: "change a member's role",
    allowed: ["owner"],
    attempt: async (jar) => node.req(`/api/spaces/${w.spaceId}/members/${(await w.newMember()).user.id}`, { method: "PATCH", json: { role: "admin" } }, jar),
  },
  { name: "kick a member", allowed: ["owner", "admin"], attempt: async (jar) => node.req(`/api/spaces/${w.spaceId}/members/${(await w.newMember()).user.id}`, { method: "DELETE" }, jar) },
  { name: "ban a member", allowed: ["owner", "admin"], attempt: async (jar) => node.req(`/api/spaces/${w.spaceId}/bans`, { method: "POST", json: { userId: (await w.newMember()).user.id } }, jar) },
  { name: "list bans", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/bans`, {}, jar) },
  {
    name: "unban",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      const m = await w.newMember();
      await node.req(`/api/spaces/${w.spaceId}/bans`, { method: "POST", json: { userId: m.user.id } }, w.users.owner.jar);
      return node.req(`/api/spaces/${w.spaceId}/bans/${m.user.id}`, { method: "DELETE" }, jar);
    },
  },
  { name: "create an invite", allowed: ["owner", "admin", "member"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/invites`, { method: "POST", json: { maxUses: 1 } }, jar) },
  { name: "list invites", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/invites`, {}, jar) },
  {
    name: "revoke someone else's invite",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      // The member makes the invite; for the member's own try, the owner makes it instead.
      const maker = jar === w.users.member.jar ? w.users.owner.jar : w.users.member.jar;
      const inv = await json(await node.req(`/api/spaces/${w.spaceId}/invites`, { method: "POST", json: {} }, maker));
      return node.req(`/api/invites/${inv.invite.code}`, { method: "DELETE" }, jar);
    },
  },
  { name: "read channel history", allowed: ["owner", "admin", "member"], attempt: (jar) => node.req(`/api/conversations/${w.textChannelId}/messages`, {}, jar) },
  {
    name: "post in a channel",
    allowed: ["owner", "admin", "member"],
    attempt: (jar) => node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "hello channel" } }, jar),
  },
  {
    name: "delete someone else's message",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      const author = jar === w.users.member.jar ? w.users.owner.jar : w.users.member.jar;
      const m = await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "delete me" } }, author));
      return node.req(`/api/messages/${m.message.id}`, { method: "DELETE" }, jar);
    },
  },
  {
    name: "transfer ownership",
    allowed: ["owner"],
    attempt: async (jar) => {
      // A throwaway space: the owner's success would otherwise change the shared world.
      const other = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Handover" } }, w.users.owner.jar));
      for (const r of ["admin", "member"] as const) await joinByInvite(node, w.users.owner.jar, other.space.id, w.users[r].jar);
      await node.req(`/api/spaces/${other.space.id}/members/${w.users.admin.user.id}`, { method: "PATCH", json: { role: "admin" } }, w.users.owner.jar);
      return node.req(`/api/spaces/${other.space.id}/transfer`, { method: "POST", json: { userId: w.users.member.user.id } }, jar);
    },
  },
];

describe("permission matrix over REST", () => {
  for (const action of ACTIONS) {
    for (const role of ROLES) {
      const allowed = action.allowed.includes(role);
      test(`${role} ${allowed ? "can" : "cannot"} ${action.name}`, async () => {
        const res = await action.attempt(w.users[role].jar);
        if (allowed) expect(res.status).toBeLessThan(300);
        else {
          expect(res.status).toBe(403);
          expect((await json(res)).error.code).toBe("FORBIDDEN");
        }
      });
    }
  }

  test("moderation flows downwards: an admin cannot kick or ban another admin or the owner", async () => {
    const admin2 = await w.newMember();
    await node.req(`/api/spaces/${w.spaceId}/members/${admin2.user.id}`, { method: "PATCH", json: { role: "admin" } }, w.users.owner.jar);
    for (const target of [admin2.user.id, w.users.owner.user.id]) {
      expect((await node.req(`/api/spaces/${w.spaceId}/members/${target}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(403);
      expect((await node.req(`/api/spaces/${w.spaceId}/bans`, { method: "POST", json: { userId: target } }, w.users.admin.jar)).status).toBe(403);
    }
  });

  test("the owner cannot leave without transferring; members can leave", async () => {
    expect((await node.req(`/api/spaces/${w.spaceId}/leave`, { method: "POST" }, w.users.owner.jar)).status).toBe(409);
    const m = await w.newMember();
    expect((await node.req(`/api/spaces/${w.spaceId}/leave`, { method: "POST" }, m.jar)).status).toBe(204);
    expect((await node.req(`/api/spaces/${w.spaceId}`, {}, m.jar)).status).toBe(403);
  });
});

describe("permission matrix over the socket", () => {
  for (const role of ROLES) {
    const allowed = ["owner", "admin", "member"].includes(role);
    test(`${role} ${allowed ? "can" : "cannot"} send, sync, type and mark read in a channel`, async () => {
      const s = await connectWs(base, w.users[role].jar);
      await s.request({ type: "hello" });
      const sent = await s.request({ type: "message:send", conversationId: w.textChannelId, clientId: crypto.randomUUID(), content: `from ${role}` });
      const sync = await s.request({ type: "sync", conversationId: w.textChannelId });
      const typing = await s.request({ type: "typing:start", conversationId: w.textChannelId });
      const history = await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, {}, w.users.owner.jar));
      const read = await s.request({ type: "read:mark", conversationId: w.textChannelId, messageId: history.messages.at(-1).id });
      for (const r of [sent, sync, typing, read]) {
        expect(r.ok).toBe(allowed);
        if (!allowed) expect(r.error.code).toBe("FORBIDDEN");
      }
      s.close();
    });
  }

  test("a non-member or banned user receives none of a channel's events", async () => {
    const watchers = await Promise.all((["member", "outsider", "banned"] as const).map((r) => connectWs(base, w.users[r].jar)));
    for (const s of watchers) await s.request({ type: "hello" });
    const owner = await connectWs(base, w.users.owner.jar);
    await owner.request({ type: "message:send", conversationId: w.textChannelId, clientId: "secret-channel", content: "members only" });
    await watchers[0]!.waitFor((e) => e.type === "message:new" && e.message.clientId === "secret-channel");
    await Bun.sleep(100);
    for (const s of watchers.slice(1)) expect(s.events.filter((e) => e.type === "message:new")).toEqual([]);
    for (const s of [...watchers, owner]) s.close();
  });
});
