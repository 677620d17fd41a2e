/**
 * A message's text drawn from its token tree (parse.ts) as React elements — never as HTML.
 * Supported: bold, italic, strike, inline code, fenced code with a language label and colours,
 * quotes, lists, spoilers, links (http, https, mailto only), line breaks, `:shortcodes:`.
 * Anything else (headings, tables, images, raw HTML) shows as the text that was typed.
 * Every run of text goes through BidiText, so direction controls show as visible markers.
 */
import { useState, type KeyboardEvent, type ReactNode } from "react";
import type { Token, Tokens } from "marked";
import { expandShortcodes, hasShortcode, useEmojiIndex, type EmojiIndex } from "../../../state/emoji";
import { BidiText } from "../../common/BidiText";
import { cn } from "../../common/cn";
import { CodeBlock } from "./CodeBlock";
import { useMentionContext, type Mentionables } from "../mentionContext";
import { isEmojiOnly, parseMessage, safeHref } from "./parse";

interface Ctx {
  /** The message notified everyone: highlight `@everyone`. */
  everyone: boolean;
  /** Likewise for `@here`. */
  here: boolean;
  emoji: EmojiIndex | null;
  mentions: Mentionables;
}

/** `@everyone`, `@here` or `@username` as a word of its own. */
const MENTION_RE = /(?<![\w@.])@(everyone|here|[a-z0-9_]{3,32})(?![\w@-])/g;

/** The words that notify many, each highlighted only when its message was allowed to. */
const BROADCASTS: Record<string, (ctx: Ctx) => boolean> = { everyone: (ctx) => ctx.everyone, here: (ctx) => ctx.here };

function Text({ text, ctx }: { text: string; ctx: Ctx }): ReactNode {
  const t = expandShortcodes(text, ctx.emoji);
  if (!t.includes("@")) return <BidiText text={t} />;
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of t.matchAll(MENTION_RE)) {
    const name = m[1]!;
    const broadcast = BROADCASTS[name];
    const user = broadcast ? undefined : ctx.mentions.byUsername.get(name);
    if (broadcast ? !broadcast(ctx) : !user) continue;
    const me = !!broadcast || name === ctx.mentions.meUsername;
    if (m.index > last) out.push(<BidiText key={last} text={t.slice(last, m.index)} />);
    out.push(
      <span
        key={m.index}
        data-testid="mention"
        data-me={me ? "true" : undefined}
        title={user ? user.displayName : undefined}
        className={cn(
          "rounded px-0.5 font-medium",
          me ? "bg-amber-200/70 text-amber-900 dark:bg-amber-400/25 dark:text-amber-200" : "bg-brand-100 text-brand-700 dark:bg-brand-500/20 dark:text-brand-200",
        )}
      >
        {m[0]}
      </span>,
    );
    last = m.index + m[0].length;
  }
  if (last < t.length) out.push(<BidiText key={last} text={t.slice(last)} />);
  return out;
}

