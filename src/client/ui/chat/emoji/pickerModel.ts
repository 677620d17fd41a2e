/** The emoji picker's model: categories, search, skin tone and recents (kept in localStorage). */
import type { Emoji, EmojiIndex } from "../../../state/emoji";

export const CATEGORY_LABEL: Record<string, string> = {
  recent: "Frequently used",
  people: "Smileys & people",
  nature: "Animals & nature",
  foods: "Food & drink",
  activity: "Activities",
  places: "Travel & places",
  objects: "Objects",
  symbols: "Symbols",
  flags: "Flags",
};
export const CATEGORY_ICON: Record<string, string> = {
  recent: "🕘", people: "😀", nature: "🐻", foods: "🍔", activity: "⚽", places: "🚗", objects: "💡", symbols: "🔣", flags: "🏁",
};
/** The six tones as emoji-mart orders skins: default, then light to dark. */
export const SKIN_SWATCHES = ["✋", "✋🏻", "✋🏼", "✋🏽", "✋🏾", "✋🏿"];

const RECENTS_KEY = "parley:emoji-recents";
const SKIN_KEY = "parley:emoji-skin";
const RECENTS_MAX = 24;

export function readRecents(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(RECENTS_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, RECENTS_MAX) : [];
  } catch {
    return [];
  }
}

export function pushRecent(id: string): void {
  localStorage.setItem(RECENTS_KEY, JSON.stringify([id, ...readRecents().filter((x) => x !== id)].slice(0, RECENTS_MAX)));
}

export function readSkin(): number {
  const n = Number(localStorage.getItem(SKIN_KEY));
  return Number.isInteger(n) && n >= 0 && n < SKIN_SWATCHES.length ? n : 0;
}

export function saveSkin(n: number): void {
  localStorage.setItem(SKIN_KEY, String(n));
}

/** The emoji in the chosen tone, when it has tones. */
export function nativeOf(e: Emoji, skin: number): string {
  return (e.skins[skin] ?? e.skins[0]!).native;
}

export interface Section {
  id: string;
  label: string;
  emojis: Emoji[];
}

/** Recents first, then the data set's categories; or, with a query, one section of matches. */
export function sections(index: EmojiIndex, query: string, recents: string[]): Section[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "");
  const pick = (ids: string[]) => ids.map((id) => index.data.emojis[id]).filter((e): e is Emoji => !!e);
  if (q) {
    const all = Object.values(index.data.emojis);
    const starts = all.filter((e) => e.id.startsWith(q) || e.name.toLowerCase().startsWith(q));
    const rest = all.filter((e) => !starts.includes(e) && (e.id.includes(q) || e.name.toLowerCase().includes(q) || e.keywords.some((k) => k.includes(q))));
    return [{ id: "search", label: "Search results", emojis: [...starts, ...rest] }];
  }
  const out: Section[] = [];
  if (recents.length) out.push({ id: "recent", label: CATEGORY_LABEL.recent!, emojis: pick(recents) });
  for (const c of index.data.categories) out.push({ id: c.id, label: CATEGORY_LABEL[c.id] ?? c.id, emojis: pick(c.emojis) });
  return out;
}
