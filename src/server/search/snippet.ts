/**
 * Snippets: the part of a message around its first match, with every matching word given as a
 * range. Computed here rather than by the database (FTS5 snippet(), ts_headline) so both stores
 * answer alike and no markup is ever made from a message's text.
 */
import { MENTION_USER } from "../../shared/protocol";
import type { Snippet } from "../../shared/search";
import { WORD } from "./query";

/** Longest snippet, in UTF-16 units, ellipses aside. */
export const SNIPPET_LENGTH = 200;
/** Text kept before the first match when the message is cut. */
const LEAD = 60;
const ELLIPSIS = "…";

function matches(content: string, terms: string[], mention: string | undefined): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const m of content.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (terms.some((t) => word.startsWith(t))) ranges.push([m.index, m.index + m[0].length]);
  }
  if (mention) {
    for (const m of content.matchAll(MENTION_USER)) if (m[1]!.toLowerCase() === mention) ranges.push([m.index, m.index + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

const isLowSurrogate = (s: string, i: number) => i > 0 && i < s.length && (s.charCodeAt(i) & 0xfc00) === 0xdc00;

export function snippet(content: string, terms: string[], mention?: string): Snippet {
  const ranges = matches(content, terms, mention);
  if (content.length <= SNIPPET_LENGTH) return { text: content, highlights: ranges };
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - LEAD);
  // Start at a word's beginning when there is a space between the cut and the match.
  if (start > 0) {
    const space = content.slice(start, first).search(/\s/);
    if (space >= 0) start += space + 1;
  }
  let end = Math.min(content.length, start + SNIPPET_LENGTH);
  if (end < content.length) {
    const space = content.slice(first, end).search(/\s\S*$/);
    if (space > 0) end = first + space;
  }
  if (isLowSurrogate(content, start)) start++;
  if (isLowSurrogate(content, end)) end--;
  const lead = start > 0 ? ELLIPSIS : "";
  const shift = lead.length - start;
  return {
    text: lead + content.slice(start, end) + (end < content.length ? ELLIPSIS : ""),
    highlights: ranges.filter(([a, b]) => b > start && a < end).map(([a, b]) => [Math.max(a, start) + shift, Math.min(b, end) + shift]),
  };
}