function Spoiler({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  const reveal = () => setShown(true);
  const onKey = (e: KeyboardEvent) => {
    if (!shown && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      reveal();
    }
  };
  return (
    <span
      data-testid="spoiler"
      data-revealed={shown ? "true" : undefined}
      role={shown ? undefined : "button"}
      tabIndex={shown ? undefined : 0}
      aria-label={shown ? undefined : "Spoiler, select to reveal"}
      onClick={reveal}
      onKeyDown={onKey}
      className={cn(
        "rounded px-0.5 transition-colors",
        shown
          ? "bg-zinc-200/80 dark:bg-zinc-700/70"
          : "cursor-pointer bg-zinc-700 text-transparent select-none hover:bg-zinc-600 dark:bg-zinc-600 dark:hover:bg-zinc-500 [&_*]:pointer-events-none [&_*]:invisible",
      )}
    >
      <span aria-hidden={!shown}>{children}</span>
    </span>
  );
}

function inline(tokens: Token[] | undefined, ctx: Ctx): ReactNode[] {
  return (tokens ?? []).map((t, i) => <Inline key={i} token={t} ctx={ctx} />);
}

function Inline({ token: t, ctx }: { token: Token; ctx: Ctx }): ReactNode {
  switch (t.type) {
    case "strong":
      return <strong className="font-semibold">{inline(t.tokens, ctx)}</strong>;
    case "em":
      return <em>{inline(t.tokens, ctx)}</em>;
    case "del":
      return <s>{inline(t.tokens, ctx)}</s>;
    case "codespan":
      return (
        <code className="rounded bg-zinc-100 px-1 py-px font-mono text-[0.85em] text-zinc-800 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-200 dark:ring-zinc-700">
          <BidiText text={t.text} />
        </code>
      );
    case "br":
      return <br />;
    case "spoiler":
      return <Spoiler>{inline(t.tokens, ctx)}</Spoiler>;
    case "link": {
      const href = safeHref(t.href);
      if (!href) return <BidiText text={t.raw} />;
      return (
        <a href={href} target="_blank" rel="noopener noreferrer" className="text-brand-600 underline-offset-2 hover:underline dark:text-brand-400">
          {t.tokens?.length ? inline(t.tokens, ctx) : <BidiText text={t.text} />}
        </a>
      );
    }
    case "text":
      return "tokens" in t && t.tokens?.length ? inline(t.tokens, ctx) : <Text text={t.text} ctx={ctx} />;
    case "escape":
      return <BidiText text={t.text} />;
    default:
      // Raw HTML, images and anything unsupported: the characters as typed.
      return <Text text={t.raw} ctx={ctx} />;
  }
}

function Block({ token: t, ctx, trailing }: { token: Token; ctx: Ctx; trailing?: ReactNode }): ReactNode {
  switch (t.type) {
    case "paragraph":
      return (
        <p>
          {inline(t.tokens, ctx)}
          {trailing}
        </p>
      );
    case "text":
      return <p>{"tokens" in t && t.tokens?.length ? inline(t.tokens, ctx) : <Text text={t.text} ctx={ctx} />}</p>;
    case "code":
      return <CodeBlock lang={(t.lang ?? "").trim().split(/\s/)[0] ?? ""} code={t.text} />;
    case "blockquote":
      return (
        <blockquote className="my-0.5 border-l-4 border-zinc-300 pl-3 text-zinc-700 dark:border-zinc-600 dark:text-zinc-300">
          {blocks(t.tokens, ctx)}
        </blockquote>
      );
    case "list": {
      const list = t as Tokens.List;
      const items = list.items.map((item, i) => <li key={i}>{blocks(item.tokens, ctx)}</li>);
      return list.ordered ? (
        <ol start={typeof list.start === "number" ? list.start : undefined} className="my-0.5 list-decimal pl-6">
          {items}
        </ol>
      ) : (
        <ul className="my-0.5 list-disc pl-6">{items}</ul>
      );
    }
    case "space":
      return null;
    default:
      // Headings, tables, rules, raw HTML blocks: shown as typed.
      return (
        <p className="whitespace-pre-wrap">
          <Text text={t.raw.replace(/\n+$/, "")} ctx={ctx} />
        </p>
      );
  }
}

function blocks(tokens: Token[] | undefined, ctx: Ctx): ReactNode[] {
  return (tokens ?? []).map((t, i) => <Block key={i} token={t} ctx={ctx} />);
}

/** The message's blocks, with `trailing` (the "edited" mark) at the end of a closing paragraph or after the last block. */
function withTrailing(tokens: Token[], ctx: Ctx, trailing: ReactNode): ReactNode[] {
  const shown = tokens.filter((t) => t.type !== "space");
  const last = shown[shown.length - 1];
  const out = shown.map((t, i) => <Block key={i} token={t} ctx={ctx} trailing={t === last && t.type === "paragraph" ? trailing : undefined} />);
  if (trailing && last?.type !== "paragraph") out.push(<p key="trailing">{trailing}</p>);
  return out;
}

export function Markdown({ text, everyone = false, here = false, trailing }: { text: string; everyone?: boolean; here?: boolean; trailing?: ReactNode }) {
  const emoji = useEmojiIndex(hasShortcode(text));
  const mentions = useMentionContext();
  const jumbo = isEmojiOnly(expandShortcodes(text, emoji));
  if (jumbo) {
    return (
      <p data-testid="jumbo-emoji" className="py-0.5 font-emoji text-[2.75rem] leading-[3.25rem]">
        <Text text={text.trim()} ctx={{ everyone: false, here: false, emoji, mentions }} />
        {trailing}
      </p>
    );
  }
  return <div className="markdown space-y-1 whitespace-pre-wrap">{withTrailing(parseMessage(text), { everyone, here, emoji, mentions }, trailing)}</div>;
}
