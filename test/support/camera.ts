/**
 * Fake cameras from a file Chromium loops instead of its 640×360 pattern. The small one
 * (320×180, 15 fps, a bar sweeping across) is for call suites with many pages, so several pages
 * encoding and decoding at once stay affordable on a small machine. The noisy one is for
 * suites about bitrates: its picture compresses so badly that each simulcast layer's encoder
 * spends all the bitrate it is allowed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium flag that makes the fake camera play the small clip (written once per process). */
export function smallCameraFlag(): string {
  return `--use-file-for-fake-video-capture=${(small ??= writeClip(320, 180, (y, f) => {
    y.fill(60);
    for (let row = 0; row < 180; row++) y.fill(220, row * 320 + f * 20, row * 320 + f * 20 + 20);
  }))}`;
}

/** A 640×360 camera of fresh noise every frame (the same each run: a fixed seed). */
export function noisyCameraFlag(): string {
  let seed = 0x2545f491;
  return `--use-file-for-fake-video-capture=${(noisy ??= writeClip(640, 360, (y) => {
    for (let i = 0; i < y.length; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      y[i] = seed & 0xff;
    }
  }))}`;
}

let small: string | undefined;
let noisy: string | undefined;

/** A 15-frame, 15 fps grey clip whose luma `paint` draws, frame by frame. */
function writeClip(w: number, h: number, paint: (y: Uint8Array, frame: number) => void): string {
  const parts: Uint8Array[] = [new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F15:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < 15; f++) {
    const y = new Uint8Array(w * h);
    paint(y, f);
    parts.push(new TextEncoder().encode("FRAME\n"), y, new Uint8Array((w * h) / 2).fill(128));
  }
  const path = join(mkdtempSync(join(tmpdir(), "parley-cam-")), "camera.y4m");
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
