/**
 * Uploaded images (space icons) on disk under the data directory. The type is decided by the
 * file's own bytes, never by what the client claims, and only a few raster formats pass.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { unlink } from "node:fs/promises";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";

const SIGNATURES: Array<{ mime: string; ext: string; test: (b: Uint8Array) => boolean }> = [
  { mime: "image/png", ext: "png", test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { mime: "image/jpeg", ext: "jpg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: "image/gif", ext: "gif", test: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38 },
  {
    mime: "image/webp",
    ext: "webp",
    test: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50,
  },
];

export const MAX_IMAGE_BYTES = 512 * 1024;

export function sniffImage(bytes: Uint8Array): { mime: string; ext: string } | null {
  return SIGNATURES.find((s) => bytes.length >= 12 && s.test(bytes)) ?? null;
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

  file(name: string): { file: Blob; mime: string } | null {
    if (!/^[0-9a-f-]{36}\.(png|jpg|gif|webp)$/.test(name)) return null;
    const ext = name.split(".").pop();
    const mime = SIGNATURES.find((s) => s.ext === ext)!.mime;
    return { file: Bun.file(join(this.#dir, name)), mime };
  }

  async remove(name: string | null): Promise<void> {
    if (name && this.file(name)) await unlink(join(this.#dir, name)).catch(() => {});
  }
}
