/** Rooms by link: REST in-process, and their calls over real sockets. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_ROOMS_PER_USER, ROOM_SLUG_RE } from "../src/shared/calls";
import { newSlug } from "../src/server/rooms/service";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { json } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";

setDefaultTimeout(20_000);

let node: TestNode;
let base: string;
const staticDir = mkdtempSync(join(tmpdir(), "parley-rooms-"));
beforeAll(async () => {
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>Parley SPA</title>");
  node = await startNode({}, { staticDir });
  base = `http://127.0.0.1:${node.listen().port}`;
});
afterAll(() => node.dispose());

const sockets: WsClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));
async function open(jar: Parameters<typeof connectWs>[1]) {
  const s = await connectWs(base, jar);
  await s.request({ type: "hello" });
  sockets.push(s);
  return s;
}

async function createRoom(jar: Parameters<TestNode["req"]>[2], body: Record<string, unknown> = { name: "Standup" }) {
  const res = await node.req("/api/rooms", { method: "POST", json: body }, jar);
  expect(res.status).toBe(201);
  return (await json(res)).room;
}

describe("rooms over REST", () => {
  test("slugs look like kfp-wzqa-tnm and do not repeat", () => {
    const slugs = new Set(Array.from({ length: 1000 }, newSlug));
    expect(slugs.size).toBe(1000);
    for (const s of slugs) expect(s).toMatch(ROOM_SLUG_RE);
  });

  test("a host creates a room with a link on the request's origin, lists it, and deletes it", async () => {
    const host = await registerUser(node);
    const room = await createRoom(host.jar, { name: "Standup", allowGuests: true });
    expect(room).toMatchObject({ name: "Standup", hostId: host.user.id, allowGuests: true, locked: false });
    expect(room.url).toMatch(new RegExp(`/r/${room.slug}$`));
    expect((await json(await node.req("/api/rooms", {}, host.jar))).rooms.map((r: { slug: string }) => r.slug)).toEqual([room.slug]);
    expect((await node.req(`/api/rooms/${room.slug}`, { method: "DELETE" }, host.jar)).status).toBe(204);
    expect((await node.req(`/api/rooms/${room.slug}`, {})).status).toBe(404);
    expect((await json(await node.req("/api/rooms", {}, host.jar))).rooms).toEqual([]);
  });

  test("anyone with the link sees the preview, signed in or not; a wrong or malformed slug is NOT_FOUND", async () => {
    const host = await registerUser(node);
    const room = await createRoom(host.jar);
    const anon = await json(await node.req(`/api/rooms/${room.slug}`, {}));
    expect(anon.room).toMatchObject({ slug: room.slug, name: "Standup", host: { id: host.user.id }, allowGuests: false, locked: false, live: 0, conversationId: room.conversationId });
    for (const slug of ["aaa-aaaa-aaa", "not a slug", "KFP-WZQA-TNM"]) {
      const res = await node.req(`/api/rooms/${encodeURIComponent(slug)}`, {});
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("NOT_FOUND");
    }
  });

  test("only the host deletes a room; listing and creating need a session; bad bodies are VALIDATION_ERROR", async () => {
    const host = await registerUser(node);
    const other = await registerUser(node);
    const room = await createRoom(host.jar);
    expect((await json(await node.req(`/api/rooms/${room.slug}`, { method: "DELETE" }, other.jar))).error.code).toBe("FORBIDDEN");
    expect((await json(await node.req("/api/rooms", {}, other.jar))).rooms).toEqual([]);
    expect((await node.req("/api/rooms", {})).status).toBe(401);
    expect((await node.req("/api/rooms", { method: "POST", json: { name: "x" } })).status).toBe(401);
    for (const body of [{}, { name: "" }, { name: "x", extra: 1 }, { name: "x", allowGuests: "yes" }]) {
      expect((await json(await node.req("/api/rooms", { method: "POST", json: body }, host.jar))).error.code).toBe("VALIDATION_ERROR");
    }
  });

  test(`a host holds at most ${MAX_ROOMS_PER_USER} rooms`, async () => {
    const host = await registerUser(node);
    for (let i = 0; i < MAX_ROOMS_PER_USER; i++) await createRoom(host.jar, { name: `r${i}` });
    const res = await node.req("/api/rooms", { method: "POST", json: { name: "one too many" } }, host.jar);
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("LIMIT_REACHED");
  });

  test("the SPA serves /r/<slug>", async () => {
    const res = await fetch(`${base}/r/kfp-wzqa-tnm`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Parley SPA");
  });
});

describe("room calls", () => {
  test("anyone signed in with the link joins the room's call and its chat; the host is host; the preview counts them", async () => {
    const host = await registerUser(node);
    const visitor = await registerUser(node);
    const room = await createRoom(host.jar);
    const [H, V] = await Promise.all([open(host.jar), open(visitor.jar)]);
    const first = await V.request({ type: "call:join", conversationId: room.conversationId, media: { audio: true, video: true } });
    expect(first.state).toMatchObject({ kind: "room", mode: "join", roomId: room.id, hostId: host.user.id });
    expect(first.state.participants[0]).toMatchObject({ id: visitor.user.id, role: "member", video: true });
    const second = await H.request({ type: "call:join", conversationId: room.conversationId });
    expect(second.state.participants.map((p: { id: string; role: string }) => [p.id, p.role])).toEqual([[visitor.user.id, "member"], [host.user.id, "host"]]);
    expect((await json(await node.req(`/api/rooms/${room.slug}`, {}))).room.live).toBe(2);
    const sent = await V.request({ type: "message:send", conversationId: room.conversationId, clientId: "c1", content: "hi room" });
    expect(sent.ok).toBe(true);
    expect(await H.waitFor((e) => e.type === "message:new" && e.message.content === "hi room")).toBeDefined();
    // The visitor joined after connecting: their socket now gets the room's chat live.
    await H.request({ type: "message:send", conversationId: room.conversationId, clientId: "c2", content: "welcome" });
    expect(await V.waitFor((e) => e.type === "message:new" && e.message.content === "welcome")).toBeDefined();
    await V.request({ type: "call:leave", callId: first.state.id });
    await H.request({ type: "call:leave", callId: first.state.id });
    expect(await H.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId: first.state.id, reason: "empty" });
  });

  test("the host mutes, asks to unmute and removes a visitor, who can only knock to come back into that call; a visitor has no host powers", async () => {
    const host = await registerUser(node);
    const visitor = await registerUser(node);
    const room = await createRoom(host.jar);
    const [H, V] = await Promise.all([open(host.jar), open(visitor.jar)]);
    const { state } = await H.request({ type: "call:join", conversationId: room.conversationId });
    await V.request({ type: "call:join", conversationId: room.conversationId });
    const callId = state.id;
    expect((await V.request({ type: "call:host", callId, action: "mute", participantId: host.user.id })).error.code).toBe("FORBIDDEN");
    expect((await V.request({ type: "call:end-all", callId })).error.code).toBe("FORBIDDEN");
    expect((await H.request({ type: "call:host", callId, action: "mute", participantId: "nobody" })).error.code).toBe("NOT_FOUND");
    await H.request({ type: "call:host", callId, action: "mute", participantId: visitor.user.id });
    expect(await V.waitFor((e) => e.type === "call:moderated")).toMatchObject({ callId, action: "mute", by: host.user.id });
    expect(await H.waitFor((e) => e.type === "call:participant-updated")).toMatchObject({ participant: { id: visitor.user.id, muted: true } });
    await H.request({ type: "call:host", callId, action: "ask-unmute", participantId: visitor.user.id });
    expect(await V.waitFor((e) => e.type === "call:moderated" && e.action === "ask-unmute")).toBeDefined();
    await H.request({ type: "call:host", callId, action: "remove", participantId: visitor.user.id });
    expect(await V.waitFor((e) => e.type === "call:moderated" && e.action === "remove")).toBeDefined();
    expect(await H.waitFor((e) => e.type === "call:participant-left")).toMatchObject({ userId: visitor.user.id, reason: "removed" });
    expect(await V.request({ type: "call:join", conversationId: room.conversationId })).toMatchObject({ ok: true, waiting: true, callId, call: null });
    await H.request({ type: "call:end-all", callId });
    expect(await H.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId, reason: "ended-by-host" });
  });

  test("deleting a room ends its running call for everyone in it, and nobody can join it again", async () => {
    const host = await registerUser(node);
    const visitor = await registerUser(node);
    const room = await createRoom(host.jar);
    const [H, V] = await Promise.all([open(host.jar), open(visitor.jar)]);
    const { state } = await H.request({ type: "call:join", conversationId: room.conversationId, media: { audio: true, video: true } });
    await V.request({ type: "call:join", conversationId: room.conversationId, media: { audio: true, video: true } });
    expect((await node.req(`/api/rooms/${room.slug}`, { method: "DELETE" }, host.jar)).status).toBe(204);
    for (const s of [H, V]) expect(await s.waitFor((e) => e.type === "call:ended")).toMatchObject({ callId: state.id, reason: "room-deleted" });
    expect((await V.request({ type: "call:join", conversationId: room.conversationId })).error.code).toBe("FORBIDDEN");
    expect((await V.request({ type: "call:update", callId: state.id, muted: true })).error).toBeDefined();
  });

  test("someone who never joined a room cannot post in its chat", async () => {
    const host = await registerUser(node);
    const stranger = await registerUser(node);
    const room = await createRoom(host.jar);
    const S = await open(stranger.jar);
    const r = await S.request({ type: "message:send", conversationId: room.conversationId, clientId: "c1", content: "hello?" });
    expect(r.error.code).toBe("FORBIDDEN");
  });
});
