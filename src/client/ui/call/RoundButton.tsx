/** The round buttons of the call screens; the label is the accessible name and the tooltip. */
import type { ButtonHTMLAttributes, ReactNode, Ref } from "react";
import { cn } from "../common/cn";

type Tone = "neutral" | "off" | "danger" | "accept" | "active";

const TONES: Record<Tone, string> = {
  neutral: "bg-white/10 text-white hover:bg-white/20",
  // Something is switched off (muted mic, camera off): stands out like in Meet.
  off: "bg-red-500/90 text-white hover:bg-red-500",
  danger: "bg-red-600 text-white hover:bg-red-500",
  accept: "bg-emerald-500 text-white hover:bg-emerald-400",
  active: "bg-brand-500 text-white hover:bg-brand-400",
};

export function RoundButton({
  label,
  tone = "neutral",
  wide = false,
  badge,
  className,
  children,
  ...rest
}: { label: string; tone?: Tone; wide?: boolean; badge?: number; children: ReactNode; ref?: Ref<HTMLButtonElement> } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      className={cn(
        "relative inline-flex shrink-0 items-center justify-center rounded-full transition-colors",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white disabled:cursor-not-allowed disabled:opacity-40",
        wide ? "size-10 sm:h-12 sm:w-16" : "size-10 sm:size-12",
        TONES[tone],
        className,
      )}
      {...rest}
    >
      {children}
      {badge ? (
        <span aria-hidden="true" className="absolute -right-0.5 -top-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-red-500 px-1 text-[0.625rem] font-bold">
          {badge > 9 ? "9+" : badge}
        </span>
      ) : null}
    </button>
  );
}
