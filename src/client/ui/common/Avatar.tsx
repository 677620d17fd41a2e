import { useEffect, useState } from "react";
import { cn } from "./cn";

const PALETTE = [
  "bg-rose-500", "bg-orange-500", "bg-amber-500", "bg-emerald-500",
  "bg-teal-500", "bg-sky-500", "bg-indigo-500", "bg-violet-500", "bg-fuchsia-500",
];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** The colour an avatar without a picture gets, also the profile card's banner. */
export function avatarColor(seed: string): string {
  return PALETTE[hash(seed) % PALETTE.length]!;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const second = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "";
  return (first + second).toUpperCase();
}

const SIZES = { sm: "size-8 text-xs", md: "size-10 text-sm", lg: "size-16 text-xl", xl: "size-20 text-2xl" } as const;

export function Avatar({
  name,
  seed,
  src,
  size = "md",
  className,
}: {
  name: string;
  seed?: string;
  src?: string | null;
  size?: keyof typeof SIZES;
  className?: string;
}) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [src]);
  const base = cn("inline-flex shrink-0 items-center justify-center overflow-hidden rounded-full font-semibold", SIZES[size], className);
  if (src && !broken) {
    return (
      <img
        src={src}
        alt=""
        referrerPolicy="no-referrer"
        onError={() => setBroken(true)}
        className={cn(base, "bg-zinc-200 object-cover dark:bg-zinc-800")}
      />
    );
  }
  return (
    <span aria-hidden="true" className={cn(base, "text-white", avatarColor(seed ?? name))}>
      {initials(name)}
    </span>
  );
}
