/**
 * The FileStore contract, run against every implementation: the disk under DATA_DIR always, and
 * an S3-compatible bucket (s3rver, a real S3 server process started here). The last tests run a
 * whole node on each store: downloads, the orphan sweep, the quota and a message's delete.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../src/server/config";
import { DiskFileStore, type FileStore, type StoredFile } from "../src/server/files/file-store";
import { ImageStore } from "../src/server/files/images";
import { S3FileStore } from "../src/server/files/s3-file-store";
import { AppError } from "../src/shared/errors";
import type { Attachment } from "../src/shared/attachments";
import { registerUser, startNode, testConfig, type CookieJar, type TestNode } from "./support/parley";
import { startS3, type TestS3 } from "./support/s3";
import { befriend } from "./support/social";
import { json } from "./support/spaces";

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
}, 30_000);
afterAll(() => s3?.stop());

interface Backend {
  name: string;
  env(): Record<string, string>;
  /** What another node shares with one on data dir `dir`: a disk store is shared only as the same directory (one volume). */
  peerEnv(dir: string): Record<string, string>;
  /** As main.ts builds it from the config. */
  open(config: Readonly<Config>): FileStore;
}

const backends: Backend[] = [
  { name: "disk", env: () => ({}), peerEnv: (dir) => ({ DATA_DIR: dir }), open: (config) => new DiskFileStore(config.dataDir) },
  {
    name: "s3",
    env: () => s3.env,
    peerEnv: () => s3.env,
    open(config) {
      if (config.files.kind !== "s3") throw new Error("S3_* did not configure an S3 store");
      return new S3FileStore(config.files, config.dataDir);
    },
  },
];

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
const read = async (f: StoredFile | null, range?: { start: number; end: number }) => new Uint8Array(await new Response(f!.body(range)).arrayBuffer());

