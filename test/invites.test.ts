import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { json } from "./support/spaces";
import { newId } from "../src/shared/ids";

let now = Date.now();
let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode({ HASH_QUEUE: "1000" }, { clock: () => now });
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

async function space() {
  const owner = await registerUser(node);
  const { space } = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Invite Club" } }, owner.jar));
  const invite = async (body: Record<string, unknown> = {}) => (await json(await node.req(`/api/spaces/${space.id}/invites`, { method: "POST", json: body }, owner.jar))).invite;
  return { owner, space, invite };
}

describe("invites", () => {
  test("a new space starts with #general and a General voice channel", async () => {
    const { space: created } = await space();
    expect(created.channels.map((c: { name: string; kind: string }) => [c.name, c.kind])).toEqual([["general", "text"], ["General", "voice"]]);
    expect(created.role).toBe("owner");
  });

  test("the preview works without a session and shows name, icon and member count", async () => {
    const s = await space();
    const inv = await s.invite();
    expect(inv.url).toBe(`${node.config.publicUrl}/invite/${inv.code}`);
    const res = await node.req(`/api/invites/${inv.code}`);
    expect(res.status).toBe(200);
    expect((await json(res)).invite).toEqual({ code: inv.code, space: { id: s.space.id, name: "Invite Club", iconUrl: null, memberCount: 1 }, expiresAt: null });
    expect((await node.req("/api/invites/nope-nope")).status).toBe(404);
  });

  test("accepting joins the space and its channels, and members hear about it", async () => {
    const s = await space();
    const inv = await s.invite();
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    const guest = await registerUser(node);
    const guestWs = await connectWs(base, guest.jar);
    await guestWs.request({ type: "hello" });
    const res = await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, guest.jar);
    expect(res.status).toBe(200);
    const joined = (await json(res)).space;
    expect(joined.role).toBe("member");
    expect((await ownerWs.waitFor((e) => e.type === "member:joined")).member.user.id).toBe(guest.user.id);
    expect((await guestWs.waitFor((e) => e.type === "space:new")).space.id).toBe(s.space.id);
    // The guest's live socket now receives the channel without reconnecting.
    await ownerWs.request({ type: "message:send", conversationId: joined.channels[0].id, clientId: "welcome", content: "welcome!" });
    await guestWs.waitFor((e) => e.type === "message:new" && e.message.clientId === "welcome");
    // Accepting again is harmless and spends nothing.
    expect((await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, guest.jar)).status).toBe(200);
    ownerWs.close();
    guestWs.close();
  });

  test("an expired invite is refused with 410 INVITE_EXPIRED, in preview and accept", async () => {
    const s = await space();
    const inv = await s.invite({ expiresInSeconds: 3600 });
    now += 3601 * 1000;
    const guest = await registerUser(node);
    for (const res of [await node.req(`/api/invites/${inv.code}`), await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, guest.jar)]) {
      expect(res.status).toBe(410);
      expect((await json(res)).error.code).toBe("INVITE_EXPIRED");
    }
  });

  test("an exhausted invite is refused with INVITE_EXHAUSTED", async () => {
    const s = await space();
    const inv = await s.invite({ maxUses: 1 });
    const a = await registerUser(node);
    const b = await registerUser(node);
    expect((await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, a.jar)).status).toBe(200);
    const res = await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, b.jar);
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("INVITE_EXHAUSTED");
  });

  test("a revoked invite is refused with INVITE_REVOKED", async () => {
    const s = await space();
    const inv = await s.invite();
    expect((await node.req(`/api/invites/${inv.code}`, { method: "DELETE" }, s.owner.jar)).status).toBe(204);
    const guest = await registerUser(node);
    const res = await node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, guest.jar);
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("INVITE_REVOKED");
    expect((await json(await node.req(`/api/spaces/${s.space.id}/invites`, {}, s.owner.jar))).invites).toEqual([]);
  });

  test("50 simultaneous accepts of a 10-use code admit exactly 10", async () => {
    const s = await space();
    const inv = await s.invite({ maxUses: 10 });
    const guests = [];
    for (let i = 0; i < 50; i++) guests.push(await registerUser(node));
    const results = await Promise.all(guests.map((g) => node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, g.jar)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 410)).toHaveLength(40);
    const { members } = await json(await node.req(`/api/spaces/${s.space.id}/members`, {}, s.owner.jar));
    expect(members).toHaveLength(11);
  }, 60_000);

  test("one user accepting twice at once joins once, spends one use, and is announced once", async () => {
    const s = await space();
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    for (const maxUses of [1, 10]) {
      const inv = await s.invite({ maxUses });
      const guest = await registerUser(node);
      const results = await Promise.all(Array.from({ length: 5 }, () => node.req(`/api/invites/${inv.code}/accept`, { method: "POST" }, guest.jar)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      for (const r of results) expect((await json(r)).space).toMatchObject({ id: s.space.id, role: "member" });
      const listed = (await json(await node.req(`/api/spaces/${s.space.id}/invites`, {}, s.owner.jar))).invites.find((i: { code: string }) => i.code === inv.code);
      expect(listed.uses).toBe(1);
    }
    expect((await json(await node.req(`/api/spaces/${s.space.id}/members`, {}, s.owner.jar))).members).toHaveLength(3);
    // A later space event is a barrier: every member:joined was published before it.
    await node.req(`/api/spaces/${s.space.id}`, { method: "PATCH", json: { name: "Invite Club 2" } }, s.owner.jar);
    await ownerWs.waitFor((e) => e.type === "space:updated" && e.space.name === "Invite Club 2");
    expect(ownerWs.events.filter((e) => e.type === "member:joined")).toHaveLength(2);
    ownerWs.close();
  });

  test("a banned user cannot rejoin by invite", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    const gWs = await connectWs(base, guest.jar);
    await gWs.request({ type: "hello" });
    expect((await node.req(`/api/spaces/${s.space.id}/bans`, { method: "POST", json: { userId: guest.user.id } }, s.owner.jar)).status).toBe(204);
    expect(await gWs.waitFor((e) => e.type === "space:removed")).toMatchObject({ spaceId: s.space.id, reason: "banned" });
    const res = await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("BANNED");
    // After an unban the door opens again.
    await node.req(`/api/spaces/${s.space.id}/bans/${guest.user.id}`, { method: "DELETE" }, s.owner.jar);
    expect((await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar)).status).toBe(200);
    gWs.close();
  });
});

