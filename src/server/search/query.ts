/**
 * The search box's language: words (each matches words that start with it, all required) and
 * filters `from:`, `in:`, `mentions:`, `has:link`, `has:file`, `before:` and `after:` (dates
 * are UTC days). Anything that looks like a filter but is not one (`http://…`, `10:30`) is text.
 */
import { AppError } from "../../shared/errors";
import { USERNAME_RE } from "../../shared/protocol";

export interface ParsedSearch {
  /** Lowercased, each once. */
  terms: string[];
  from?: string;
  /** A conversation id, a channel's, group's or space's name, or a DM partner's username (lowercased). */
  in?: string;
  mentions?: string;
  hasLink: boolean;
  hasFile: boolean;
  /** ISO times: created before `before`, at or after `after`. */
  before?: string;
  after?: string;
}

export const MAX_TERMS = 10;
const MAX_TERM_LENGTH = 64;
const FILTERS = new Set(["from", "in", "mentions", "has", "before", "after"]);
/** key:"quoted value", key:value, "quoted text", or a bare word. */
const TOKEN = /([a-z]+):(?:"([^"]*)"?|(\S*))|"([^"]*)"?|(\S+)/giu;
/** What the stores count as a word's letters (a word of the query matches words starting with it). */
export const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const invalid = (message: string) => new AppError("VALIDATION_ERROR", message, { fields: { q: message } });

function username(key: string, raw: string): string {
  const name = raw.replace(/^@/, "").toLowerCase();
  if (!USERNAME_RE.test(name)) throw invalid(`${key}: takes a username, e.g. ${key}:alice`);
  return name;
}

/** Midnight UTC of a YYYY-MM-DD day, `plusDays` later; refuses days that do not exist. */
function day(key: string, raw: string, plusDays: number): string {
  const m = DAY.exec(raw);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.getUTCDate() !== Number(m[3]) || date.getUTCMonth() !== Number(m[2]) - 1) {
    throw invalid(`${key}: takes a date as YYYY-MM-DD`);
  }
  return new Date(date.getTime() + plusDays * 86_400_000).toISOString();
}

export function parseSearch(q: string): ParsedSearch {
  const out: ParsedSearch = { terms: [], hasLink: false, hasFile: false };
  const seen = new Set<string>();
  const text: string[] = [];
  for (const t of q.matchAll(TOKEN)) {
    const key = t[1]?.toLowerCase();
    if (key === undefined || !FILTERS.has(key)) {
      text.push(t[0]);
      continue;
    }
    const value = (t[2] ?? t[3] ?? "").trim();
    if (!value) throw invalid(`${key}: needs a value`);
    const once = key === "has" ? `has:${value.toLowerCase()}` : key;
    if (seen.has(once)) throw invalid(`Use ${key}: once`);
    seen.add(once);
    if (key === "from") out.from = username(key, value);
    else if (key === "mentions") out.mentions = username(key, value);
    else if (key === "in") out.in = value.replace(/^[#@]/, "").toLowerCase();
    else if (key === "before") out.before = day(key, value, 0);
    else if (key === "after") out.after = day(key, value, 1);
    else if (value.toLowerCase() === "link") out.hasLink = true;
    else if (value.toLowerCase() === "file") out.hasFile = true;
    else throw invalid("has: takes link or file");
  }
  const terms = new Set(text.join(" ").toLowerCase().match(WORD) ?? []);
  if (terms.size > MAX_TERMS) throw invalid(`Search for at most ${MAX_TERMS} words`);
  for (const term of terms) if (term.length > MAX_TERM_LENGTH) throw invalid(`Words of at most ${MAX_TERM_LENGTH} characters`);
  out.terms = [...terms];
  if (out.terms.length === 0 && seen.size === 0) throw invalid("Enter a word or a filter such as from:alice");
  if (out.before && out.after && out.after >= out.before) throw invalid("No day is both after: and before: these");
  return out;
}
