/**
 * Modal dialog on the native <dialog> (showModal makes the page inert); Tab is also
 * trapped, Escape and a click on the backdrop close it, focus returns to the opener.
 */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { cn } from "./cn";
import { focusables, trapTab } from "./focus";
import { CloseIcon } from "./icons";

export interface DialogProps {
  open: boolean;
  onClose(): void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** "center": a card; "drawer": a full-height panel from the left (mobile navigation); "sheet": one from the right. */
  variant?: "center" | "drawer" | "sheet";
  className?: string;
  hideTitle?: boolean;
}

export function Dialog({ open, onClose, title, description, children, variant = "center", className, hideTitle }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    const auto = dialog.querySelector<HTMLElement>("[autofocus],[data-autofocus]");
    (auto ?? focusables(dialog)[0] ?? dialog).focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener && document.contains(opener)) opener.focus();
    };
  }, [open]);

  if (!open) return null;

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      onKeyDown={(e) => ref.current && trapTab(e, ref.current)}
      onMouseDown={(e) => {
        if (e.target === ref.current) onCloseRef.current();
      }}
      className={cn(
        "bg-transparent p-0 text-zinc-900 outline-none dark:text-zinc-100",
        variant === "center"
          ? "m-auto w-[calc(100%-2rem)] max-w-md animate-pop"
          : variant === "sheet"
            ? "m-0 ml-auto h-dvh max-h-none w-[min(18rem,calc(100%-3rem))] max-w-none animate-slide-in-right"
            : "m-0 h-dvh max-h-none w-[min(20rem,calc(100%-3rem))] max-w-none animate-slide-in",
      )}
    >
      <div
        className={cn(
          "relative bg-white shadow-2xl ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10",
          variant === "center" ? "rounded-2xl p-6" : "flex h-full flex-col",
          className,
        )}
      >
        <div className={cn(hideTitle && "sr-only", variant === "center" && "mb-5 pr-8")}>
          <h2 id={titleId} className="text-lg font-semibold tracking-tight">
            {title}
          </h2>
          {description ? (
            <p id={descId} className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
              {description}
            </p>
          ) : null}
        </div>
        <button
          type="button"
          onClick={() => onCloseRef.current()}
          aria-label="Close"
          className={cn(
            "absolute right-3 top-3 z-10 rounded-md p-1.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-600 dark:hover:bg-zinc-800 dark:hover:text-zinc-200",
          )}
        >
          <CloseIcon className="size-5" />
        </button>
        {children}
      </div>
    </dialog>
  );
}
