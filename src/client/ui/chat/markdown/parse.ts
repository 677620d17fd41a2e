/**
 * Message text → a token tree (marked's lexer; its HTML renderer is never used). The React
 * renderer (Markdown.tsx) draws the subset chat supports and shows everything else as the
 * text it was typed as. Spoilers (`||text||`) are an inline extension of the lexer.
 */
import { Marked, type Token, type TokenizerExtension } from "marked";

const spoiler: TokenizerExtension = {
  name: "spoiler",
  level: "inline",
  start: (src) => src.indexOf("||"),
  tokenizer(src) {
    const m = /^\|\|(?=\S)([\s\S]*?\S)\|\|/.exec(src);
    if (!m) return undefined;
    return { type: "spoiler", raw: m[0], text: m[1]!, tokens: this.lexer.inlineTokens(m[1]!) };
  },
};

const marked = new Marked({ gfm: true, breaks: true, extensions: [spoiler] });

/** Parses are cached by text: lists re-render often and messages rarely change. */
const cache = new Map<string, Token[]>();
const CACHE_MAX = 2000;

export function parseMessage(text: string): Token[] {
  let tokens = cache.get(text);
  if (!tokens) {
    tokens = marked.lexer(text);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(text, tokens);
  }
  return tokens;
}

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** Only absolute http(s) and mailto links become links; anything else stays text. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** Up to this many emoji and nothing else: drawn large, as Discord and Slack do. */
const JUMBO_MAX = 27;
const EMOJI = /\p{RGI_Emoji}/gv;
const ONLY_EMOJI = /^(?:\p{RGI_Emoji}|\s)+$/v;

export function isEmojiOnly(text: string): boolean {
  if (!ONLY_EMOJI.test(text)) return false;
  return (text.match(EMOJI)?.length ?? 0) <= JUMBO_MAX;
}

/** Marks a preview drops, keeping what they enclose. */
const MARKS = new Set(["paragraph", "strong", "em", "del", "link"]);

function flatten(tokens: Token[]): string {
  let out = "";
  for (const t of tokens) {
    if (t.type === "spoiler") out += "▮▮▮";
    else if (t.type === "codespan" || t.type === "escape" || t.type === "text") out += "tokens" in t && t.tokens ? flatten(t.tokens) : t.text;
    else if (MARKS.has(t.type) && "tokens" in t && t.tokens) out += flatten(t.tokens);
    else out += t.raw;
  }
  return out;
}

/**
 * A message as one line of plain text, for a quote of it (a reply's): bold, italics, strike, code
 * and link marks dropped for what they enclose, a spoiler kept hidden, anything else as typed.
 */
export function plainText(text: string): string {
  return flatten(parseMessage(text)).replace(/\s+/g, " ").trim();
}
