/**
 * The stage of a group call. A shared screen (or a pinned tile) is shown large with everyone's
 * camera in a strip; otherwise a grid that adapts to the count (1, 2, 3–4, 5–6, 7–9) and pages
 * beyond nine, rendering only the page on screen.
 */
import { useEffect, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { useCall } from "../../state/call";
import { cn } from "../common/cn";
import { ChevronRightIcon } from "../common/icons";
import { GridTile, OffPageAudio, usePerson } from "./GridTile";
import { gridShape, pageCount, pageSlice } from "./gridLayout";
import { StreamVideo } from "./StreamVideo";

function useNarrow(): boolean {
  const query = "(max-width: 639px)";
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== "undefined" && matchMedia(query).matches);
  useEffect(() => {
    const m = matchMedia(query);
    const on = () => setNarrow(m.matches);
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, []);
  return narrow;
}

function SharedScreen({ id }: { id: string }) {
  const screen = useCall((s) => s.participants[id]?.screen ?? null);
  const { name } = usePerson(id);
  return (
    <div className="relative size-full overflow-hidden rounded-xl bg-black">
      <StreamVideo stream={screen} muted fit="contain" testId="screen-video" />
      <span className="absolute left-2 top-2 rounded-md bg-black/60 px-2 py-1 text-xs font-medium">{name}'s screen</span>
    </div>
  );
}

export function CallGrid() {
  // Us first, then the others in the order they came.
  const ids = useCall(useShallow((s) => ["self", ...Object.keys(s.participants)]));
  const pinned = useCall((s) => (s.pinned && (s.pinned === "self" || s.participants[s.pinned]) ? s.pinned : null));
  const sharer = useCall((s) => Object.values(s.participants).find((p) => p.screen)?.id ?? null);
  const page = useCall((s) => s.page);
  const narrow = useNarrow();

  if (sharer || pinned) {
    const strip = sharer ? ids : ids.filter((id) => id !== pinned);
    return (
      <div className="flex size-full flex-col gap-2">
        <div className="min-h-0 flex-1">{sharer && !pinned ? <SharedScreen id={sharer} /> : <GridTile id={pinned ?? sharer!} className="size-full" />}</div>
        <div data-testid="call-strip" className="flex h-24 shrink-0 gap-2 overflow-x-auto sm:h-32">
          {strip.map((id) => (
            <GridTile key={id} id={id} compact className="aspect-video h-full shrink-0" />
          ))}
        </div>
      </div>
    );
  }

  const visible = pageSlice(ids, page);
  const pages = pageCount(ids.length);
  const { cols, rows } = gridShape(visible.items.length, narrow);
  const turn = (to: number) => useCall.setState({ page: to });
  return (
    <div className="flex size-full flex-col gap-2">
      <div
        data-testid="call-grid"
        data-count={visible.items.length}
        className="grid min-h-0 flex-1 gap-2"
        style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))` }}
      >
        {visible.items.map((id) => (
          <GridTile key={id} id={id} className="min-h-0" />
        ))}
      </div>
      {/* Off this page: no video (their tiles subscribe to none), but we still hear them. */}
      {ids.filter((id) => id !== "self" && !visible.items.includes(id)).map((id) => (
        <OffPageAudio key={id} id={id} />
      ))}
      {pages > 1 ? (
        <nav aria-label="Grid pages" className="flex shrink-0 items-center justify-center gap-3 text-xs text-zinc-300">
          <button type="button" aria-label="Previous page" disabled={visible.page === 0} onClick={() => turn(visible.page - 1)} className="rounded-full bg-white/10 p-1.5 hover:bg-white/20 disabled:opacity-30">
            <ChevronRightIcon className="size-4 rotate-180" />
          </button>
          <span className="tabular-nums">
            Page {visible.page + 1} of {pages}
          </span>
          <button type="button" aria-label="Next page" disabled={visible.page >= pages - 1} onClick={() => turn(visible.page + 1)} className={cn("rounded-full bg-white/10 p-1.5 hover:bg-white/20 disabled:opacity-30")}>
            <ChevronRightIcon className="size-4" />
          </button>
        </nav>
      ) : null}
    </div>
  );
}
