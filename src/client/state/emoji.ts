/**
 * The emoji data set (@emoji-mart/data: names, keywords, categories, skin tones, shortcodes),
 * loaded on first need as its own chunk (~400 KB of JSON kept out of the main bundle). Until
 * it arrives, `:shortcodes:` show as typed and the picker shows a spinner.
 */
import { useSyncExternalStore } from "react";
import type { Emoji, EmojiMartData } from "@emoji-mart/data";

export type { Emoji };

export interface EmojiIndex {
  data: EmojiMartData;
  /** Shortcode (id or alias) → emoji. */
  byCode: Map<string, Emoji>;
  /** Native character (any skin) → its emoji, for names in tooltips and the picker. */
  byNative: Map<string, Emoji>;
}

let current: EmojiIndex | null = null;
const listeners = new Set<() => void>();
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let loading: Promise<EmojiIndex> | null = null;

export function loadEmoji(): Promise<EmojiIndex> {
  loading ??= import("@emoji-mart/data").then((mod) => {
    const data = ((mod as { default?: EmojiMartData }).default ?? mod) as EmojiMartData;
    const byCode = new Map<string, Emoji>();
    const byNative = new Map<string, Emoji>();
    for (const e of Object.values(data.emojis)) {
      byCode.set(e.id, e);
      for (const s of e.skins) byNative.set(s.native, e);
    }
    for (const [alias, id] of Object.entries(data.aliases)) {
      const e = data.emojis[id];
      if (e) byCode.set(alias, e);
    }
    const index = { data, byCode, byNative };
    current = index;
    for (const l of listeners) l();
    return index;
  });
  return loading;
}

/** The index, starting the load when it is wanted and not there yet. */
export function useEmojiIndex(wanted = true): EmojiIndex | null {
  // The same snapshot on the server: renderer tests draw after loading.
  const index = useSyncExternalStore(subscribe, () => current, () => current);
  if (wanted && !index) void loadEmoji();
  return wanted ? index : null;
}

const SHORTCODE = /:([a-z0-9_+-]{1,64}):/g;

/** Whether text may hold a shortcode (cheap test before the data is needed). */
export function hasShortcode(text: string): boolean {
  SHORTCODE.lastIndex = 0;
  return SHORTCODE.test(text);
}

/** Replaces known `:shortcodes:` with their emoji (default skin); unknown ones stay as typed. */
export function expandShortcodes(text: string, index: EmojiIndex | null): string {
  if (!index) return text;
  return text.replace(SHORTCODE, (all, code: string) => index.byCode.get(code)?.skins[0]?.native ?? all);
}
