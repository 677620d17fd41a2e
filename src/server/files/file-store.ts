/**
 * Where attachment bytes live, content-addressed by SHA-256: the same bytes uploaded twice are
 * stored once. The disk implementation keeps them under DATA_DIR/files; another backend (an
 * S3-compatible bucket, for several nodes without shared disk) implements the same interface.
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
  discard(): Promise<void>;
}

export interface FileStore {
  /** Streams the body in; past `maxBytes` it stops reading, keeps nothing and throws PAYLOAD_TOO_LARGE. */
  put(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedFile>;
  putBytes(bytes: Uint8Array): Promise<string>;
  /** The bytes, readable in ranges; null when absent. */
  get(key: string): Promise<Blob | null>;
  /** Idempotent. */
  remove(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

export class DiskFileStore implements FileStore {
  readonly #dir: string;
  readonly #tmp: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, "files");
    this.#tmp = join(this.#dir, "tmp");
    mkdirSync(this.#tmp, { recursive: true });
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a file key: ${key}`);
    return join(this.#dir, key.slice(0, 2), key);
  }

  async put(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedFile> {
    const tmp = join(this.#tmp, randomBytes(16).toString("hex"));
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
      commit: () => this.#place(tmp, key),
      discard: () => rm(tmp, { force: true }),
    };
  }

  async putBytes(bytes: Uint8Array): Promise<string> {
    const key = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
    const tmp = join(this.#tmp, randomBytes(16).toString("hex"));
    await Bun.write(tmp, bytes);
    await this.#place(tmp, key);
    return key;
  }

  /** A rename is atomic: readers see the whole file or none (the same bytes may already be there). */
  async #place(tmp: string, key: string): Promise<void> {
    const path = this.#path(key);
    mkdirSync(join(this.#dir, key.slice(0, 2)), { recursive: true });
    await rename(tmp, path);
  }

  async get(key: string): Promise<Blob | null> {
    const path = this.#path(key);
    const exists = await stat(path).then(() => true, () => false);
    return exists ? Bun.file(path) : null;
  }

  async remove(key: string): Promise<void> {
    await unlink(this.#path(key)).catch(() => {});
  }
}
