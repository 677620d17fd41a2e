/** The composer's files: each with its progress, cancel while it uploads, retry when it failed, remove once done. */
import { removeUpload, retryUpload, useUploads, type Upload } from "../../state/uploads";
import { FileIcon, RetryIcon, XIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { formatBytes } from "./Attachments";

function Item({ u }: { u: Upload }) {
  const pct = Math.round(u.progress * 100);
  return (
    <li
      data-testid="upload"
      data-status={u.status}
      className={cn(
        "relative flex w-56 items-center gap-2 overflow-hidden rounded-lg border bg-white px-2.5 py-2 text-xs dark:bg-zinc-950",
        u.status === "failed" ? "border-red-300 dark:border-red-900" : "border-zinc-200 dark:border-zinc-800",
      )}
    >
      <FileIcon className="size-5 shrink-0 text-zinc-400" />
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium text-zinc-800 dark:text-zinc-200">{u.file.name}</span>
        <span className={cn("block truncate", u.status === "failed" ? "text-red-600 dark:text-red-400" : "text-zinc-500")}>
          {u.status === "failed" ? u.error : u.status === "uploading" ? `${pct}% of ${formatBytes(u.file.size)}` : formatBytes(u.file.size)}
        </span>
      </span>
      {u.status === "failed" ? (
        <button type="button" onClick={() => retryUpload(u.conversationId, u.key)} aria-label={`Retry ${u.file.name}`} className="rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800">
          <RetryIcon className="size-4" />
        </button>
      ) : null}
      <button
        type="button"
        onClick={() => removeUpload(u.conversationId, u.key)}
        aria-label={u.status === "uploading" ? `Cancel ${u.file.name}` : `Remove ${u.file.name}`}
        className="rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
      >
        <XIcon className="size-4" />
      </button>
      {u.status === "uploading" ? (
        <div role="progressbar" aria-label={`Uploading ${u.file.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="absolute inset-x-0 bottom-0 h-1 bg-zinc-200 dark:bg-zinc-800">
          <div className="h-full bg-brand-500 transition-[width]" style={{ width: `${pct}%` }} />
        </div>
      ) : null}
    </li>
  );
}

export function UploadTray({ conversationId }: { conversationId: string }) {
  const uploads = useUploads((s) => s[conversationId]);
  if (!uploads?.length) return null;
  return (
    <ul className="mb-2 flex flex-wrap gap-2" aria-label="Files to send" data-testid="upload-tray">
      {uploads.map((u) => (
        <Item key={u.key} u={u} />
      ))}
    </ul>
  );
}
