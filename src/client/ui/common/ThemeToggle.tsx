/** System / Light / Dark segmented control (a radio group: arrow keys move the choice). */
import { useRef } from "react";
import { useTheme, type ThemeMode } from "../../state/theme";
import { cn } from "./cn";
import { MonitorIcon, MoonIcon, SunIcon } from "./icons";

const OPTIONS: Array<{ mode: ThemeMode; label: string; Icon: typeof SunIcon }> = [
  { mode: "system", label: "System", Icon: MonitorIcon },
  { mode: "light", label: "Light", Icon: SunIcon },
  { mode: "dark", label: "Dark", Icon: MoonIcon },
];

export function ThemeToggle({ className, showLabels = false }: { className?: string; showLabels?: boolean }) {
  const mode = useTheme((s) => s.mode);
  const setMode = useTheme((s) => s.setMode);
  const refs = useRef<Array<HTMLButtonElement | null>>([]);

  function onKeyDown(e: React.KeyboardEvent, index: number) {
    const delta = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = (index + delta + OPTIONS.length) % OPTIONS.length;
    setMode(OPTIONS[next]!.mode);
    refs.current[next]?.focus();
  }

  return (
    <div
      role="radiogroup"
      aria-label="Theme"
      className={cn("inline-flex items-center gap-0.5 rounded-lg bg-zinc-100 p-0.5 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-800/80 dark:ring-zinc-700/60", className)}
    >
      {OPTIONS.map(({ mode: m, label, Icon }, i) => {
        const checked = m === mode;
        return (
          <button
            key={m}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="radio"
            aria-checked={checked}
            aria-label={showLabels ? undefined : label}
            title={label}
            tabIndex={checked ? 0 : -1}
            onClick={() => setMode(m)}
            onKeyDown={(e) => onKeyDown(e, i)}
            className={cn(
              "inline-flex items-center justify-center gap-1.5 rounded-md text-xs font-medium transition-colors",
              showLabels ? "h-7 flex-1 px-2.5" : "size-7",
              checked
                ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-700 dark:text-white"
                : "text-zinc-500 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200",
            )}
          >
            <Icon className="size-4" />
            {showLabels ? label : null}
          </button>
        );
      })}
    </div>
  );
}
