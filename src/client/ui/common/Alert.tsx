import type { ReactNode } from "react";
import { cn } from "./cn";
import { AlertIcon } from "./icons";

/** A form-level message (role="alert" so screen readers announce it). */
export function Alert({ children, tone = "error", className }: { children: ReactNode; tone?: "error" | "info"; className?: string }) {
  return (
    <div
      role="alert"
      className={cn(
        "flex items-start gap-2.5 rounded-lg px-3.5 py-3 text-sm",
        tone === "error"
          ? "bg-red-50 text-red-700 ring-1 ring-inset ring-red-200 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-500/25"
          : "bg-brand-50 text-brand-800 ring-1 ring-inset ring-brand-200 dark:bg-brand-500/10 dark:text-brand-200 dark:ring-brand-500/25",
        className,
      )}
    >
      <AlertIcon className="mt-px size-4.5 shrink-0" />
      <div>{children}</div>
    </div>
  );
}
