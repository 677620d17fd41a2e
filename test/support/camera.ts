/**
 * A small fake camera (320×180, 15 fps, a bar sweeping across) for call suites with many pages:
 * Chromium loops the file instead of its 640×360 pattern, so several pages encoding and
 * decoding at once stay affordable on a small machine.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium flag that makes the fake camera play the small clip (written once per process). */
export function smallCameraFlag(): string {
  return `--use-file-for-fake-video-capture=${(clip ??= writeClip())}`;
}

let clip: string | undefined;

function writeClip(): string {
  const [w, h, frames] = [320, 180, 15];
  const parts: Uint8Array[] = [new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F15:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f++) {
    const y = new Uint8Array(w * h).fill(60);
    for (let row = 0; row < h; row++) y.fill(220, row * w + f * 20, row * w + f * 20 + 20);
    parts.push(new TextEncoder().encode("FRAME\n"), y, new Uint8Array((w * h) / 2).fill(128));
  }
  const path = join(mkdtempSync(join(tmpdir(), "parley-cam-")), "camera.y4m");
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
