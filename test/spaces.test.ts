import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expandHello, type HelloResult } from "../src/shared/hello";
import { registerUser, startNode, type CookieJar, type TestNode } from "./support/parley";
import { connectWs } from "./support/ws";
import { buildWorld, json, ROLES, type Role, type World } from "./support/spaces";
import { sql } from "kysely";
import type { KyselyStore } from "../src/server/store/store";

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
interface Action {
  name: string;
  allowed: Role[];
  attempt: (jar: CookieJar) => Promise<Response>;
  /** A refusal other than 403 FORBIDDEN for some role. */
  refusal?: Partial<Record<Role, [number, string]>>;
  /** Checks the state the attempt left behind. */
  verify?: (role: Role, allowed: boolean) => Promise<void>;
}

const spaceOf = async (id: string, jar = w.users.owner.jar) => (await json(await node.req(`/api/spaces/${id}`, {}, jar))).space;
const rolesIn = async (id: string) =>
  Object.fromEntries((await json(await node.req(`/api/spaces/${id}/members`, {}, w.users.owner.jar))).members.map((m: any) => [m.user.id, m.role]));
let handover = "";

const ACTIONS: Action[] = [
  { name: "view the space", allowed: ["owner", "admin", "member"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}`, {}, jar) },
  { name: "rename the space", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}`, { method: "PATCH", json: { name: "Guild" } }, jar) },
  { name: "set the icon", allowed: ["owner", "admin"], attempt: (jar) => node.req(`/api/spaces/${w.spaceId}/icon`, { method: "PUT", body: PNG }, jar) },
  {
    name: "remove the icon",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      await node.req(`/api/spaces/${w.spaceId}/icon`, { method: "PUT", body: PNG }, w.users.owner.jar);
      return node.req(`/api/spaces/${w.spaceId}/icon`, { method: "DELETE" }, jar);
    },
    verify: async (_role, allowed) => expect((await spaceOf(w.spaceId)).iconUrl === null).toBe(allowed),
  },
  {
    name: "delete the space",
    allowed: ["owner"],
    attempt: async (jar) => {
      // A throwaway space where every role is present, so the owner's success destroys nothing shared.
      return node.req(`/api/spaces/${await w.throwaway("Doomed")}`, { method: "DELETE", json: { confirm: "Doomed" } }, jar);
    },
  },
  {
    name: "leave the space",
    allowed: ["admin", "member"],
    attempt: async (jar) => node.req(`/api/spaces/${(handover = await w.throwaway("Exit"))}/leave`, { method: "POST" }, jar),
    refusal: { owner: [409, "CONFLICT"] },
    verify: async (role, allowed) => {
      const roles = await rolesIn(handover);
      if (allowed) expect(roles[w.users[role].user.id]).toBeUndefined();
      else if (role === "owner") expect(roles[w.users.owner.user.id]).toBe("owner");
      else expect(Object.keys(roles)).toHaveLength(3);
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
  {
    name: "reorder channels",
    allowed: ["owner", "admin"],
    attempt: async (jar) => {
      const ids = (await spaceOf(w.spaceId)).channels.map((c: { id: string }) => c.id).reverse();
      return node.req(`/api/spaces/${w.spaceId}/channels/reorder`, { method: "POST", json: { channelIds: ids } }, jar);
    },
  },
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
      handover = await w.throwaway("Handover");
      return node.req(`/api/spaces/${handover}/transfer`, { method: "POST", json: { userId: w.users.member.user.id } }, jar);
    },
    verify: async (_role, allowed) => {
      const { owner, admin, member } = { owner: w.users.owner.user.id, admin: w.users.admin.user.id, member: w.users.member.user.id };
      expect((await spaceOf(handover)).ownerId).toBe(allowed ? member : owner);
      expect(await rolesIn(handover)).toEqual(allowed ? { [owner]: "admin", [admin]: "admin", [member]: "owner" } : { [owner]: "owner", [admin]: "admin", [member]: "member" });
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
          const [status, code] = action.refusal?.[role] ?? [403, "FORBIDDEN"];
          expect(res.status).toBe(status);
          expect((await json(res)).error.code).toBe(code);
        }
        await action.verify?.(role, allowed);
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

  test("moderation flows down the ranks for messages and invites too: an admin cannot delete the owner's or another admin's", async () => {
    const admin2 = await w.newMember();
    await node.req(`/api/spaces/${w.spaceId}/members/${admin2.user.id}`, { method: "PATCH", json: { role: "admin" } }, w.users.owner.jar);
    const post = async (jar: CookieJar) =>
      (await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "mine" } }, jar))).message.id;
    const invite = async (jar: CookieJar) => (await json(await node.req(`/api/spaces/${w.spaceId}/invites`, { method: "POST", json: {} }, jar))).invite.code;
    for (const higher of [w.users.owner.jar, admin2.jar]) {
      const del = await node.req(`/api/messages/${await post(higher)}`, { method: "DELETE" }, w.users.admin.jar);
      expect(del.status).toBe(403);
      expect((await json(del)).error.code).toBe("FORBIDDEN");
      expect((await node.req(`/api/invites/${await invite(higher)}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(403);
    }
    // Downwards, and one's own, still work; the owner reaches admins.
    expect((await node.req(`/api/messages/${await post(w.users.member.jar)}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(204);
    expect((await node.req(`/api/messages/${await post(w.users.admin.jar)}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(204);
    expect((await node.req(`/api/messages/${await post(admin2.jar)}`, { method: "DELETE" }, w.users.owner.jar)).status).toBe(204);
    expect((await node.req(`/api/invites/${await invite(admin2.jar)}`, { method: "DELETE" }, w.users.owner.jar)).status).toBe(204);
    expect((await node.req(`/api/invites/${await invite(w.users.member.jar)}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(204);
  });

  test("a departed member's messages rank below everyone's: an admin may delete them", async () => {
    const gone = await w.newMember();
    const id = (await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "bye" } }, gone.jar))).message.id;
    expect((await node.req(`/api/spaces/${w.spaceId}/leave`, { method: "POST" }, gone.jar)).status).toBe(204);
    expect((await node.req(`/api/messages/${id}`, { method: "DELETE" }, w.users.admin.jar)).status).toBe(204);
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

describe("mention everyone", () => {
  const post = (jar: CookieJar, content: string) => node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
  // true: notifies everyone; false: the text goes out without notifying; absent: refused.
  const notifies: Partial<Record<Role, boolean>> = { owner: true, admin: true, member: false };
  for (const role of ROLES) {
    const verdict = notifies[role];
    test(`${role} ${verdict ? "can" : verdict === false ? "posts but cannot" : "cannot"} mention @everyone`, async () => {
      const res = await post(w.users[role].jar, "@everyone raid at 9");
      if (verdict === undefined) {
        expect(res.status).toBe(403);
        expect((await json(res)).error.code).toBe("FORBIDDEN");
        return;
      }
      expect(res.status).toBe(201);
      const { message } = await json(res);
      expect(message).toMatchObject({ content: "@everyone raid at 9", mentionsEveryone: verdict });
      const { messages } = await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, {}, w.users.member.jar));
      expect(messages.find((m: { id: string }) => m.id === message.id).mentionsEveryone).toBe(verdict);
    });
  }

  test("unread mentions are counted per viewer in hello until the channel is read", async () => {
    const id = await w.throwaway("Mentions");
    const { space } = await json(await node.req(`/api/spaces/${id}`, {}, w.users.owner.jar));
    const general = space.channels.find((c: { kind: string }) => c.kind === "text").id;
    const mentions = async (jar: CookieJar) => {
      const ws = await connectWs(base, jar);
      const hello = await ws.request({ type: "hello" });
      ws.close();
      return expandHello(hello as HelloResult).spaces.find((s) => s.id === id)!.channels.find((c) => c.id === general)!.mentionCount;
    };
    const say = (jar: CookieJar, content: string) =>
      node.req(`/api/conversations/${general}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar).then(json);
    await say(w.users.owner.jar, "@everyone one");
    const { message } = await say(w.users.owner.jar, "@everyone two");
    await say(w.users.owner.jar, "no mention");
    expect(await mentions(w.users.member.jar)).toBe(2);
    // The author's own mentions are not theirs to read.
    expect(await mentions(w.users.owner.jar)).toBe(0);
    await node.req(`/api/conversations/${general}/read`, { method: "POST", json: { messageId: message.id } }, w.users.member.jar);
    expect(await mentions(w.users.member.jar)).toBe(0);
  });

  test("only @everyone as a word counts, and members' sockets get the flag", async () => {
    const member = await connectWs(base, w.users.member.jar);
    await member.request({ type: "hello" });
    for (const [content, flag] of [["mail x@everyone.io", false], ["@everyones", false], ["hey @everyone!", true]] as const) {
      const { message } = await json(await post(w.users.admin.jar, content));
      expect(message.mentionsEveryone).toBe(flag);
      expect((await member.waitFor((e) => e.type === "message:new" && e.message.id === message.id)).message.mentionsEveryone).toBe(flag);
    }
    member.close();
  });

  test("@here takes the same permission, reaches online sockets flagged, and is no unread mention for a later hello", async () => {
    const id = await w.throwaway("Here");
    const { space } = await json(await node.req(`/api/spaces/${id}`, {}, w.users.owner.jar));
    const general = space.channels.find((c: { kind: string }) => c.kind === "text").id;
    const say = (jar: CookieJar, content: string) =>
      node.req(`/api/conversations/${general}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar).then(json);
    const online = await connectWs(base, w.users.member.jar);
    await online.request({ type: "hello" });
    const { message } = await say(w.users.owner.jar, "@here standup");
    expect(message).toMatchObject({ mentionsHere: true, mentionsEveryone: false });
    expect((await online.waitFor((e) => e.type === "message:new" && e.message.id === message.id)).message.mentionsHere).toBe(true);
    online.close();
    for (const content of ["mail x@here.io", "@heres", "@everyone"]) expect((await say(w.users.owner.jar, content)).message.mentionsHere).toBe(false);
    // A member without mentionEveryone: the text goes out, notifying no one.
    expect((await say(w.users.member.jar, "@here anyone?")).message).toMatchObject({ content: "@here anyone?", mentionsHere: false });
    const ws = await connectWs(base, w.users.member.jar);
    const hello = expandHello((await ws.request({ type: "hello" })) as HelloResult);
    ws.close();
    // Only the @everyone counts: whoever reads the channel later was not there for the @here.
    expect(hello.spaces.find((s) => s.id === id)!.channels.find((c) => c.id === general)!.mentionCount).toBe(1);
  });
});

describe("id order of sends in flight together", () => {
  test("an @everyone send (its role read before it is stored) and plain sends beside it are stored in the order of their ids", async () => {
    const id = await w.throwaway("Order");
    const { space } = await json(await node.req(`/api/spaces/${id}`, {}, w.users.owner.jar));
    const general = space.channels.find((c: { kind: string }) => c.kind === "text").id;
    const db = (node.store as KyselyStore).db;
    const ids = async () => (await sql<{ id: string }>`select id from messages where conversation_id = ${general} and kind = 'text' order by id`.execute(db)).rows.map((r) => r.id);
    // What a reader paging after an id would have seen while the sends were in flight.
    const looks: string[][] = [];
    let sending = true;
    const reader = (async () => {
      while (sending) {
        looks.push(await ids());
        await new Promise((r) => setImmediate(r));
      }
    })();
    // Sent at once, in-process: the role read makes each @everyone send take one round trip more.
    const contents = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `@everyone ${i}` : `plain ${i}`));
    const sent = await Promise.all(contents.map((content) => node.req(`/api/conversations/${general}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, w.users.owner.jar)));
    sending = false;
    await reader;
    expect(sent.map((r) => r.status)).toEqual(contents.map(() => 201));
    const all = await ids();
    expect(all).toHaveLength(12);
    // Each look is the sends up to some id, none missing before it: no id stored after a later one.
    for (const seen of looks) expect(seen).toEqual(all.slice(0, seen.length));
  });
});

describe("ownership transfer under concurrency", () => {
  test("two transfers at once leave exactly one owner", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await w.throwaway(`Race ${round}`);
      const targets = [w.users.admin.user.id, w.users.member.user.id];
      const res = await Promise.all(targets.map((userId) => node.req(`/api/spaces/${id}/transfer`, { method: "POST", json: { userId } }, w.users.owner.jar)));
      expect(res.map((r) => r.status).sort()).toEqual([204, 403]);
      const winner = targets[res.findIndex((r) => r.status === 204)];
      const roles = await rolesIn(id);
      expect(Object.entries(roles).filter(([, r]) => r === "owner")).toEqual([[winner!, "owner"]]);
      expect(roles[w.users.owner.user.id]).toBe("admin");
      expect((await spaceOf(id, w.users.member.jar)).ownerId).toBe(winner);
    }
  });
});

describe("removal takes effect on open sockets", () => {
  for (const how of ["kicked", "banned"] as const) {
    test(`a ${how} member's open socket stops getting the channel's messages and typing`, async () => {
      const m = await w.newMember();
      const [gone, owner, stays] = await Promise.all([connectWs(base, m.jar), connectWs(base, w.users.owner.jar), connectWs(base, w.users.member.jar)]);
      for (const s of [gone, owner, stays]) await s.request({ type: "hello" });
      // Delivered before the removal, so it is the removal that stops delivery.
      const before = await owner.request({ type: "message:send", conversationId: w.textChannelId, clientId: crypto.randomUUID(), content: "still here?" });
      await gone.waitFor((e) => e.type === "message:new" && e.message.id === before.message.id);
      const removal =
        how === "kicked"
          ? await node.req(`/api/spaces/${w.spaceId}/members/${m.user.id}`, { method: "DELETE" }, w.users.owner.jar)
          : await node.req(`/api/spaces/${w.spaceId}/bans`, { method: "POST", json: { userId: m.user.id } }, w.users.owner.jar);
      expect(removal.status).toBe(204);
      expect(await gone.waitFor((e) => e.type === "space:removed")).toMatchObject({ spaceId: w.spaceId, reason: how });
      const after = await json(await node.req(`/api/conversations/${w.textChannelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "gone?" } }, w.users.owner.jar));
      await owner.request({ type: "typing:stop", conversationId: w.textChannelId }); // clears the per-user typing throttle
      await owner.request({ type: "typing:start", conversationId: w.textChannelId });
      await stays.waitFor((e) => e.type === "message:new" && e.message.id === after.message.id);
      await stays.waitFor((e) => e.type === "typing" && e.userId === w.users.owner.user.id && e.active);
      // Replies go out after everything published before them, so nothing is still on its way.
      await gone.request({ type: "presence:heartbeat" });
      const removedAt = gone.events.findIndex((e) => e.type === "space:removed");
      expect(gone.events.slice(removedAt + 1).filter((e) => e.type === "message:new" || e.type === "typing")).toEqual([]);
      for (const s of [gone, owner, stays]) s.close();
    });
  }
});
