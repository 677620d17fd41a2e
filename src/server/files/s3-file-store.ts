/**
 * FileStore in an S3-compatible bucket (AWS S3, MinIO, Garage, R2, …) through Bun's built-in S3
 * client, so several nodes without a shared disk see the same files. Uploads are staged and
 * hashed on the node's local disk first (the key is the content's hash, known only at the end);
 * a commit then sends the bytes under `<2 hex>/<key>`, unless an object is there already.
 * Downloads stream from the bucket through the node, which checks membership on every request:
 * the bucket stays private and no presigned URL is ever handed out.
 */
import { join } from "node:path";
import { S3Client } from "bun";
import type { Config } from "../config";
import { keyPath, sha256Hex, Staging, type FileStore, type StagedFile, type StoredFile } from "./file-store";

export type S3Settings = Extract<Config["files"], { kind: "s3" }>;

/** Multipart parts for large files (S3's minimum is 5 MiB), a few in flight at once. */
const PART_BYTES = 8 * 1024 * 1024;

export class S3FileStore implements FileStore {
  readonly #client: S3Client;
  readonly #staging: Staging;

  constructor(s3: S3Settings, dataDir: string) {
    this.#client = new S3Client({
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.region ? { region: s3.region } : {}),
      partSize: PART_BYTES,
      queueSize: 4,
      retry: 3,
    });
    this.#staging = new Staging(join(dataDir, "files", "tmp"));
  }

  put(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedFile> {
    return this.#staging.put(body, maxBytes, (tmp, key) => this.#place(key, Bun.file(tmp)));
  }

  async putBytes(bytes: Uint8Array, key = sha256Hex(bytes)): Promise<string> {
    await this.#place(key, bytes);
    return key;
  }

  /** An object already under the key holds these very bytes (their hash, or an image's own name). */
  async #place(key: string, bytes: Blob | Uint8Array): Promise<void> {
    const object = this.#client.file(keyPath(key));
    if (await object.exists()) return;
    await object.write(bytes, { type: "application/octet-stream" });
  }

  async get(key: string): Promise<StoredFile | null> {
    const object = this.#client.file(keyPath(key));
    let size: number;
    try {
      size = (await object.stat()).size;
    } catch (err) {
      if (absent(err)) return null;
      throw err;
    }
    return { size, body: (range) => (range ? object.slice(range.start, range.end) : object).stream() };
  }

  async remove(key: string): Promise<void> {
    try {
      await this.#client.delete(keyPath(key));
    } catch (err) {
      if (!absent(err)) throw err;
    }
  }
}

const absent = (err: unknown) => ["NoSuchKey", "NotFound"].includes((err as { code?: string })?.code ?? "");
