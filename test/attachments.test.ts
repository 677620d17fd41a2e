/**
 * Attachments: uploads typed by their bytes (never the name), images measured and thumbnailed,
 * limits with documented codes, message:send with several files (REST and socket), downloads for
 * members only (asked on every request), active content only as a sandboxed download, bytes
 * freed with the last message holding them, uploads never attached swept, has:file.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Attachment } from "../src/shared/attachments";
import type { Message } from "../src/shared/protocol";
import { CookieJar, nodeForSuite, registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { json } from "./support/spaces";
import { connectWs } from "./support/ws";

const suite = nodeForSuite();
type User = Awaited<ReturnType<typeof registerUser>>;

let png: Uint8Array;
beforeAll(async () => {
  png = new Uint8Array(await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer());
}, 30_000);

const upload = (bytes: Uint8Array | ReadableStream<Uint8Array>, name: string, jar: CookieJar, node: TestNode = suite.node) =>
  node.req(`/api/attachments?name=${encodeURIComponent(name)}`, { method: "POST", body: bytes, ...(bytes instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit, jar);

async function uploaded(bytes: Uint8Array, name: string, jar: CookieJar, node: TestNode = suite.node): Promise<Attachment> {
  const res = await upload(bytes, name, jar, node);
  expect(res.status).toBe(201);
  return (await json(res)).attachment;
}

const send = (conversationId: string, jar: CookieJar, body: Record<string, unknown>, node: TestNode = suite.node) =>
  node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "", ...body } }, jar);

async function sent(conversationId: string, jar: CookieJar, attachmentIds: string[], node: TestNode = suite.node): Promise<Message> {
  const res = await send(conversationId, jar, { attachmentIds }, node);
  expect(res.status).toBe(201);
  return (await json(res)).message;
}

const get = (url: string, jar: CookieJar, node: TestNode = suite.node) => node.req(url, {}, jar);
const code = async (res: Response) => [res.status, (await json(res)).error?.code];
const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
const stored = (node: TestNode, bytes: Uint8Array) => existsSync(join(node.dir, "files", sha256(bytes).slice(0, 2), sha256(bytes)));
const text = (s: string) => new TextEncoder().encode(s);

async function pair(node: TestNode = suite.node): Promise<{ alice: User; bob: User; dm: string }> {
  const [alice, bob] = [await registerUser(node), await registerUser(node)];
  return { alice, bob, dm: await befriend(node, alice, bob) };
}

test("an image is typed by its bytes whatever its name, measured and thumbnailed, and reaches the other member live and inline", async () => {
  const { alice, bob, dm } = await pair();
  const image = await uploaded(png, "holiday.txt", alice.jar);
  expect(image).toMatchObject({ name: "holiday.txt", size: png.length, mime: "image/png", kind: "image", width: 900, height: 600, url: `/api/attachments/${image.id}` });
  expect(image.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  const pdf = await uploaded(text("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"), "report.pdf", alice.jar);

  const bobWs = await connectWs(suite.base, bob.jar);
  const aliceWs = await connectWs(suite.base, alice.jar);
  try {
    await Promise.all([bobWs.request({ type: "hello" }), aliceWs.request({ type: "hello" })]);
    const reply = await aliceWs.request({ type: "message:send", conversationId: dm, clientId: crypto.randomUUID(), content: "look", attachmentIds: [image.id, pdf.id] });
    expect(reply.ok).toBe(true);
    expect(reply.message.attachments.map((a: Attachment) => a.id)).toEqual([image.id, pdf.id]);
    const live = await bobWs.waitFor((e) => e.type === "message:new");
    expect(live.message.attachments).toEqual([image, pdf]);
  } finally {
    bobWs.close();
    aliceWs.close();
  }
  const { messages } = await json(await get(`/api/conversations/${dm}/messages`, bob.jar));
  expect(messages.at(-1).attachments).toEqual([image, pdf]);

  const res = await get(image.url, bob.jar);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/png");
  expect(res.headers.get("content-disposition")).toStartWith("inline;");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("content-security-policy")).toContain("sandbox");
  expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(png));
  const thumb = await get(image.thumbUrl!, bob.jar);
  expect(thumb.headers.get("content-type")).toBe("image/webp");
  const meta = await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(["webp", 400, 267]);
  // Revalidation still asks who is asking; a range is served for players that seek.
  const again = await suite.node.req(image.url, { headers: { "if-none-match": res.headers.get("etag")! } }, bob.jar);
  expect(again.status).toBe(304);
  const part = await suite.node.req(image.url, { headers: { range: "bytes=0-7" } }, bob.jar);
  expect([part.status, part.headers.get("content-range")]).toEqual([206, `bytes 0-7/${png.length}`]);
  expect(sha256(new Uint8Array(await part.arrayBuffer()))).toBe(sha256(png.subarray(0, 8)));
}, 30_000);

// test/fixtures: one-second ffmpeg test patterns (testsrc), H.264 in MP4 and VP8 in WebM.
test("video is measured from its container's headers, so clients reserve its frame: MP4 (index at the end) and WebM; a WebM-headed file that is not one is unmeasured", async () => {
  const { alice } = await pair();
  const mp4 = await uploaded(await Bun.file(join(import.meta.dir, "fixtures/portrait.mp4")).bytes(), "clip.mp4", alice.jar);
  expect(mp4).toMatchObject({ mime: "video/mp4", kind: "video", width: 180, height: 320 });
  expect(mp4.thumbUrl).toBeUndefined();
  const webm = await uploaded(await Bun.file(join(import.meta.dir, "fixtures/landscape.webm")).bytes(), "clip.webm", alice.jar);
  expect(webm).toMatchObject({ mime: "video/webm", kind: "video", width: 320, height: 180 });
  const fake = await uploaded(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, ...text("not really a video")]), "fake.webm", alice.jar);
  expect(fake.kind).toBe("video");
  expect([fake.width, fake.height]).toEqual([undefined, undefined]);
});

test("a message of files alone shows in hello's conversation list by how many files it carries", async () => {
  const { alice, bob, dm } = await pair();
  const ids = [(await uploaded(png, "a.png", alice.jar)).id, (await uploaded(text("notes"), "b.txt", alice.jar)).id];
  expect((await send(dm, alice.jar, { attachmentIds: ids })).status).toBe(201);
  const ws = await connectWs(suite.base, bob.jar);
  try {
    const hello = await ws.request({ type: "hello" });
    const listed = hello.conversations.find((c: { id: string }) => c.id === dm);
    expect(listed.lastMessage).toMatchObject({ content: "", attachmentCount: 2 });
  } finally {
    ws.close();
  }
});

test("HTML named .png, SVG, XML, a PDF, a PNG-headed polyglot and unknown bytes are served only as downloads, with nosniff and the sandbox", async () => {
  const { alice, bob, dm } = await pair();
  const cases: Array<[string, Uint8Array, string]> = [
    ["cat.png", text("<!DOCTYPE html><html><script>alert(1)</script></html>"), "text/html"],
    ["  dir/<b>x.html", text("\uFEFF  <script>alert(1)</script>"), "text/html"],
    ["logo.svg", text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), "image/svg+xml"],
    ["feed.xml", text('<?xml version="1.0"?><rss/>'), "application/xml"],
    ["paper.pdf", text("%PDF-1.7\n%%EOF\n"), "application/pdf"],
    ["poly.png", new Uint8Array([...png.subarray(0, 16), ...text("<html><script>alert(1)</script></html>")]), "image/png"],
    ["blob.jpg", new Uint8Array([0, 1, 2, 3, 250, 251, 252]), "application/octet-stream"],
  ];
  const files = [];
  for (const [name, bytes, mime] of cases) {
    const a = await uploaded(bytes, name, alice.jar);
    expect([a.mime, a.kind, a.width]).toEqual([mime, "file", undefined]);
    files.push(a);
  }
  await sent(dm, alice.jar, files.slice(0, 7).map((f) => f.id));
  for (const f of files) {
    const res = await get(f.url, bob.jar);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toStartWith("attachment;");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
  }
  expect(files[1]!.name).toBe("<b>x.html");
  // Even a safe image can be asked for as a download.
  const image = await uploaded(png, "p.png", alice.jar);
  await sent(dm, alice.jar, [image.id]);
  expect((await get(`${image.url}?download`, bob.jar)).headers.get("content-disposition")).toStartWith("attachment;");
}, 30_000);

test("limits: over ATTACHMENT_MAX_BYTES is 413 PAYLOAD_TOO_LARGE (declared or streamed), empty is 400, past the quota 413 QUOTA_EXCEEDED; nothing is kept", async () => {
  const node = await startNode({ ATTACHMENT_MAX_BYTES: "1000", ATTACHMENT_QUOTA_BYTES: "2500" });
  try {
    const alice = await registerUser(node);
    const big = new Uint8Array(1001).fill(65);
    const declared = await upload(big, "big.txt", alice.jar, node);
    expect(await code(declared)).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 11; i++) c.enqueue(new Uint8Array(100).fill(66));
        c.close();
      },
    });
    expect(await code(await upload(stream, "streamed.txt", alice.jar, node))).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await code(await upload(new Uint8Array(0), "empty.txt", alice.jar, node))).toEqual([400, "VALIDATION_ERROR"]);
    await uploaded(new Uint8Array(1000).fill(67), "a.txt", alice.jar, node);
    await uploaded(new Uint8Array(1000).fill(68), "b.txt", alice.jar, node);
    const over = await upload(new Uint8Array(600).fill(69), "c.txt", alice.jar, node);
    expect(await code(over)).toEqual([413, "QUOTA_EXCEEDED"]);
    expect(stored(node, new Uint8Array(600).fill(69))).toBe(false);
    expect(stored(node, big)).toBe(false);
    // Someone else's quota is their own.
    await uploaded(new Uint8Array(600).fill(69), "c.txt", (await registerUser(node)).jar, node);
  } finally {
    await node.dispose();
  }
}, 30_000);

test("each upload spends a token of the user's write budget (the one messages spend): past it, 429 RATE_LIMITED", async () => {
  const node = await startNode({ WRITE_BURST: "3", WRITE_RATE_PER_SECOND: "0.001" });
  try {
    const alice = await registerUser(node);
    for (let i = 0; i < 3; i++) await uploaded(text(`note ${i}`), "n.txt", alice.jar, node);
    expect(await code(await upload(text("one more"), "n.txt", alice.jar, node))).toEqual([429, "RATE_LIMITED"]);
  } finally {
    await node.dispose();
  }
}, 30_000);

test("a send names only its author's uploads that no message carries yet; a retry answers with the original and attaches nothing twice", async () => {
  const { alice, bob, dm } = await pair();
  const mine = await uploaded(text("mine"), "m.txt", alice.jar);
  const bobs = await uploaded(text("bob's"), "b.txt", bob.jar);
  const bad = async (ids: string[]) => {
    const res = await send(dm, alice.jar, { attachmentIds: ids });
    expect(await code(res)).toEqual([400, "VALIDATION_ERROR"]);
  };
  await bad([bobs.id]);
  await bad(["AAAAAAAAAAAAAAAAAAAAAA"]);
  await bad([mine.id, mine.id]);
  await bad([mine.id, bobs.id]);
  expect(await code(await send(dm, alice.jar, { content: "  " }))).toEqual([400, "VALIDATION_ERROR"]);
  expect(await code(await send(dm, alice.jar, { attachmentIds: Array.from({ length: 11 }, () => mine.id) }))).toEqual([400, "VALIDATION_ERROR"]);

  const clientId = crypto.randomUUID();
  const first = await send(dm, alice.jar, { clientId, attachmentIds: [mine.id] });
  const retry = await send(dm, alice.jar, { clientId, attachmentIds: [mine.id] });
  expect([first.status, retry.status]).toEqual([201, 201]);
  const [a, b] = [(await json(first)).message, (await json(retry)).message];
  expect(b).toEqual(a);
  expect(a.attachments).toEqual([mine]);
  await bad([mine.id]);
  const { messages } = await json(await get(`/api/conversations/${dm}/messages`, bob.jar));
  expect(messages.filter((m: Message) => m.attachments?.length)).toHaveLength(1);
}, 30_000);

test("only members of a conversation where the file was posted get it: not strangers, not guessed ids, not members after they leave", async () => {
  const [alice, bob, carol, eve] = [await registerUser(suite.node), await registerUser(suite.node), await registerUser(suite.node), await registerUser(suite.node)];
  await befriend(suite.node, alice, bob);
  await befriend(suite.node, alice, carol);
  const group = (await json(await suite.node.req("/api/conversations", { method: "POST", json: { memberIds: [bob.user.id, carol.user.id] } }, alice.jar))).conversation.id;
  const file = await uploaded(png, "team.png", alice.jar);
  // Before it is sent, only its uploader sees it.
  expect((await get(file.url, alice.jar)).status).toBe(200);
  expect(await code(await get(file.url, bob.jar))).toEqual([404, "NOT_FOUND"]);
  await sent(group, alice.jar, [file.id]);
  for (const u of [alice, bob, carol]) expect((await get(file.url, u.jar)).status).toBe(200);
  for (const url of [file.url, file.thumbUrl!]) expect(await code(await get(url, eve.jar))).toEqual([404, "NOT_FOUND"]);
  expect(await code(await get(`/api/attachments/${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")}`, bob.jar))).toEqual([404, "NOT_FOUND"]);
  expect(await code(await get(file.url, new CookieJar()))).toEqual([401, "UNAUTHORIZED"]);

  expect((await suite.node.req(`/api/conversations/${group}/members/me`, { method: "DELETE" }, carol.jar)).status).toBe(204);
  for (const url of [file.url, file.thumbUrl!]) expect(await code(await get(url, carol.jar))).toEqual([404, "NOT_FOUND"]);
  expect((await get(file.url, bob.jar)).status).toBe(200);
}, 30_000);

test("deleting a message removes its files from storage unless another message holds the same bytes", async () => {
  const { alice, bob, dm } = await pair();
  const bytes = text(`shared ${crypto.randomUUID()}`);
  const [one, two] = [await uploaded(bytes, "a.txt", alice.jar), await uploaded(bytes, "b.txt", bob.jar)];
  const image = await uploaded(png, "own.png", alice.jar);
  const first = await sent(dm, alice.jar, [one.id, image.id]);
  const second = await sent(dm, bob.jar, [two.id]);
  expect(stored(suite.node, bytes)).toBe(true);

  expect((await suite.node.req(`/api/messages/${first.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
  expect(await code(await get(one.url, bob.jar))).toEqual([404, "NOT_FOUND"]);
  expect(stored(suite.node, bytes)).toBe(true);
  expect((await get(two.url, alice.jar)).status).toBe(200);
  const { messages } = await json(await get(`/api/conversations/${dm}/messages`, bob.jar));
  expect(messages.find((m: Message) => m.id === first.id).attachments).toBeUndefined();

  expect((await suite.node.req(`/api/messages/${second.id}`, { method: "DELETE" }, bob.jar)).status).toBe(204);
  expect(stored(suite.node, bytes)).toBe(false);
  // The image's bytes may be held by other tests' messages (same picture); its own row is gone.
  expect(await code(await get(image.url, alice.jar))).toEqual([404, "NOT_FOUND"]);
}, 30_000);

test("uploads never attached are swept after ATTACHMENT_ORPHAN_SECONDS with their bytes; attached ones stay", async () => {
  let now = Date.now();
  const node = await startNode({ ATTACHMENT_ORPHAN_SECONDS: "600" }, { clock: () => now });
  try {
    const { alice, dm } = await pair(node);
    const orphan = text(`orphan ${crypto.randomUUID()}`);
    const kept = text(`kept ${crypto.randomUUID()}`);
    const [o, k] = [await uploaded(orphan, "o.txt", alice.jar, node), await uploaded(kept, "k.txt", alice.jar, node)];
    await sent(dm, alice.jar, [k.id], node);
    now += 599_000;
    expect(await node.attachments.sweep()).toBe(0);
    now += 2_000;
    expect(await node.attachments.sweep()).toBe(1);
    expect([stored(node, orphan), stored(node, kept)]).toEqual([false, true]);
    expect(await code(await get(o.url, alice.jar, node))).toEqual([404, "NOT_FOUND"]);
    expect((await get(k.url, alice.jar, node)).status).toBe(200);
    expect(await code(await send(dm, alice.jar, { attachmentIds: [o.id] }, node))).toEqual([400, "VALIDATION_ERROR"]);
  } finally {
    await node.dispose();
  }
}, 30_000);

test("has:file finds the messages that carry files, in conversations the user is in", async () => {
  const { alice, bob, dm } = await pair();
  const word = `f${crypto.randomUUID().replace(/[^a-f]/g, "").slice(0, 10)}`;
  const withFile = (await json(await send(dm, alice.jar, { content: `${word} attached`, attachmentIds: [(await uploaded(text("x"), "x.txt", alice.jar)).id] }))).message;
  await send(dm, alice.jar, { content: `${word} plain` });
  const res = await get(`/api/search?q=${encodeURIComponent(`${word} has:file`)}`, bob.jar);
  expect(res.status).toBe(200);
  expect((await json(res)).hits.map((h: { message: Message }) => h.message.id)).toEqual([withFile.id]);
  const stranger = await registerUser(suite.node);
  expect((await json(await get(`/api/search?q=${encodeURIComponent(`${word} has:file`)}`, stranger.jar))).hits).toEqual([]);
}, 30_000);
