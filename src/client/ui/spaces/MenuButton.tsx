/**
 * A button that opens a menu (ARIA menu pattern): arrow keys, Home and End move, Escape closes
 * and returns focus to the button, a click outside closes.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { cn } from "../common/cn";
import { CheckIcon } from "../common/icons";

/** With `checked` set (true or false) the entry is one of a group of choices (menuitemradio). */
export type MenuEntry = { label: string; icon?: ReactNode; onSelect(): void; danger?: boolean; testId?: string; checked?: boolean } | "separator";

export function MenuButton({
  label,
  children,
  items,
  className,
  menuClassName,
  testId,
}: {
  /** The accessible name of the button (and the menu). */
  label: string;
  children: ReactNode;
  items: MenuEntry[];
  className?: string;
  menuClassName?: string;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const focusLast = useRef(false);
  const id = useId();

  const entries = () => Array.from(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []);

  useEffect(() => {
    if (!open) return;
    const list = entries();
    (focusLast.current ? list[list.length - 1] : list[0])?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  function onMenuKey(e: React.KeyboardEvent) {
    const list = entries();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => list[(n + list.length) % list.length]?.focus();
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(list.length - 1);
    else if (e.key === "Escape") {
      setOpen(false);
      trigger.current?.focus();
    } else if (e.key === "Tab") return setOpen(false);
    else return;
    e.preventDefault();
  }

  return (
    <div ref={wrap} className="relative">
      <button
        ref={trigger}
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        data-testid={testId}
        onClick={() => {
          focusLast.current = false;
          setOpen((o) => !o);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            focusLast.current = e.key === "ArrowUp";
            setOpen(true);
          }
        }}
        className={className}
      >
        {children}
      </button>
      {open ? (
        <div
          ref={menu}
          id={id}
          role="menu"
          aria-label={label}
          onKeyDown={onMenuKey}
          className={cn(
            "absolute z-40 mt-1.5 animate-pop rounded-xl bg-white p-1.5 shadow-xl ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10",
            menuClassName,
          )}
        >
          {items.map((item, i) =>
            item === "separator" ? (
              <div key={`sep${i}`} role="separator" className="-mx-1.5 my-1.5 h-px bg-zinc-100 dark:bg-zinc-800" />
            ) : (
              <button
                key={item.label}
                type="button"
                role={item.checked === undefined ? "menuitem" : "menuitemradio"}
                aria-checked={item.checked}
                tabIndex={-1}
                data-testid={item.testId}
                onClick={() => {
                  setOpen(false);
                  trigger.current?.focus();
                  item.onSelect();
                }}
                className={cn(
                  "flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm outline-none transition-colors",
                  "focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-500",
                  item.danger
                    ? "text-red-600 hover:bg-red-50 focus:bg-red-50 dark:text-red-400 dark:hover:bg-red-500/10 dark:focus:bg-red-500/10"
                    : "text-zinc-700 hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800",
                )}
              >
                {item.checked === undefined ? null : <CheckIcon className={cn("size-4 shrink-0 text-brand-600 dark:text-brand-400", !item.checked && "invisible")} />}
                <span className="flex-1">{item.label}</span>
                {item.icon ? <span className={cn("shrink-0", item.danger ? "" : "text-zinc-400 dark:text-zinc-500")}>{item.icon}</span> : null}
              </button>
            ),
          )}
        </div>
      ) : null}
    </div>
  );
}
