/**
 * A message's files: images and video inline in a box sized before the bytes arrive (from the
 * server's measurements; a video it could not measure gets a 16:9 frame), images open in a
 * lightbox, audio plays in place, anything else is a card with name, size and type that downloads.
 */
import { useEffect, useState } from "react";
import type { Attachment } from "../../../shared/attachments";
import { DownloadIcon, FileIcon, XIcon } from "../common/chatIcons";

/** Longest side of an inline image, in CSS pixels. */
const MAX_INLINE = 320;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** "PDF", "ZIP", "Text": what a card says the file is. */
function typeLabel(a: Attachment): string {
  const sub = a.mime.split("/")[1] ?? "";
  if (a.mime === "text/plain") return "Text";
  if (a.mime === "application/octet-stream") return "File";
  return sub.replace(/^x-/, "").replace(/\+xml$/, "").toUpperCase();
}

function inlineSize(a: Attachment, fallback: { width: number; height: number }): { width: number; height: number } {
  const w = a.width ?? fallback.width;
  const h = a.height ?? fallback.height;
  const scale = Math.min(1, MAX_INLINE / w, MAX_INLINE / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

function Lightbox({ attachment, onClose }: { attachment: Attachment; onClose(): void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div role="dialog" aria-modal="true" aria-label={attachment.name} data-testid="lightbox" className="fixed inset-0 z-50 flex flex-col bg-black/90" onClick={onClose}>
      <div className="flex items-center gap-3 px-4 py-3 text-sm text-zinc-200" onClick={(e) => e.stopPropagation()}>
        <span className="min-w-0 flex-1 truncate">{attachment.name}</span>
        <a href={`${attachment.url}?download`} download={attachment.name} className="flex items-center gap-1 rounded-md px-2 py-1 hover:bg-white/10">
          <DownloadIcon className="size-4" /> Download
        </a>
        <button type="button" onClick={onClose} aria-label="Close" autoFocus className="rounded-md p-1 hover:bg-white/10">
          <XIcon className="size-5" />
        </button>
      </div>
      <div className="flex min-h-0 flex-1 items-center justify-center p-4">
        <img
          src={attachment.url}
          alt={attachment.name}
          width={attachment.width}
          height={attachment.height}
          onClick={(e) => e.stopPropagation()}
          className="max-h-full max-w-full object-contain"
          style={attachment.width && attachment.height ? { aspectRatio: `${attachment.width} / ${attachment.height}` } : undefined}
        />
      </div>
    </div>
  );
}

function InlineImage({ a }: { a: Attachment }) {
  const [open, setOpen] = useState(false);
  const { width, height } = inlineSize(a, { width: MAX_INLINE, height: MAX_INLINE });
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} aria-label={`Open ${a.name}`} className="block max-w-full overflow-hidden rounded-lg bg-zinc-100 dark:bg-zinc-800" style={{ width }}>
        <img src={a.thumbUrl ?? a.url} alt={a.name} width={width} height={height} loading="lazy" data-testid="attachment-image" className="block h-auto w-full" style={{ aspectRatio: `${width} / ${height}` }} />
      </button>
      {open ? <Lightbox attachment={a} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function InlineVideo({ a }: { a: Attachment }) {
  const { width, height } = inlineSize(a, { width: 1600, height: 900 });
  return (
    <video
      src={a.url}
      controls
      preload="metadata"
      width={width}
      height={height}
      data-testid="attachment-video"
      className="block h-auto max-w-full rounded-lg bg-black object-contain"
      style={{ width, aspectRatio: `${width} / ${height}` }}
    />
  );
}

function FileCard({ a }: { a: Attachment }) {
  return (
    <a
      href={`${a.url}?download`}
      download={a.name}
      data-testid="attachment-card"
      className="flex w-72 max-w-full items-center gap-3 rounded-lg border border-zinc-200 bg-white px-3 py-2.5 hover:bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:bg-zinc-800/70"
    >
      <FileIcon className="size-8 shrink-0 text-brand-600 dark:text-brand-400" />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{a.name}</span>
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">
          {formatBytes(a.size)} · {typeLabel(a)}
        </span>
      </span>
      <DownloadIcon className="size-5 shrink-0 text-zinc-400" />
    </a>
  );
}

export function Attachments({ attachments }: { attachments: readonly Attachment[] }) {
  return (
    <div className="mt-1 flex flex-wrap items-start gap-2" data-testid="attachments">
      {attachments.map((a) =>
        a.kind === "image" ? (
          <InlineImage key={a.id} a={a} />
        ) : a.kind === "video" ? (
          <InlineVideo key={a.id} a={a} />
        ) : a.kind === "audio" ? (
          <figure key={a.id} className="w-80 max-w-full">
            <figcaption className="truncate text-xs text-zinc-500">{a.name}</figcaption>
            <audio src={a.url} controls preload="none" className="w-full" />
          </figure>
        ) : (
          <FileCard key={a.id} a={a} />
        ),
      )}
    </div>
  );
}
