/** After a call: why it ended ("They're in another call", "Call ended"…), and the recording if one was made. */
import { dismissEnded, useCall } from "../../state/call";
import { CloseIcon } from "../common/icons";
import { CallIcon, DownloadIcon } from "./callIcons";
import { formatBytes } from "./StreamVideo";

export function CallEndedNotice() {
  const ended = useCall((s) => s.ended);
  if (!ended) return null;
  const rec = ended.recording?.status === "done" ? ended.recording : null;
  return (
    <div className="pointer-events-none fixed inset-x-0 top-0 z-50 flex justify-center p-3 sm:top-4">
      <div
        role="status"
        data-testid="call-ended"
        data-reason={ended.reason}
        className="pointer-events-auto flex w-full max-w-sm animate-pop items-center gap-3 rounded-2xl bg-zinc-900 py-3 pl-4 pr-2 text-sm text-white shadow-xl ring-1 ring-white/10"
      >
        <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-white/10">
          <CallIcon className="size-4" />
        </span>
        <div className="min-w-0 flex-1">
          <p className="font-medium">{ended.message}</p>
          {rec ? (
            <a
              href={rec.url}
              download={rec.fileName}
              data-testid="recording-download"
              className="mt-0.5 inline-flex items-center gap-1 text-brand-300 underline-offset-2 hover:underline"
            >
              <DownloadIcon className="size-3.5" />
              Download recording ({formatBytes(rec.size)})
            </a>
          ) : null}
        </div>
        <button type="button" onClick={dismissEnded} aria-label="Dismiss" className="rounded-md p-1.5 text-zinc-400 hover:bg-white/10 hover:text-white">
          <CloseIcon className="size-4" />
        </button>
      </div>
    </div>
  );
}
