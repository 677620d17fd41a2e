/** Signal bars for one direction of the call; the numbers behind them on hover or keyboard focus. */
import type { LinkQuality } from "../../rtc/quality";
import { cn } from "../common/cn";

const LABELS = ["No connection", "Poor", "Fair", "Good", "Excellent"] as const;
const TONES = ["bg-red-500", "bg-red-500", "bg-amber-400", "bg-emerald-400", "bg-emerald-400"] as const;

const HEIGHTS = ["h-[5px]", "h-[8px]", "h-[11px]", "h-[14px]"] as const;

const show = (v: number | null, unit: string) => (v === null ? "—" : `${v} ${unit}`);

export function QualityIndicator({
  link,
  relayed,
  label,
  align = "left",
  className,
}: {
  link: LinkQuality | null;
  relayed: boolean;
  label: string;
  align?: "left" | "right";
  className?: string;
}) {
  const bars = link?.bars ?? 0;
  const text = link ? LABELS[bars] : "Measuring…";
  return (
    // Positioned by the caller (absolute), which also anchors the tooltip.
    <span className={cn("group inline-flex", className)}>
      <button
        type="button"
        data-testid="quality-indicator"
        data-bars={link ? bars : undefined}
        aria-label={`${label} connection quality: ${text}`}
        className="flex h-6 items-end gap-0.5 rounded-md bg-black/45 px-1.5 py-1 backdrop-blur focus-visible:outline-2 focus-visible:outline-white"
      >
        {[1, 2, 3, 4].map((n) => (
          <span
            key={n}
            aria-hidden="true"
            className={cn("w-[3px] rounded-sm", HEIGHTS[n - 1], n <= bars ? TONES[bars] : "bg-white/30")}
          />
        ))}
      </button>
      <span
        role="tooltip"
        className={cn(
          "pointer-events-none invisible absolute top-full z-20 mt-1.5 w-48 rounded-lg bg-zinc-900/95 p-2.5 text-xs text-zinc-200 opacity-0 shadow-xl ring-1 ring-white/10 transition-opacity",
          "group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100",
          align === "left" ? "left-0" : "right-0",
        )}
      >
        <span className="mb-1 block font-semibold text-white">
          {label}: {text}
        </span>
        <Row name="Round trip" value={show(link?.rttMs ?? null, "ms")} />
        <Row name="Packet loss" value={show(link?.lossPct ?? null, "%")} />
        <Row name="Bitrate" value={show(link?.bitrateKbps ?? null, "kbps")} />
        <Row name="Jitter" value={show(link?.jitterMs ?? null, "ms")} />
        {relayed ? <span className="mt-1 block text-zinc-400">Through a relay server</span> : null}
      </span>
    </span>
  );
}

function Row({ name, value }: { name: string; value: string }) {
  return (
    <span className="flex justify-between gap-2 tabular-nums">
      <span className="text-zinc-400">{name}</span>
      <span>{value}</span>
    </span>
  );
}
