import { useCall } from "../../state/call";
import { useUi, type Toast } from "../../state/ui";
import { cn } from "./cn";
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from "./icons";

const TONE_BADGE: Record<Toast["tone"], string> = { success: "bg-emerald-500", error: "bg-red-500", info: "bg-zinc-500" };

/** Transient confirmations, announced politely to screen readers. */
export function Toaster() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismissToast);
  // Above the call view's controls while it is open.
  const inCall = useCall((s) => s.phase === "active");
  return (
    <div
      aria-live="polite"
      className={cn("pointer-events-none fixed inset-x-0 z-50", inCall ? "bottom-20" : "bottom-0", "flex flex-col items-center gap-2 p-4 sm:items-end sm:p-6")}
    >
      {toasts.map((t) => (
        <div
          key={t.id}
          role="status"
          data-tone={t.tone}
          className="pointer-events-auto flex w-full max-w-sm animate-pop items-center gap-3 rounded-xl bg-zinc-900 py-3 pl-4 pr-2 text-sm text-white shadow-lg ring-1 ring-white/10 dark:bg-zinc-800"
        >
          <span className={cn("flex size-5 items-center justify-center rounded-full", TONE_BADGE[t.tone])}>
            {t.tone === "success" ? <CheckIcon className="size-3.5" strokeWidth={3} /> : t.tone === "error" ? <AlertIcon className="size-3.5" strokeWidth={2.5} /> : <InfoIcon className="size-3.5" strokeWidth={3} />}
          </span>
          <span className="flex-1">{t.message}</span>
          <button
            type="button"
            onClick={() => dismiss(t.id)}
            className="rounded-md p-1 text-zinc-400 hover:bg-white/10 hover:text-white"
          >
            <span className="sr-only">Dismiss</span>
            <CloseIcon className="size-4" />
          </button>
        </div>
      ))}
    </div>
  );
}
