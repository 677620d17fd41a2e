/** A space's round icon: its uploaded image, or its initials on a colour picked from its id. */
import { useEffect, useState } from "react";
import { cn } from "../common/cn";

const PALETTE = ["bg-brand-500", "bg-emerald-500", "bg-sky-500", "bg-amber-500", "bg-rose-500", "bg-violet-500", "bg-teal-500", "bg-fuchsia-500"];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function spaceInitials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 3).map((w) => [...w][0] ?? "").join("").toUpperCase() || "?";
}

const SIZES = { sm: "size-8 text-xs", md: "size-12 text-base", lg: "size-20 text-2xl" } as const;

export function SpaceIcon({
  space,
  size = "md",
  className,
}: {
  space: { id: string; name: string; iconUrl: string | null };
  size?: keyof typeof SIZES;
  className?: string;
}) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [space.iconUrl]);
  const base = cn("inline-flex shrink-0 items-center justify-center overflow-hidden font-semibold", SIZES[size], className);
  if (space.iconUrl && !broken) {
    return <img src={space.iconUrl} alt="" onError={() => setBroken(true)} className={cn(base, "bg-zinc-200 object-cover dark:bg-zinc-800")} />;
  }
  return (
    <span aria-hidden="true" className={cn(base, "text-white", PALETTE[hash(space.id) % PALETTE.length])}>
      {spaceInitials(space.name)}
    </span>
  );
}
