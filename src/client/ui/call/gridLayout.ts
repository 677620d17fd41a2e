/** How the call grid lays out its tiles: pure, so it can be tested without a browser. */

/** Tiles on one page; past this the grid pages (and only the visible page's videos play). */
export const PAGE_SIZE = 9;

/** Columns and rows for `n` tiles on a wide screen: 1, 2, 3–4, 5–6, 7–9. */
export function gridShape(n: number, narrow = false): { cols: number; rows: number } {
  const count = Math.max(1, Math.min(n, PAGE_SIZE));
  // A phone stacks two people and shows the rest two abreast.
  const cols = narrow ? (count <= 2 ? 1 : 2) : count === 1 ? 1 : count === 2 ? 2 : count <= 4 ? 2 : 3;
  return { cols, rows: Math.ceil(count / cols) };
}

export function pageCount(n: number): number {
  return Math.max(1, Math.ceil(n / PAGE_SIZE));
}

/** The tiles of page `page` (clamped to the pages that exist). */
export function pageSlice<T>(items: readonly T[], page: number): { items: T[]; page: number } {
  const last = pageCount(items.length) - 1;
  const p = Math.max(0, Math.min(page, last));
  return { items: items.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE), page: p };
}
