import type { ReactNode } from "react";
import { useMediaQuery } from "../common/useMediaQuery";

/** The title bar at the top of the main pane (on narrow screens the shell's top bar has the title). */
export function PageHeader({ title, icon, actions }: { title: string; icon?: ReactNode; actions?: ReactNode }) {
  const wide = useMediaQuery("(min-width: 48rem)");
  if (!wide) return actions ? <div className="flex justify-end gap-2 px-4 pt-4">{actions}</div> : null;
  return (
    <div className="flex h-14 items-center gap-3 border-b border-zinc-200/80 px-4 sm:px-8 dark:border-zinc-800">
      {icon ? <span className="text-zinc-400 dark:text-zinc-500">{icon}</span> : null}
      <h1 className="text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">{title}</h1>
      {actions ? <div className="ml-auto flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}
