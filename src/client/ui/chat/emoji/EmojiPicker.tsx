/**
 * Emoji picker: search, category tabs, skin tones and recents, over the emoji data set.
 * Keyboard: typing searches, ↓ or Tab enters the grid, arrows move, Enter picks, Esc closes.
 * Shown in a fixed layer beside its anchor so the scrolling list never clips it.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useEmojiIndex, type Emoji } from "../../../state/emoji";
import { Spinner } from "../../common/icons";
import { cn } from "../../common/cn";
import { SearchIcon } from "../../common/chatIcons";
import { CATEGORY_ICON, CATEGORY_LABEL, SKIN_SWATCHES, nativeOf, pushRecent, readRecents, readSkin, saveSkin, sections } from "./pickerModel";

const COLS = 8;
const WIDTH = 352;
const HEIGHT = 420;

function usePlacement(anchor: HTMLElement | null): { top: number; left: number } {
  const [pos, setPos] = useState({ top: 0, left: 0 });
  useLayoutEffect(() => {
    if (!anchor) return;
    const r = anchor.getBoundingClientRect();
    const below = r.bottom + 6 + HEIGHT <= window.innerHeight;
    const top = below ? r.bottom + 6 : Math.max(8, r.top - HEIGHT - 6);
    const left = Math.min(Math.max(8, r.right - WIDTH), window.innerWidth - WIDTH - 8);
    setPos({ top, left: Math.max(8, left) });
  }, [anchor]);
  return pos;
}

export function EmojiPicker({ anchor, onPick, onClose }: { anchor: HTMLElement | null; onPick: (native: string) => void; onClose: () => void }) {
  const index = useEmojiIndex();
  const [query, setQuery] = useState("");
  const [skin, setSkin] = useState(readSkin);
  const [toning, setToning] = useState(false);
  const [hovered, setHovered] = useState<Emoji | null>(null);
  const recents = useMemo(readRecents, []);
  const list = useMemo(() => (index ? sections(index, query, recents) : []), [index, query, recents]);
  const flat = useMemo(() => list.flatMap((s) => s.emojis), [list]);
  const root = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const pos = usePlacement(anchor);

  useEffect(() => search.current?.focus(), [index]);
  useEffect(() => {
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node) && !anchor?.contains(e.target as Node)) onClose();
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [anchor, onClose]);

  const pick = (e: Emoji) => {
    pushRecent(e.id);
    onPick(nativeOf(e, skin));
  };
  const focusCell = (i: number) => root.current?.querySelector<HTMLButtonElement>(`[data-cell="${Math.max(0, Math.min(flat.length - 1, i))}"]`)?.focus();

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    const cell = (e.target as HTMLElement).dataset.cell;
    if (cell === undefined) {
      if (e.target === search.current && (e.key === "ArrowDown" || (e.key === "Enter" && flat[0]))) {
        e.preventDefault();
        if (e.key === "Enter") pick(flat[0]!);
        else focusCell(0);
      }
      return;
    }
    const i = Number(cell);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    if (i + step < 0) search.current?.focus();
    else focusCell(i + step);
  };

  let cellIndex = 0;
  const shown = hovered ?? flat[0];
  return (
    <div
      ref={root}
      role="dialog"
      aria-label="Choose an emoji"
      data-testid="emoji-picker"
      onKeyDown={onKeyDown}
      style={{ top: pos.top, left: pos.left }}
      className="fixed z-50 flex h-[420px] w-[352px] animate-pop flex-col overflow-hidden rounded-xl bg-white shadow-xl ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10"
    >
      <div className="flex items-center gap-2 border-b border-zinc-200 p-2 dark:border-zinc-800">
        <label className="flex flex-1 items-center gap-2 rounded-md bg-zinc-100 px-2 py-1.5 dark:bg-zinc-800">
          <SearchIcon className="size-4 text-zinc-400" />
          <input
            ref={search}
            data-testid="emoji-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search emoji"
            aria-label="Search emoji"
            className="w-full bg-transparent text-sm text-zinc-900 outline-none placeholder:text-zinc-400 dark:text-zinc-100"
          />
        </label>
        <div className="relative">
          <button type="button" data-testid="skin-tone" aria-label="Skin tone" aria-expanded={toning} onClick={() => setToning((t) => !t)} className="rounded-md p-1 font-emoji text-xl hover:bg-zinc-100 dark:hover:bg-zinc-800">
            {SKIN_SWATCHES[skin]}
          </button>
          {toning ? (
            <div role="radiogroup" aria-label="Skin tone" className="absolute right-0 top-full z-10 mt-1 flex rounded-lg bg-white p-1 shadow-lg ring-1 ring-zinc-900/10 dark:bg-zinc-800 dark:ring-white/10">
              {SKIN_SWATCHES.map((s, i) => (
                <button
                  key={s}
                  type="button"
                  role="radio"
                  aria-checked={i === skin}
                  aria-label={i === 0 ? "Default tone" : `Tone ${i}`}
                  onClick={() => {
                    setSkin(i);
                    saveSkin(i);
                    setToning(false);
                  }}
                  className={cn("rounded-md p-1 font-emoji text-xl hover:bg-zinc-100 dark:hover:bg-zinc-700", i === skin && "bg-brand-100 dark:bg-brand-500/25")}
                >
                  {s}
                </button>
              ))}
            </div>
          ) : null}
        </div>
      </div>
      {!query ? (
        <nav aria-label="Emoji categories" className="flex justify-between border-b border-zinc-200 px-1.5 py-1 dark:border-zinc-800">
          {list.map((s) => (
            <button
              key={s.id}
              type="button"
              title={s.label}
              aria-label={s.label}
              onClick={() => scroller.current?.querySelector(`#emoji-sec-${s.id}`)?.scrollIntoView({ block: "start" })}
              className="rounded-md p-1 font-emoji text-lg grayscale-[60%] hover:bg-zinc-100 hover:grayscale-0 dark:hover:bg-zinc-800"
            >
              {CATEGORY_ICON[s.id] ?? "•"}
            </button>
          ))}
        </nav>
      ) : null}
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {!index ? (
          <div className="flex h-full items-center justify-center text-zinc-400">
            <Spinner className="size-6" />
          </div>
        ) : flat.length === 0 ? (
          <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">No emoji match “{query}”</p>
        ) : (
          list.map((s) => (
            <section key={s.id} id={`emoji-sec-${s.id}`} aria-label={s.label}>
              <h4 className="sticky top-0 z-[1] bg-white/95 py-1.5 text-[0.6875rem] font-semibold uppercase tracking-wide text-zinc-500 dark:bg-zinc-900/95 dark:text-zinc-400">
                {CATEGORY_LABEL[s.id] ?? s.label}
              </h4>
              <div className="grid grid-cols-8">
                {s.emojis.map((e) => {
                  const n = cellIndex++;
                  return (
                    <button
                      key={`${s.id}:${e.id}`}
                      type="button"
                      data-cell={n}
                      data-emoji-id={e.id}
                      aria-label={e.name}
                      onClick={() => pick(e)}
                      onMouseEnter={() => setHovered(e)}
                      onFocus={() => setHovered(e)}
                      className="flex aspect-square items-center justify-center rounded-md font-emoji text-[1.5rem] leading-none hover:bg-zinc-100 focus:bg-brand-100 focus:outline-none dark:hover:bg-zinc-800 dark:focus:bg-brand-500/25"
                    >
                      {nativeOf(e, skin)}
                    </button>
                  );
                })}
              </div>
            </section>
          ))
        )}
      </div>
      <div className="flex h-12 items-center gap-2 border-t border-zinc-200 px-3 dark:border-zinc-800">
        {shown ? (
          <>
            <span className="font-emoji text-2xl">{nativeOf(shown, skin)}</span>
            <span className="min-w-0 truncate text-sm font-medium text-zinc-800 dark:text-zinc-200">{shown.name}</span>
            <span className="ml-auto truncate font-mono text-xs text-zinc-400">:{shown.id}:</span>
          </>
        ) : null}
      </div>
    </div>
  );
}
