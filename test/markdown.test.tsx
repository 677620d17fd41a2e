/**
 * The message renderer: markdown drawn as React elements (rendered to markup here), never as
 * HTML — so script, event attributes and unsafe link schemes arrive as visible text.
 */
import { describe, expect, test } from "bun:test";
import { renderToStaticMarkup } from "react-dom/server";
import { Markdown } from "../src/client/ui/chat/markdown/Markdown";
import { isEmojiOnly, plainText, safeHref } from "../src/client/ui/chat/markdown/parse";
import { loadEmoji } from "../src/client/state/emoji";
import { MentionContext } from "../src/client/ui/chat/mentionContext";

const html = (text: string, everyone = false) => renderToStaticMarkup(<Markdown text={text} everyone={everyone} />);

/** Every tag the renderer may produce; anything else would be injected. */
const ALLOWED_TAGS = new Set(["div", "p", "span", "strong", "em", "s", "code", "pre", "br", "a", "blockquote", "ul", "ol", "li", "bdi"]);

function tags(markup: string): string[] {
  return [...markup.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
}

const XSS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "<svg onload=alert(1)><circle/></svg>",
  '<a href="javascript:alert(1)">x</a>',
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](  javascript:alert(1))",
  "[click](java\tscript:alert(1))",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[click](vbscript:msgbox(1))",
  "<javascript:alert(1)>",
  "![x](javascript:alert(1))",
  '![x](https://example.com/x.png "onerror=alert(1)")',
  "**<b onclick=alert(1)>bold</b>**",
  "`<script>alert(1)</script>`",
  "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```",
  "> <iframe src=javascript:alert(1)></iframe>",
  "- <style>*{display:none}</style>",
  "||<script>alert(1)</script>||",
  "[a](https://ok.example/\"onmouseover=\"alert(1))",
];

