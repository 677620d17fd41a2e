import { useId, useState, type InputHTMLAttributes, type Ref } from "react";
import { cn } from "./cn";
import { AlertIcon, EyeIcon, EyeOffIcon } from "./icons";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  error?: string | null;
  hint?: string;
  /** For passwords: a button to show the text. */
  revealable?: boolean;
  /** A length the field must not exceed, shown as a counter; longer input stays, for the error to explain. */
  limit?: number;
  ref?: Ref<HTMLInputElement>;
}

export function TextField({ label, error, hint, revealable, limit, type = "text", className, ref, ...rest }: TextFieldProps) {
  const id = useId();
  const [revealed, setRevealed] = useState(false);
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
          {label}
        </label>
        {limit !== undefined ? <Counter length={String(rest.value ?? "").length} limit={limit} /> : null}
      </div>
      <div className="relative">
        <input
          ref={ref}
          id={id}
          type={revealable && revealed ? "text" : type}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={cn(
            "block h-10 w-full rounded-lg border bg-white px-3 text-[0.9375rem] text-zinc-900 shadow-xs transition-colors sm:text-sm",
            "placeholder:text-zinc-400 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500",
            "focus:outline-none focus-visible:outline-none focus:ring-4",
            revealable && "pr-10",
            error
              ? "border-red-500 focus:border-red-500 focus:ring-red-500/15 dark:border-red-500/80"
              : "border-zinc-300 focus:border-brand-500 focus:ring-brand-500/15 dark:border-zinc-700 dark:focus:border-brand-400",
          )}
          {...rest}
        />
        {revealable ? (
          <button
            type="button"
            onClick={() => setRevealed((r) => !r)}
            aria-pressed={revealed}
            className="absolute inset-y-0 right-0 flex w-10 items-center justify-center rounded-r-lg text-zinc-400 hover:text-zinc-600 focus-visible:outline-2 focus-visible:-outline-offset-2 dark:hover:text-zinc-300"
          >
            {/* Text, not aria-label, so getByLabel("Password") matches only the input. */}
            <span className="sr-only">Show password</span>
            {revealed ? <EyeOffIcon className="size-4.5" /> : <EyeIcon className="size-4.5" />}
          </button>
        ) : null}
      </div>
      {error ? (
        <p id={`${id}-error`} className="flex items-start gap-1.5 text-[0.8125rem] text-red-600 dark:text-red-400">
          <AlertIcon className="mt-px size-4 shrink-0" />
          <span>{error}</span>
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-[0.8125rem] text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function Counter({ length, limit }: { length: number; limit: number }) {
  return (
    <span data-testid="field-counter" aria-hidden="true" className={cn("text-xs tabular-nums", length > limit ? "font-medium text-red-600 dark:text-red-400" : "text-zinc-400 dark:text-zinc-500")}>
      {length}/{limit}
    </span>
  );
}
