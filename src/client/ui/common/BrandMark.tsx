/** The Parley logo: a speech bubble on a violet tile, optionally with the wordmark. */
import { useId } from "react";
import { cn } from "./cn";

export function BrandLogo({ className = "size-8" }: { className?: string }) {
  const id = useId();
  return (
    <svg viewBox="0 0 32 32" className={cn("shrink-0", className)} aria-hidden="true">
      <defs>
        <linearGradient id={id} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#818cf8" />
          <stop offset="1" stopColor="#6d28d9" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill={`url(#${id})`} />
      <path
        d="M8 11a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3h-6l-4.3 3.5a.6.6 0 0 1-1-.5v-3.1A3 3 0 0 1 8 17Z"
        fill="#fff"
      />
      <circle cx="13" cy="14" r="1.3" fill="#6d28d9" />
      <circle cx="16" cy="14" r="1.3" fill="#6d28d9" />
      <circle cx="19" cy="14" r="1.3" fill="#6d28d9" />
    </svg>
  );
}

export function BrandMark({ className, size = "md" }: { className?: string; size?: "md" | "lg" }) {
  return (
    <span className={cn("inline-flex items-center gap-2.5", className)}>
      <BrandLogo className={size === "lg" ? "size-10" : "size-8"} />
      <span
        className={cn(
          "font-semibold tracking-tight text-zinc-900 dark:text-white",
          size === "lg" ? "text-2xl" : "text-lg",
        )}
      >
        Parley
      </span>
    </span>
  );
}
