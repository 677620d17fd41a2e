/**
 * Uploaded images (space icons) on disk under the data directory. The type is decided by the
 * file's own bytes, never by what the client claims, and only a few raster formats pass.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { unlink } from "node:fs/promises";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { sniff } from "./sniff";

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

export const MAX_IMAGE_BYTES = 512 * 1024;

export function sniffImage(bytes: Uint8Array): { mime: string; ext: string } | null {
  const { mime } = sniff(bytes);
  const ext = EXTENSIONS[mime];
  return ext && bytes.length >= 12 ? { mime, ext } : null;
}

export class ImageStore {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, "images");
    mkdirSync(this.#dir, { recursive: true });
  }

  /** Stores the image and returns its file name. */
  async save(bytes: Uint8Array): Promise<string> {
    if (bytes.length > MAX_IMAGE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `Images are limited to ${MAX_IMAGE_BYTES / 1024} KB`);
    const kind = sniffImage(bytes);
    if (!kind) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Upload a PNG, JPEG, GIF or WebP image");
    const name = `${newId()}.${kind.ext}`;
    await Bun.write(join(this.#dir, name), bytes);
    return name;
  }

  file(name: string): { file: Bun.BunFile; mime: string } | null {
    if (!/^[0-9a-f-]{36}\.(png|jpg|gif|webp)$/.test(name)) return null;
    const ext = name.split(".").pop();
    const mime = Object.keys(EXTENSIONS).find((m) => EXTENSIONS[m] === ext)!;
    return { file: Bun.file(join(this.#dir, name)), mime };
  }

  async remove(name: string | null): Promise<void> {
    if (name && this.file(name)) await unlink(join(this.#dir, name)).catch(() => {});
  }
}
