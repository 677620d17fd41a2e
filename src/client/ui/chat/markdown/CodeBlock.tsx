/**
 * A fenced code block: language label, and syntax colours from lowlight (highlight.js
 * grammars producing a tree, not HTML) loaded as its own chunk on the first block with a
 * language. The tree's spans are drawn as React elements; until it loads, plain text.
 */
import { useEffect, useState, type ReactNode } from "react";
import type { Root, RootContent } from "hast";
import { BidiText } from "../../common/BidiText";

type Highlighter = { highlight(lang: string, code: string): Root; registered(lang: string): boolean };

let highlighter: Highlighter | null = null;
let loading: Promise<Highlighter> | null = null;

function loadHighlighter(): Promise<Highlighter> {
  loading ??= import("lowlight").then(({ createLowlight, common }) => (highlighter = createLowlight(common)));
  return loading;
}

/** Code this long is shown plain: colouring it would stall the list for little gain. */
const HIGHLIGHT_MAX = 20_000;

function useHighlighted(lang: string, code: string): Root | null {
  const wanted = lang !== "" && code.length <= HIGHLIGHT_MAX;
  const [, setReady] = useState(!!highlighter);
  useEffect(() => {
    if (wanted && !highlighter) void loadHighlighter().then(() => setReady(true));
  }, [wanted]);
  if (!wanted || !highlighter || !highlighter.registered(lang)) return null;
  return highlighter.highlight(lang, code);
}

function renderHast(nodes: RootContent[]): ReactNode[] {
  return nodes.map((n, i) => {
    if (n.type === "text") return <BidiText key={i} text={n.value} />;
    if (n.type !== "element") return null;
    const cls = n.properties.className;
    return (
      <span key={i} className={Array.isArray(cls) ? cls.join(" ") : undefined}>
        {renderHast(n.children)}
      </span>
    );
  });
}

export function CodeBlock({ lang, code }: { lang: string; code: string }) {
  const tree = useHighlighted(lang.toLowerCase(), code);
  return (
    <div data-testid="code-block" data-lang={lang || undefined} className="my-1 max-w-full overflow-hidden rounded-md bg-zinc-100 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      {lang ? (
        <div className="border-b border-zinc-200 px-3 py-1 font-mono text-[0.6875rem] font-medium text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
          <bdi>{lang}</bdi>
        </div>
      ) : null}
      <pre dir="ltr" className="hljs overflow-x-auto px-3 py-2 font-mono text-[0.8125rem] leading-5 whitespace-pre text-zinc-800 dark:text-zinc-200">
        <code>{tree ? renderHast(tree.children) : <BidiText text={code} />}</code>
      </pre>
    </div>
  );
}