for (const backend of backends) {
  describe(`file store contract on ${backend.name}`, () => {
    let files: FileStore;
    let dir: string;
    const staged = () => readdirSync(join(dir, "files", "tmp"));
    beforeAll(() => {
      const made = testConfig(backend.env());
      dir = made.dir;
      files = backend.open(made.config);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("an upload is staged under its SHA-256 with its first bytes, absent until committed, then read whole and by range", async () => {
      const bytes = random(300_000);
      const up = await files.put(streamOf(bytes.subarray(0, 1000), bytes.subarray(1000)), 1_000_000);
      expect([up.key, up.size]).toEqual([sha256(bytes), bytes.length]);
      expect(up.head).toEqual(bytes.subarray(0, up.head.length));
      expect(up.head.length).toBeGreaterThan(1000);
      expect(await up.bytes()).toEqual(bytes);
      expect(await files.get(up.key)).toBeNull();
      await up.commit();
      await up.discard();
      expect(staged()).toEqual([]);
      const got = await files.get(up.key);
      expect(got!.size).toBe(bytes.length);
      expect(await read(got)).toEqual(bytes);
      expect(await read(got, { start: 5, end: 70_005 })).toEqual(bytes.subarray(5, 70_005));
    });

    test("past maxBytes the upload stops with PAYLOAD_TOO_LARGE and keeps nothing", async () => {
      const bytes = random(2000);
      const err = await files.put(streamOf(bytes.subarray(0, 1000), bytes.subarray(1000)), 1500).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("PAYLOAD_TOO_LARGE");
      expect(staged()).toEqual([]);
      expect(await files.get(sha256(bytes))).toBeNull();
    });

    test("a discarded upload keeps nothing", async () => {
      const up = await files.put(streamOf(random(100)), 1000);
      await up.discard();
      expect(staged()).toEqual([]);
      expect(await files.get(up.key)).toBeNull();
    });

    test("the same bytes committed twice are one file: one remove frees them, and removing again is harmless", async () => {
      const bytes = random(5000);
      for (let i = 0; i < 2; i++) {
        const up = await files.put(streamOf(bytes), 10_000);
        await up.commit();
        await up.discard();
      }
      expect(await read(await files.get(sha256(bytes)))).toEqual(bytes);
      await files.remove(sha256(bytes));
      expect(await files.get(sha256(bytes))).toBeNull();
      await files.remove(sha256(bytes));
      await files.remove("0".repeat(64));
    });

    test("putBytes stores bytes under their hash", async () => {
      const bytes = random(64);
      const key = await files.putBytes(bytes);
      expect(key).toBe(sha256(bytes));
      expect(await read(await files.get(key))).toEqual(bytes);
    });

    test("a 25 MB upload is stored whole", async () => {
      const bytes = random(25 * 1024 * 1024);
      const chunks = Array.from({ length: 25 }, (_, i) => bytes.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      const up = await files.put(streamOf(...chunks), bytes.length);
      await up.commit();
      await up.discard();
      const got = await files.get(up.key);
      expect(got!.size).toBe(bytes.length);
      expect(sha256(await read(got))).toBe(up.key);
      await files.remove(up.key);
    }, 60_000);

    test("an image saved through one node's store is read through another's, an image a node kept on its own disk before is moved there, and removing it through either frees it", async () => {
      const other = testConfig(backend.peerEnv(dir));
      const [mine, theirs] = [new ImageStore(files, dir), new ImageStore(backend.open(other.config), other.config.dataDir)];
      const png = new Uint8Array([...PNG_HEAD, ...random(200)]);
      const name = await mine.save(png);
      const got = await theirs.file(name);
      expect(got?.mime).toBe("image/png");
      expect(new Uint8Array(await new Response(got!.file).arrayBuffer())).toEqual(png);
      // The same picture saved again is an image of its own: removing one leaves the other.
      const again = await mine.save(png);
      await theirs.remove(name);
      expect(await mine.file(name)).toBeNull();
      expect(await theirs.file(again)).not.toBeNull();

      // Kept under DATA_DIR/images by an older version: readable on that node at once, on every node once moved.
      const legacy = [`${crypto.randomUUID()}.png`, `${crypto.randomUUID()}.png`];
      mkdirSync(join(dir, "images"), { recursive: true });
      for (const n of legacy) await Bun.write(join(dir, "images", n), png);
      expect(new Uint8Array(await new Response((await mine.file(legacy[0]!))!.file).arrayBuffer())).toEqual(png);
      expect(await mine.migrateLegacy()).toBe(1);
      expect(readdirSync(join(dir, "images"))).toEqual([]);
      for (const n of legacy) expect(new Uint8Array(await new Response((await theirs.file(n))!.file).arrayBuffer())).toEqual(png);
      for (const n of [again, ...legacy]) await mine.remove(n);
      for (const n of [again, ...legacy]) expect(await theirs.file(n)).toBeNull();
      if (other.dir !== dir) rmSync(other.dir, { recursive: true, force: true });
    });

    describe("a node storing attachments in it", () => {
      let now = Date.now();
      let node: TestNode;
      let store: FileStore;
      beforeAll(async () => {
        const env = { ...backend.env(), ATTACHMENT_ORPHAN_SECONDS: "600", ATTACHMENT_QUOTA_BYTES: "5000" };
        store = backend.open(testConfig(env).config);
        node = await startNode(env, { clock: () => now, files: store });
      }, 30_000);
      afterAll(() => node?.dispose());

      const upload = (bytes: Uint8Array<ArrayBuffer>, jar: CookieJar) => node.req(`/api/attachments?name=f.bin`, { method: "POST", body: bytes }, jar);
      const uploaded = async (bytes: Uint8Array<ArrayBuffer>, jar: CookieJar): Promise<Attachment> => (await json(await upload(bytes, jar))).attachment;
      const present = async (bytes: Uint8Array) => (await store.get(sha256(bytes))) !== null;

      test("members download files whole and by range; deleting the message frees the bytes", async () => {
        const [alice, bob] = [await registerUser(node), await registerUser(node)];
        const dm = await befriend(node, alice, bob);
        const bytes = random(3000);
        const file = await uploaded(bytes, alice.jar);
        const sent = await node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "", attachmentIds: [file.id] } }, alice.jar);
        const { message } = await json(sent);
        const whole = await node.req(file.url, {}, bob.jar);
        expect([whole.status, whole.headers.get("content-length")]).toEqual([200, "3000"]);
        expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);
        const part = await node.req(file.url, { headers: { range: "bytes=10-19" } }, bob.jar);
        expect([part.status, part.headers.get("content-range")]).toEqual([206, "bytes 10-19/3000"]);
        expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));

        expect((await node.req(`/api/messages/${message.id}`, { method: "DELETE" }, alice.jar)).status).toBe(204);
        expect(await present(bytes)).toBe(false);
        expect((await node.req(file.url, {}, bob.jar)).status).toBe(404);
      });

      test("uploads never attached are swept with their bytes, and the quota counts what is stored", async () => {
        const alice = await registerUser(node);
        const orphan = random(3000);
        await uploaded(orphan, alice.jar);
        expect(await present(orphan)).toBe(true);
        const over = await upload(random(2500), alice.jar);
        expect([over.status, (await json(over)).error.code]).toEqual([413, "QUOTA_EXCEEDED"]);
        now += 601_000;
        expect(await node.attachments.sweep()).toBeGreaterThanOrEqual(1);
        expect(await present(orphan)).toBe(false);
        expect((await upload(random(2500), alice.jar)).status).toBe(201);
      });
    });
  });
}
