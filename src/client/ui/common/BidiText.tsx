/**
 * Text-direction controls in what people write are shown, never obeyed: each embedding,
 * override or isolate character becomes a visible marker (as code hosts do), so
 * "\u202Egnp.exe" reads as "<U+202E>gnp.exe", not "exe.png".
 */
import type { ReactNode } from "react";

const CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

const NAMES: Record<string, string> = {
  "\u202A": "left-to-right embedding",
  "\u202B": "right-to-left embedding",
  "\u202C": "pop directional formatting",
  "\u202D": "left-to-right override",
  "\u202E": "right-to-left override",
  "\u2066": "left-to-right isolate",
  "\u2067": "right-to-left isolate",
  "\u2068": "first strong isolate",
  "\u2069": "pop directional isolate",
};

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

export function BidiText({ text }: { text: string }): ReactNode {
  if (!CONTROLS.test(text)) return text;
  CONTROLS.lastIndex = 0;
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(CONTROLS)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const c = m[0];
    out.push(
      <span
        key={m.index}
        data-testid="bidi-marker"
        title={`Hidden text-direction character: ${NAMES[c]}`}
        className="mx-px inline-block rounded bg-amber-100 px-1 align-[0.05em] font-mono text-[0.6875rem] font-medium leading-4 text-amber-900 ring-1 ring-inset ring-amber-300 dark:bg-amber-400/15 dark:text-amber-200 dark:ring-amber-400/40"
      >
        {`<${codePoint(c)}>`}
      </span>,
    );
    last = m.index + c.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
