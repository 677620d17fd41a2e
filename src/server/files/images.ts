/**
 * Uploaded images (avatars, space icons) in the FileStore, so that every node serves what any
 * node took (on disk or in an S3-compatible bucket, as attachments). The type is decided by the
 * file's own bytes, never by what the client claims, and only a few raster formats pass. Each
 * image is stored under a key of its own name, not of its bytes: two records holding the same
 * picture must not share it, or removing one would take the other's.
 * Images used to live under DATA_DIR/images on the node that took them: each node copies what it
 * has there into the FileStore at start (migrateLegacy), and a read not found there yet looks
 * on this node's disk too.
 */
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { sha256Hex, type FileStore } from "./file-store";
import { sniff } from "./sniff";

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

export const MAX_IMAGE_BYTES = 512 * 1024;

export function sniffImage(bytes: Uint8Array): { mime: string; ext: string } | null {
  const { mime } = sniff(bytes);
  const ext = EXTENSIONS[mime];
  return ext && bytes.length >= 12 ? { mime, ext } : null;
}

const NAME = /^[0-9a-f-]{36}\.(png|jpg|gif|webp)$/;

/** The FileStore key an image's name is stored under. */
export const imageKey = (name: string) => sha256Hex(new TextEncoder().encode(`image:${name}`));

export class ImageStore {
  /** Where images were kept before they went to the FileStore. */
  readonly #legacy: string;

  constructor(
    private readonly files: FileStore,
    dataDir: string,
  ) {
    this.#legacy = join(dataDir, "images");
  }

  /** Stores the image and returns its file name. */
  async save(bytes: Uint8Array): Promise<string> {
    if (bytes.length > MAX_IMAGE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `Images are limited to ${MAX_IMAGE_BYTES / 1024} KB`);
    const kind = sniffImage(bytes);
    if (!kind) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Upload a PNG, JPEG, GIF or WebP image");
    const name = `${newId()}.${kind.ext}`;
    await this.files.putBytes(bytes, imageKey(name));
    return name;
  }

  /** The image's bytes and type; null when there is no such image. */
  async file(name: string): Promise<{ file: Blob | ReadableStream<Uint8Array>; mime: string } | null> {
    if (!NAME.test(name)) return null;
    const ext = name.split(".").pop();
    const mime = Object.keys(EXTENSIONS).find((m) => EXTENSIONS[m] === ext)!;
    const stored = (await this.files.get(imageKey(name))) ?? ((await this.#migrate(name)) ? await this.files.get(imageKey(name)) : null);
    return stored && { file: stored.body(), mime };
  }

  async remove(name: string | null): Promise<void> {
    if (!name || !NAME.test(name)) return;
    await this.files.remove(imageKey(name));
    await unlink(join(this.#legacy, name)).catch(() => {});
  }

  /** Copies every image this node kept on its own disk into the FileStore; returns how many. */
  async migrateLegacy(): Promise<number> {
    const names = await readdir(this.#legacy).catch(() => [] as string[]);
    let moved = 0;
    for (const name of names.filter((n) => NAME.test(n))) if (await this.#migrate(name)) moved++;
    return moved;
  }

  /** A copy of the image from this node's old directory, if it is there; then the old file goes. */
  async #migrate(name: string): Promise<boolean> {
    const path = join(this.#legacy, name);
    const old = Bun.file(path);
    if (!(await old.exists())) return false;
    await this.files.putBytes(await old.bytes(), imageKey(name));
    await unlink(path).catch(() => {});
    return true;
  }
}
