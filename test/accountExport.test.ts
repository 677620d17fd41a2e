/**
 * Data export, in-process: a request is built in the background into a zip of the profile,
 * friends, the user's messages and the files they uploaded (checked by unzipping it); only its
 * owner may download it, one export is built at a time per user, and it expires.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { unzipSync, strFromU8 } from "fflate";
import type { AccountExport } from "../src/shared/protocol";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { json } from "./support/spaces";

setDefaultTimeout(60_000);

let node: TestNode;
let now = Date.now();

beforeAll(async () => {
  node = await startNode({ ACCOUNT_EXPORT_TTL_HOURS: "48" }, { clock: () => now });
});
afterAll(() => node.dispose());

const exportOf = async (jar: CookieJar) => (await json(await node.req("/api/account/export", {}, jar))).export as AccountExport | null;

/** Requests an export and waits for its background build. */
async function exported(jar: CookieJar): Promise<AccountExport> {
  const res = await node.req("/api/account/export", { method: "POST" }, jar);
  expect(res.status).toBe(202);
  await node.accountExport.drain();
  const done = (await exportOf(jar))!;
  expect(done.status).toBe("ready");
  return done;
}

describe("data export", () => {
  test("the zip holds the profile and avatar, friends, the user's messages and the files they uploaded", async () => {
    const alice = await registerUser(node);
    const bob = await registerUser(node);
    const dm = await befriend(node, alice, bob);
    const bytes = new TextEncoder().encode("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n");
    const up = await node.req("/api/attachments?name=report.pdf", { method: "POST", body: bytes }, alice.jar);
    expect(up.status).toBe(201);
    const attachment = (await json(up)).attachment as { id: string };
    const say = (jar: CookieJar, content: string, extra: Record<string, unknown> = {}) => node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, ...extra } }, jar);
    expect((await say(alice.jar, "first from alice")).status).toBe(201);
    expect((await say(alice.jar, "with a file", { attachmentIds: [attachment.id] })).status).toBe(201);
    expect((await say(bob.jar, "bob's own words")).status).toBe(201);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 7, 8, 9]);
    expect((await node.req("/api/users/me/avatar", { method: "PUT", body: png }, alice.jar)).status).toBe(200);

    const done = await exported(alice.jar);
    expect(done.progress).toBe(done.total);
    expect(done.total).toBe(3);
    expect(Date.parse(done.expiresAt!)).toBe(Date.parse(done.createdAt) + 48 * 3600_000);
    const res = await node.req(done.downloadUrl!, {}, alice.jar);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toStartWith("attachment;");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(done.size).toBe(body.byteLength);
    const zip = unzipSync(body);

    const profile = JSON.parse(strFromU8(zip["profile.json"]!));
    expect(profile).toMatchObject({ id: alice.user.id, username: alice.user.username, email: alice.user.email });
    expect(zip["avatar.png"]).toEqual(png);
    const friends = JSON.parse(strFromU8(zip["friends.json"]!)) as Array<{ id: string }>;
    expect(friends.map((f) => f.id)).toEqual([bob.user.id]);
    const messages = JSON.parse(strFromU8(zip["messages.json"]!)) as Array<{ content: string; conversation: { id: string; kind: string }; attachments: Array<{ file: string }> }>;
    expect(messages.map((m) => m.content)).toEqual(["first from alice", "with a file"]);
    expect(messages[0]!.conversation).toMatchObject({ id: dm, kind: "dm" });
    const file = messages[1]!.attachments[0]!.file;
    expect(file).toBe(`files/${attachment.id}-report.pdf`);
    expect(zip[file]).toEqual(bytes);
  });

  test("another user cannot download someone's export, whatever its id", async () => {
    const alice = await registerUser(node);
    const mallory = await registerUser(node);
    const done = await exported(alice.jar);
    const res = await node.req(done.downloadUrl!, {}, mallory.jar);
    expect(res.status).toBe(404);
    expect((await node.req(done.downloadUrl!, {})).status).toBe(401);
  });

  test("one export is built at a time per user; a finished one is replaced by the next", async () => {
    const alice = await registerUser(node);
    const stamp = new Date(now).toISOString();
    const first = await node.store.exports.request(alice.user.id, crypto.randomUUID(), stamp);
    expect(first?.row.status).toBe("pending");
    expect(await node.store.exports.request(alice.user.id, crypto.randomUUID(), stamp)).toBeUndefined();
    const busy = await node.req("/api/account/export", { method: "POST" }, alice.jar);
    expect(busy.status).toBe(409);
    expect(((await json(busy)).error as { code: string }).code).toBe("EXPORT_IN_PROGRESS");

    await node.accountExport.sweep();
    const done = (await exportOf(alice.jar))!;
    expect(done.status).toBe("ready");
    const again = await exported(alice.jar);
    expect(again.id).not.toBe(done.id);
    expect((await node.req(done.downloadUrl!, {}, alice.jar)).status).toBe(404);
  });

  test("two workers racing for an export: one claims it", async () => {
    const alice = await registerUser(node);
    const requested = (await node.store.exports.request(alice.user.id, crypto.randomUUID(), new Date(now).toISOString()))!;
    const stamp = new Date(now).toISOString();
    const stale = new Date(now - 120_000).toISOString();
    const claims = await Promise.all([node.store.exports.claim(requested.row.id, stamp, stale), node.store.exports.claim(requested.row.id, stamp, stale)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  test("an export expires: its link answers EXPORT_EXPIRED and the zip is removed", async () => {
    const alice = await registerUser(node);
    const done = await exported(alice.jar);
    now += 49 * 3600_000;
    const res = await node.req(done.downloadUrl!, {}, alice.jar);
    expect(res.status).toBe(410);
    expect(((await json(res)).error as { code: string }).code).toBe("EXPORT_EXPIRED");
    await node.accountExport.sweep();
    expect((await exportOf(alice.jar))?.status).toBe("expired");
  });
});