describe("the message renderer", () => {
  for (const attack of XSS) {
    test(`renders ${JSON.stringify(attack)} without injecting elements, handlers or unsafe links`, () => {
      const out = html(attack);
      for (const tag of tags(out)) expect(ALLOWED_TAGS.has(tag)).toBe(true);
      expect(out).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
      expect(out).not.toMatch(/href="(?!https?:|mailto:)/i);
      expect(out).not.toContain("<script");
    });
  }

  test("shows raw HTML as the text that was typed", () => {
    expect(html("<script>alert(1)</script>")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  test("keeps HTML inside a fenced block as code text under its language label", () => {
    const out = html("```html\n<b>hi</b>\n```");
    expect(out).toContain('data-lang="html"');
    expect(out).toContain("<bdi>html</bdi>");
    expect(out).toContain("&lt;b&gt;hi&lt;/b&gt;");
    expect(out).not.toContain("<b>");
  });

  test("draws bold, italic, strike, inline code, quotes and lists", () => {
    const out = html("**b** *i* ~~s~~ `c`\n\n> q\n\n- one\n- two\n\n1. first");
    expect(out).toContain('<strong class="font-semibold">b</strong>');
    expect(out).toContain("<em>i</em>");
    expect(out).toContain("<s>s</s>");
    expect(out).toMatch(/<code[^>]*>c<\/code>/);
    expect(out).toMatch(/<blockquote[^>]*><p>q<\/p><\/blockquote>/);
    expect(out).toMatch(/<ul[^>]*><li><p>one<\/p><\/li><li><p>two<\/p><\/li><\/ul>/);
    expect(out).toMatch(/<ol start="1"[^>]*><li><p>first<\/p><\/li><\/ol>/);
  });

  test("nests emphasis inside emphasis", () => {
    expect(html("**a _b ~~c~~_**")).toContain('<strong class="font-semibold">a <em>b <s>c</s></em></strong>');
    expect(html("***both***")).toContain('<em><strong class="font-semibold">both</strong></em>');
  });

  test("makes http, https and mailto links that open in a new tab without an opener", () => {
    const out = html("[docs](https://example.com/a?b=1) www.example.org mail@example.com");
    expect(out).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer"');
    expect(out).toContain('href="http://www.example.org/"');
    expect(out).toContain('href="mailto:mail@example.com"');
  });

  test("accepts only absolute http, https and mailto URLs as links", () => {
    expect(safeHref("https://a.example/")).toBe("https://a.example/");
    expect(safeHref("mailto:a@b.example")).toBe("mailto:a@b.example");
    for (const bad of ["javascript:alert(1)", "data:text/html,x", "/relative", "//evil.example", "file:///etc/passwd", "ftp://x.example"]) expect(safeHref(bad)).toBeNull();
  });

  test("hides a spoiler behind a control until it is revealed", () => {
    const out = html("before ||the **end**|| after");
    expect(out).toMatch(/<span data-testid="spoiler" role="button" tabindex="0" aria-label="Spoiler, select to reveal"/);
    expect(out).toContain('<span aria-hidden="true">the <strong class="font-semibold">end</strong></span>');
  });

  test("shows text-direction controls as visible markers, in text and in code", () => {
    expect(html("abc\u202Egnp.exe")).toContain("&lt;U+202E&gt;");
    expect(html("`x\u2067y`")).toContain("&lt;U+2067&gt;");
    expect(html("```\nlet a = '\u202E'\n```")).toContain("&lt;U+202E&gt;");
  });

  test("highlights @everyone only when the message notified everyone", () => {
    expect(html("hi @everyone", true)).toContain('data-testid="mention"');
    expect(html("hi @everyone", false)).not.toContain('data-testid="mention"');
    expect(html("`@everyone`", true)).not.toContain('data-testid="mention"');
  });

  test("turns known :shortcodes: into emoji once the data set is loaded, and leaves unknown ones", async () => {
    await loadEmoji();
    expect(html("party :tada: :not_an_emoji:")).toContain("party 🎉 :not_an_emoji:");
    expect(html("`:tada:`")).toContain(":tada:</code>");
  });

  test("draws messages of emoji alone large", async () => {
    await loadEmoji();
    expect(html("🎉👍🏽")).toContain('data-testid="jumbo-emoji"');
    expect(html(":tada: :+1:")).toContain('data-testid="jumbo-emoji"');
    expect(html("🎉 yes")).not.toContain("jumbo-emoji");
    expect(isEmojiOnly("👨‍👩‍👧 🇫🇷")).toBe(true);
    expect(isEmojiOnly("123")).toBe(false);
    expect(isEmojiOnly("🎉".repeat(28))).toBe(false);
  });

  test("shows headings, tables and rules as typed", () => {
    expect(html("# not a heading")).toContain("# not a heading");
    expect(html("| a | b |\n|---|---|\n| 1 | 2 |")).toContain("| a | b |");
    expect(tags(html("# h\n\n---\n\n| a |\n|---|"))).not.toContain("h1");
  });

  test("marks @username of a member, strongest for the reader, and leaves strangers, addresses and code alone", () => {
    const user = (username: string) => ({ id: username, username, displayName: username.toUpperCase(), avatarUrl: null });
    const ctx = { byUsername: new Map([["ann", user("ann")], ["bob", user("bob")]]), meUsername: "bob" };
    const out = renderToStaticMarkup(
      <MentionContext.Provider value={ctx}>
        <Markdown text={"hi @ann and @bob, not @zed nor a@bob.example `@ann`"} />
      </MentionContext.Provider>,
    );
    expect(out.match(/data-testid="mention"/g)).toHaveLength(2);
    expect(out).toContain('data-testid="mention" title="ANN"');
    expect(out).toMatch(/data-testid="mention" data-me="true" title="BOB"[^>]*>@bob</);
    expect(out).toContain("not @zed nor <a href=\"mailto:a@bob.example\"");
    expect(out).toMatch(/<code[^>]*>@ann<\/code>/);
  });

  test("quotes a message as plain text: marks dropped for what they enclose, a spoiler kept hidden, HTML and lines as typed on one line", () => {
    expect(plainText("Second **Agenda**: review the `grid` _layout_, ~~then~~ [lunch](https://x.y)")).toBe("Second Agenda: review the grid layout, then lunch");
    expect(plainText("the answer is ||42|| \\*really\\*")).toBe("the answer is ▮▮▮ *really*");
    expect(plainText("<b>hi</b>\nnext line")).toBe("<b>hi</b> next line");
  });
});
