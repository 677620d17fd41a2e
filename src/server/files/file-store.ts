/**
 * Where attachment bytes live, content-addressed by SHA-256: the same bytes uploaded twice are
 * stored once. An upload is first staged in a local file while it is hashed and checked; only
 * committing differs between backends. The disk implementation keeps the bytes under
 * DATA_DIR/files; S3FileStore (s3-file-store.ts) in an S3-compatible bucket, for several nodes
 * without a shared disk. main.ts chooses one by config.
 */
import { mkdirSync } from "node:fs";
import { rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { AppError } from "../../shared/errors";
import { SNIFF_BYTES } from "./sniff";

/** Bytes received but not yet stored under their key: the caller checks them, then commits or discards. */
export interface StagedFile {
  /** Hex SHA-256 of the bytes. */
  key: string;
  size: number;
  /** The first bytes, for sniffing. */
  head: Uint8Array;
  bytes(): Promise<Uint8Array>;
  /** Stores them under `key` (the same bytes may be there already). */
  commit(): Promise<void>;
  /** Drops the staged copy; after a commit, only the staged copy (the stored one stays). */
  discard(): Promise<void>;
}

/** Stored bytes: their size, and a body for a response, whole or one range. */
export interface StoredFile {
  size: number;
  /** From `start` to `end` exclusive, or everything. */
  body(range?: { start: number; end: number }): Blob | ReadableStream<Uint8Array>;
}

export interface FileStore {
  /** Streams the body in; past `maxBytes` it stops reading, keeps nothing and throws PAYLOAD_TOO_LARGE. */
  put(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedFile>;
  /**
   * Stores bytes under their hash, or under `key` when given: bytes owned by one record, that
   * must not be shared with the same bytes of another (an image: ImageStore). Returns the key.
   */
  putBytes(bytes: Uint8Array, key?: string): Promise<string>;
  /** Null when absent. */
  get(key: string): Promise<StoredFile | null>;
  /** Idempotent. */
  remove(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

/** Where a key's bytes go: two hex digits of fan-out, then the key. */
export function keyPath(key: string): string {
  if (!KEY.test(key)) throw new Error(`not a file key: ${key}`);
  return `${key.slice(0, 2)}/${key}`;
}

export const sha256Hex = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

/** Uploads in progress, staged under `dir` (local to this node). */
export class Staging {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** A fresh file name under the staging directory. */
  path(): string {
    return join(this.dir, randomBytes(16).toString("hex"));
  }

  /** Streams `body` into a staged file while hashing it; `commit(tmp, key)` stores it. */
  async put(body: ReadableStream<Uint8Array>, maxBytes: number, commit: (tmp: string, key: string) => Promise<void>): Promise<StagedFile> {
    const tmp = this.path();
    const sink = Bun.file(tmp).writer();
    const hasher = new Bun.CryptoHasher("sha256");
    const head = new Uint8Array(SNIFF_BYTES);
    let size = 0;
    try {
      const reader = body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const chunk = r.value;
        if (size + chunk.byteLength > maxBytes) {
          await reader.cancel();
          throw new AppError("PAYLOAD_TOO_LARGE", `Files are limited to ${maxBytes} bytes`, { maxBytes });
        }
        if (size < SNIFF_BYTES) head.set(chunk.subarray(0, SNIFF_BYTES - size), size);
        size += chunk.byteLength;
        hasher.update(chunk);
        sink.write(chunk);
      }
      await sink.end();
    } catch (err) {
      await Promise.resolve(sink.end()).catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    }
    const key = hasher.digest("hex");
    return {
      key,
      size,
      head: head.subarray(0, Math.min(size, SNIFF_BYTES)),
      bytes: () => Bun.file(tmp).bytes(),
      commit: () => commit(tmp, key),
      discard: () => rm(tmp, { force: true }),
    };
  }
}

export class DiskFileStore implements FileStore {
  readonly #dir: string;
  readonly #staging: Staging;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, "files");
    this.#staging = new Staging(join(this.#dir, "tmp"));
  }

  #path(key: string): string {
    return join(this.#dir, keyPath(key));
  }

  put(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedFile> {
    return this.#staging.put(body, maxBytes, (tmp, key) => this.#place(tmp, key));
  }

  async putBytes(bytes: Uint8Array, key = sha256Hex(bytes)): Promise<string> {
    const tmp = this.#staging.path();
    await Bun.write(tmp, bytes);
    await this.#place(tmp, key);
    return key;
  }

  /** A rename is atomic: readers see the whole file or none (the same bytes may already be there). */
  async #place(tmp: string, key: string): Promise<void> {
    mkdirSync(join(this.#dir, key.slice(0, 2)), { recursive: true });
    await rename(tmp, this.#path(key));
  }

  async get(key: string): Promise<StoredFile | null> {
    const path = this.#path(key);
    const size = await stat(path).then((s) => s.size, () => null);
    if (size === null) return null;
    const file = Bun.file(path);
    return { size, body: (range) => (range ? file.slice(range.start, range.end) : file) };
  }

  async remove(key: string): Promise<void> {
    await unlink(this.#path(key)).catch(() => {});
  }
}
