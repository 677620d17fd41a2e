/**
 * Room guests and files: a guest uploads and posts files in their room's chat and fetches the
 * files posted there — and nothing else (other conversations' files, others' uploads, any
 * other REST endpoint). In-process HTTP for the attachment routes; the socket for sending.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { Attachment } from "../src/shared/attachments";
import { CookieJar, nodeForSuite, registerUser, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { json } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";

const suite = nodeForSuite();
const sockets: WsClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));

let png: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  png = new Uint8Array(await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer());
}, 30_000);

async function room(jar: CookieJar) {
  const res = await suite.node.req("/api/rooms", { method: "POST", json: { name: "Drop-in", allowGuests: true } }, jar);
  return (await json(res)).room as { slug: string; conversationId: string };
}

async function guest(slug: string, name: string) {
  const jar = new CookieJar();
  const res = await suite.node.req(`/api/rooms/${slug}/guests`, { method: "POST", json: { name }, ip: "10.9.1.1" }, jar);
  expect(res.status).toBe(201);
  const ws = await connectWs(suite.base, jar);
  sockets.push(ws);
  await ws.request({ type: "hello" });
  return { jar, ws, id: (await json(res)).guest.id as string };
}

const upload = (bytes: Uint8Array<ArrayBuffer>, jar: CookieJar, node: TestNode = suite.node) =>
  node.req(`/api/attachments?name=pic.png`, { method: "POST", body: bytes }, jar);
const code = async (res: Response) => [res.status, (await json(res)).error?.code];
const text = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

describe("guests and attachments", () => {
  test("a guest uploads files, posts them in the room's chat, and the host and other guests of the room fetch them; catch-up carries them", async () => {
    const host = await registerUser(suite.node);
    const r = await room(host.jar);
    const [vera, walt] = [await guest(r.slug, "Vera"), await guest(r.slug, "Walt")];

    const res = await upload(png, vera.jar);
    expect(res.status).toBe(201);
    const file: Attachment = (await json(res)).attachment;
    expect(file).toMatchObject({ mime: "image/png", kind: "image", width: 320, height: 200 });
    // Before it is posted, only the guest who uploaded it sees it.
    expect((await suite.node.req(file.url, {}, vera.jar)).status).toBe(200);
    expect(await code(await suite.node.req(file.url, {}, walt.jar))).toEqual([404, "NOT_FOUND"]);

    const sent = await vera.ws.request({ type: "message:send", conversationId: r.conversationId, clientId: crypto.randomUUID(), content: "", attachmentIds: [file.id] });
    expect(sent.ok).toBe(true);
    expect(sent.message.attachments).toEqual([file]);
    const live = await walt.ws.waitFor((e) => e.type === "message:new" && e.message.id === sent.message.id);
    expect(live.message.attachments).toEqual([file]);

    for (const jar of [walt.jar, host.jar]) {
      const got = await suite.node.req(file.url, {}, jar);
      expect(got.status).toBe(200);
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(png);
      expect((await suite.node.req(file.thumbUrl!, {}, jar)).headers.get("content-type")).toBe("image/webp");
    }
    const sync = await walt.ws.request({ type: "sync", conversationId: r.conversationId });
    expect(sync.messages.find((m: { id: string }) => m.id === sent.message.id).attachments).toEqual([file]);
  });

  test("nothing else: files of other conversations and rooms are 404, others' uploads cannot be attached, the rest of the API stays 401, and a deleted room closes its files", async () => {
    const [alice, bob] = [await registerUser(suite.node), await registerUser(suite.node)];
    const dm = await befriend(suite.node, alice, bob);
    const dmFile: Attachment = (await json(await upload(text("private notes"), alice.jar))).attachment;
    await suite.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "", attachmentIds: [dmFile.id] } }, alice.jar);
    const own: Attachment = (await json(await upload(text("alice's upload"), alice.jar))).attachment;

    const [one, other] = [await room(alice.jar), await room(alice.jar)];
    const vera = await guest(one.slug, "Vera");
    const otto = await guest(other.slug, "Otto");
    const elsewhere: Attachment = (await json(await upload(text("other room"), otto.jar))).attachment;
    const posted = await otto.ws.request({ type: "message:send", conversationId: other.conversationId, clientId: crypto.randomUUID(), content: "here", attachmentIds: [elsewhere.id] });
    expect(posted.ok).toBe(true);

    for (const url of [dmFile.url, own.url, elsewhere.url, `${elsewhere.url}/thumb`, "/api/attachments/AAAAAAAAAAAAAAAAAAAAAA"]) {
      expect(await code(await suite.node.req(url, {}, vera.jar))).toEqual([404, "NOT_FOUND"]);
    }
    const stolen = await vera.ws.request({ type: "message:send", conversationId: one.conversationId, clientId: crypto.randomUUID(), content: "", attachmentIds: [own.id] });
    expect([stolen.ok, stolen.error?.code, stolen.error?.details?.fields?.attachmentIds]).toEqual([false, "VALIDATION_ERROR", expect.any(String)]);
    const mine: Attachment = (await json(await upload(text("vera's"), vera.jar))).attachment;
    const wrongRoom = await vera.ws.request({ type: "message:send", conversationId: other.conversationId, clientId: crypto.randomUUID(), content: "", attachmentIds: [mine.id] });
    expect([wrongRoom.ok, wrongRoom.error?.code]).toEqual([false, "FORBIDDEN"]);
    for (const path of ["/api/conversations", `/api/conversations/${one.conversationId}/messages`, "/api/users/me", "/api/search?q=here"]) {
      expect((await suite.node.req(path, {}, vera.jar)).status).toBe(401);
    }

    expect((await suite.node.req(`/api/rooms/${one.slug}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
    expect(await code(await upload(text("after"), vera.jar))).toEqual([403, "FORBIDDEN"]);
    expect(await code(await suite.node.req(mine.url, {}, vera.jar))).toEqual([403, "FORBIDDEN"]);
  });
});