describe("spaces", () => {
  test("icons are type-checked by content and size-limited, then served with nosniff", async () => {
    const s = await space();
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const bad = await node.req(`/api/spaces/${s.space.id}/icon`, { method: "PUT", body: html, headers: { "content-type": "image/png" } }, s.owner.jar);
    expect(bad.status).toBe(415);
    const huge = new Uint8Array(600 * 1024);
    huge.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await node.req(`/api/spaces/${s.space.id}/icon`, { method: "PUT", body: huge }, s.owner.jar)).status).toBe(413);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
    const ok = await node.req(`/api/spaces/${s.space.id}/icon`, { method: "PUT", body: png }, s.owner.jar);
    const url: string = (await json(ok)).space.iconUrl;
    expect(url).toStartWith(`/api/spaces/${s.space.id}/icon/`);
    const served = await node.req(url);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
  });

  test("deleting needs the space's name as confirmation; members are told", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    const gWs = await connectWs(base, guest.jar);
    await gWs.request({ type: "hello" });
    expect((await node.req(`/api/spaces/${s.space.id}`, { method: "DELETE", json: { confirm: "wrong" } }, s.owner.jar)).status).toBe(400);
    expect((await node.req(`/api/spaces/${s.space.id}`, { method: "DELETE", json: { confirm: "Invite Club" } }, s.owner.jar)).status).toBe(204);
    expect(await gWs.waitFor((e) => e.type === "space:removed")).toMatchObject({ reason: "deleted" });
    expect((await json(await node.req("/api/spaces", {}, guest.jar))).spaces).toEqual([]);
    gWs.close();
  });

  test("text channel names are normalised; channels are ordered and reorderable", async () => {
    const s = await space();
    const c = (await json(await node.req(`/api/spaces/${s.space.id}/channels`, { method: "POST", json: { name: "  Game Night!! ", kind: "text" } }, s.owner.jar))).channel;
    expect(c.name).toBe("game-night");
    expect(c.position).toBe(2);
    const ids = [c.id, ...s.space.channels.map((x: { id: string }) => x.id)];
    const { channels } = await json(await node.req(`/api/spaces/${s.space.id}/channels/reorder`, { method: "POST", json: { channelIds: ids } }, s.owner.jar));
    expect(channels.map((x: { id: string }) => x.id)).toEqual(ids);
    // Only the whole order is accepted: a partial list would leave clashing positions.
    const [a, b, v] = ids as string[];
    for (const channelIds of [[a, b], [a, a, b, v], [a, b, v, newId()]]) {
      const res = await node.req(`/api/spaces/${s.space.id}/channels/reorder`, { method: "POST", json: { channelIds } }, s.owner.jar);
      expect(res.status).toBe(400);
      expect((await json(res)).error).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining("every channel of the space") });
    }
    const after = (await json(await node.req(`/api/spaces/${s.space.id}`, {}, s.owner.jar))).space.channels;
    expect(after.map((x: { id: string; position: number }) => [x.id, x.position])).toEqual(ids.map((id, i) => [id, i]));
  });

  test("channel unread counts are per member and clear on read", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    const general = s.space.channels[0].id;
    let last;
    for (let i = 0; i < 3; i++) last = await json(await node.req(`/api/conversations/${general}/messages`, { method: "POST", json: { clientId: `u${i}`, content: `hi ${i}` } }, s.owner.jar));
    const view = async () => (await json(await node.req(`/api/spaces/${s.space.id}`, {}, guest.jar))).space.channels[0].unreadCount;
    expect(await view()).toBe(3);
    await node.req(`/api/conversations/${general}/read`, { method: "POST", json: { messageId: last!.message.id } }, guest.jar);
    expect(await view()).toBe(0);
    expect((await json(await node.req("/api/conversations", {}, guest.jar))).conversations).toEqual([]);
  });

  test("members choose who sees their presence: friends only by default, or fellow members", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    const gWs = await connectWs(base, guest.jar);
    await gWs.request({ type: "hello" });
    const presenceOf = async () => (await json(await node.req(`/api/spaces/${s.space.id}/members`, {}, s.owner.jar))).members.find((m: { user: { id: string } }) => m.user.id === guest.user.id).presence;
    expect(await presenceOf()).toBe("offline");
    await Bun.sleep(100);
    expect(ownerWs.events.some((e) => e.type === "presence:update" && e.userId === guest.user.id)).toBe(false);
    await node.req("/api/users/me", { method: "PATCH", json: { presenceVisibility: "spaces" } }, guest.jar);
    expect(await presenceOf()).toBe("online");
    // Widening visibility tells fellow members at once.
    expect(await ownerWs.waitFor((e) => e.type === "presence:update" && e.userId === guest.user.id)).toMatchObject({ status: "online" });
    await gWs.request({ type: "presence:set", status: "dnd" });
    await ownerWs.waitFor((e) => e.type === "presence:update" && e.userId === guest.user.id && e.status === "dnd");
    await node.req("/api/users/me", { method: "PATCH", json: { presenceVisibility: "friends" } }, guest.jar);
    await ownerWs.waitFor((e) => e.type === "presence:update" && e.userId === guest.user.id && e.status === "offline");
    ownerWs.close();
    gWs.close();
  });

  test("invisible hides a member from fellow members who may see their presence", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    await node.req("/api/users/me", { method: "PATCH", json: { presenceVisibility: "spaces" } }, guest.jar);
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    const gWs = await connectWs(base, guest.jar);
    await gWs.request({ type: "hello" });
    const presenceOf = async () => (await json(await node.req(`/api/spaces/${s.space.id}/members`, {}, s.owner.jar))).members.find((m: { user: { id: string } }) => m.user.id === guest.user.id).presence;
    await ownerWs.waitFor((e) => e.type === "presence:update" && e.userId === guest.user.id && e.status === "online");
    expect(await presenceOf()).toBe("online");
    await gWs.request({ type: "presence:set", status: "invisible" });
    await ownerWs.waitFor((e) => e.type === "presence:update" && e.userId === guest.user.id && e.status === "offline");
    expect(await presenceOf()).toBe("offline");
    // Events to the space (a role change here) say offline too, never "invisible".
    await node.req(`/api/spaces/${s.space.id}/members/${guest.user.id}`, { method: "PATCH", json: { role: "admin" } }, s.owner.jar);
    expect((await ownerWs.waitFor((e) => e.type === "member:updated" && e.member.user.id === guest.user.id)).member.presence).toBe("offline");
    expect(ownerWs.events.some((e) => e.type === "presence:update" && e.status === "invisible")).toBe(false);
    ownerWs.close();
    gWs.close();
  });

  test("a member who shows presence to friends only is announced to the space as offline", async () => {
    const s = await space();
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    const guest = await registerUser(node);
    const gWs = await connectWs(base, guest.jar);
    await gWs.request({ type: "hello" });
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    expect((await ownerWs.waitFor((e) => e.type === "member:joined")).member.presence).toBe("offline");
    ownerWs.close();
    gWs.close();
  });

  test("read marks in a channel go to the reader's own devices, not to every member", async () => {
    const s = await space();
    const guest = await registerUser(node);
    await node.req(`/api/invites/${(await s.invite()).code}/accept`, { method: "POST" }, guest.jar);
    const general = s.space.channels[0].id;
    const ownerWs = await connectWs(base, s.owner.jar);
    await ownerWs.request({ type: "hello" });
    const g1 = await connectWs(base, guest.jar);
    const g2 = await connectWs(base, guest.jar);
    await g1.request({ type: "hello" });
    await g2.request({ type: "hello" });
    const m = await ownerWs.request({ type: "message:send", conversationId: general, clientId: "mark-me", content: "read me" });
    await g1.request({ type: "read:mark", conversationId: general, messageId: m.message.id });
    await g2.waitFor((e) => e.type === "read:updated" && e.messageId === m.message.id);
    await Bun.sleep(100);
    expect(ownerWs.events.some((e) => e.type === "read:updated")).toBe(false);
    for (const w of [ownerWs, g1, g2]) w.close();
  });
});
