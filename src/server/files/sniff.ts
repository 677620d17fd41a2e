/**
 * A file's type from its first bytes (magic numbers), never from its name or a client's claim.
 * Only the media types browsers show without running anything count as inline; everything else
 * (html, svg, xml, scripts, pdf, archives, unknown bytes) is served as a download.
 */
import type { AttachmentKind } from "../../shared/attachments";

export interface Sniffed {
  mime: string;
  kind: AttachmentKind;
}

/** Bytes the sniffer looks at. */
export const SNIFF_BYTES = 4096;

const ascii = (b: Uint8Array, at: number, s: string) => s.length + at <= b.length && [...s].every((ch, i) => b[at + i] === ch.charCodeAt(0));
const starts = (b: Uint8Array, bytes: number[]) => bytes.every((x, i) => b[i] === x);

const BINARY: Array<{ mime: string; kind: AttachmentKind; test: (b: Uint8Array) => boolean }> = [
  { mime: "image/png", kind: "image", test: (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mime: "image/jpeg", kind: "image", test: (b) => starts(b, [0xff, 0xd8, 0xff]) },
  { mime: "image/gif", kind: "image", test: (b) => ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a") },
  { mime: "image/webp", kind: "image", test: (b) => ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP") },
  { mime: "audio/wav", kind: "audio", test: (b) => ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE") },
  { mime: "video/webm", kind: "video", test: (b) => starts(b, [0x1a, 0x45, 0xdf, 0xa3]) },
  { mime: "audio/mp4", kind: "audio", test: (b) => ascii(b, 4, "ftypM4A") },
  { mime: "video/quicktime", kind: "file", test: (b) => ascii(b, 4, "ftypqt") },
  { mime: "video/mp4", kind: "video", test: (b) => ascii(b, 4, "ftyp") },
  { mime: "audio/ogg", kind: "audio", test: (b) => ascii(b, 0, "OggS") },
  { mime: "audio/flac", kind: "audio", test: (b) => ascii(b, 0, "fLaC") },
  { mime: "audio/mpeg", kind: "audio", test: (b) => ascii(b, 0, "ID3") || (b[0] === 0xff && (b[1]! & 0xe6) === 0xe2) },
  { mime: "application/pdf", kind: "file", test: (b) => ascii(b, 0, "%PDF-") },
  { mime: "application/zip", kind: "file", test: (b) => starts(b, [0x50, 0x4b, 0x03, 0x04]) },
  { mime: "application/gzip", kind: "file", test: (b) => starts(b, [0x1f, 0x8b]) },
  { mime: "image/bmp", kind: "file", test: (b) => ascii(b, 0, "BM") && b.length > 14 && b[6] === 0 && b[7] === 0 },
];

/** What browsers render as a document (and so could run script in): never inline, served as a download. */
const MARKUP: Array<{ mime: string; test: RegExp }> = [
  { mime: "image/svg+xml", test: /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!doctype svg[^>]*>\s*)*<svg[\s>]/i },
  { mime: "text/html", test: /^(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|script|iframe|div|p|a|img|style|title|table|h1|br|b|font)[\s>/]/i },
  { mime: "application/xml", test: /^<\?xml/i },
];

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function text(b: Uint8Array): string | null {
  if (b.includes(0)) return null;
  // The prefix may end inside a multi-byte character: drop up to three trailing bytes.
  for (let cut = 0; cut < 4 && cut < b.length; cut++) {
    try {
      return UTF8.decode(b.subarray(0, b.length - cut));
    } catch {
      if (b.length <= SNIFF_BYTES - 4) return null;
    }
  }
  return null;
}

export function sniff(head: Uint8Array): Sniffed {
  const b = head.subarray(0, SNIFF_BYTES);
  const binary = BINARY.find((s) => s.test(b));
  if (binary) return { mime: binary.mime, kind: binary.kind };
  const t = text(b);
  if (t === null) return { mime: "application/octet-stream", kind: "file" };
  const trimmed = t.replace(/^\uFEFF/, "").trimStart();
  const markup = MARKUP.find((m) => m.test.test(trimmed));
  return { mime: markup?.mime ?? "text/plain", kind: "file" };
}

/** Types served inline (with the sandbox CSP and nosniff still); every other one only as a download. */
export const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "video/webm", "audio/mpeg", "audio/ogg", "audio/wav", "audio/flac", "audio/mp4"]);
