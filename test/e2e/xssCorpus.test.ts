/**
 * An XSS corpus through the app in Chromium: one user types each payload into the composer and
 * sends it; the other sees them arrive live and again from history after a reload. Each payload
 * would set window.__xss (or open a dialog, or navigate) if anything in it ran; none may, and the
 * message bodies may hold only the elements the markdown renderer draws, no event attributes,
 * and links that are http, https or mailto with rel="noopener noreferrer".
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { befriend } from "../support/social";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("XSS corpus e2e");

const CORPUS = [
  // Script tags and event attributes as raw HTML.
  "<script>window.__xss=1</script>",
  '<img src=x onerror="window.__xss=2">',
  '<div onmouseover="window.__xss=3">hover me</div>',
  '<details open ontoggle="window.__xss=4">toggle</details>',
  '<input autofocus onfocus="window.__xss=5">',
  '<body onload="window.__xss=6">',
  '<iframe src="javascript:window.__xss=7"></iframe>',
  '<iframe srcdoc="<script>parent.__xss=8</script>"></iframe>',
  '<object data="javascript:window.__xss=9"></object>',
  '<embed src="data:text/html,<script>parent.__xss=10</script>">',
  '<form action="javascript:window.__xss=11"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=12">',
  "<style>body{display:none}</style>",
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=14">',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=15>">',
  // SVG payloads.
  '<svg onload="window.__xss=16"><circle r="5"/></svg>',
  "<svg><script>window.__xss=17</script></svg>",
  '<svg><a xlink:href="javascript:window.__xss=18"><text x="0" y="10">svg link</text></a></svg>',
  "<svg/onload=window.__xss=19>",
  // javascript: and data: links, as HTML and as markdown.
  '<a href="javascript:window.__xss=20">html link</a>',
  "[md link](javascript:window.__xss=21)",
  "[mixed case](JaVaScRiPt:window.__xss=22)",
  "[entity](&#106;avascript:window.__xss=23)",
  "[tab](java\tscript:window.__xss=24)",
  "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MjU8L3NjcmlwdD4=)",
  "[svg data](data:image/svg+xml,<svg onload=window.__xss=26>)",
  "<javascript:window.__xss=27>",
  "[vb](vbscript:msgbox(28))",
  "![img](javascript:window.__xss=29)",
  '![x](https://example.invalid/x.png" onerror="window.__xss=30)',
  '[quote break](https://example.com/"onmouseover="window.__xss=31)',
  '<a href="https://example.com" target="_self" rel="opener">rel opener</a>',
  // HTML smuggled inside markdown constructs.
  '**<b onclick="window.__xss=33">bold html</b>**',
  "> <img src=x onerror=window.__xss=34>",
  "- <svg/onload=window.__xss=35>",
  "||<img src=x onerror=window.__xss=36>||",
  "```html\n<script>window.__xss=37</script>\n<img src=x onerror=window.__xss=37>\n```",
  "`<img src=x onerror=window.__xss=38>`",
  "_<iframe src=javascript:window.__xss=39>_",
  // Direction overrides.
  "invoice\u202Efdp.exe",
  "[\u202Egnp.exe](https://example.com/file)",
  "\u2067evil\u2069 and \u202Dforced\u202C",
  // Zero-width tricks.
  "[zw](java\u200Bscript:window.__xss=43)",
  "\u200Bjavascript:window.__xss=44",
  "<scr\u200Bipt>window.__xss=45</scr\u200Bipt>",
  "https://exa\u200Dmple.com/login",
  "[mail](mailto:someone@example.com) and https://example.org/ok",
];

/** What the renderer draws in a message body (markdown, code colouring, mentions, direction markers). */
const ALLOWED_TAGS = ["div", "p", "span", "strong", "em", "s", "code", "pre", "br", "a", "blockquote", "ul", "ol", "li", "bdi"];

interface Findings {
  flag: unknown;
  bodies: number;
  badTags: string[];
  handlers: string[];
  links: Array<{ href: string | null; rel: string | null }>;
  pageWide: { iframes: number; objects: number; scripts: number; metaRefresh: number; bases: number };
  url: string;
}

/** Everything the checks need, read from the page in one go. */
function inspect(page: Page): Promise<Findings> {
  return page.evaluate((allowed) => {
    const ok = new Set(allowed);
    const bodies = [...document.querySelectorAll('[data-testid="message-list"] [data-testid="message-content"]')];
    const badTags: string[] = [];
    const handlers: string[] = [];
    for (const b of bodies) {
      for (const el of b.querySelectorAll("*")) {
        if (!ok.has(el.localName)) badTags.push(el.localName);
        for (const a of el.attributes) if (/^on/i.test(a.name) || ["srcdoc", "formaction", "xlink:href", "src"].includes(a.name)) handlers.push(`${el.localName}[${a.name}]`);
      }
    }
    const links = bodies.flatMap((b) => [...b.querySelectorAll("a")].map((a) => ({ href: a.getAttribute("href"), rel: a.getAttribute("rel") })));
    return {
      flag: (window as unknown as { __xss?: unknown }).__xss,
      bodies: bodies.length,
      badTags,
      handlers,
      links,
      pageWide: {
        iframes: document.querySelectorAll("iframe, frame").length,
        objects: document.querySelectorAll("object, embed").length,
        scripts: document.querySelectorAll("script:not([src])").length,
        metaRefresh: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
        bases: document.querySelectorAll("base").length,
      },
      url: location.href,
    };
  }, ALLOWED_TAGS);
}

function expectClean(f: Findings, url: string): void {
  expect(f.flag).toBeUndefined();
  expect(f.bodies).toBeGreaterThanOrEqual(CORPUS.length);
  expect(f.badTags).toEqual([]);
  expect(f.handlers).toEqual([]);
  expect(f.pageWide).toEqual({ iframes: 0, objects: 0, scripts: 0, metaRefresh: 0, bases: 0 });
  expect(f.url).toBe(url);
  expect(f.links.length).toBeGreaterThan(0);
  for (const l of f.links) {
    expect(l.href ?? "").toMatch(/^(https?:\/\/|mailto:)/);
    expect(l.rel).toBe("noopener noreferrer");
  }
}

describe.skipIf(!enabled)("an XSS corpus in Chromium", () => {
  // The corpus goes out faster than the default socket budget allows.
  const stage = browserStage({ WS_RATE_PER_SECOND: "1000", WS_BURST: "1000" });

  test("none of the payloads runs script or injects an element, live or from history, and links stay http, https or mailto without an opener", async () => {
    const mal = await stage.signedIn("mal_xss");
    const vic = await stage.signedIn("vic_xss");
    const dm = await befriend(stage.node, mal, vic);
    const dialogs: string[] = [];
    for (const page of [mal.page, vic.page]) {
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    }
    const url = `${stage.base}/c/${dm}`;
    await Promise.all([mal.page.goto(url), vic.page.goto(url)]);
    const box = mal.page.getByTestId("composer");
    await Promise.all([box.waitFor({ timeout: WAIT }), vic.page.getByTestId("composer").waitFor({ timeout: WAIT })]);

    for (const payload of CORPUS) {
      await box.fill(payload);
      await box.press("Enter");
      await until("the composer cleared", async () => expect(await box.inputValue()).toBe(""));
    }
    const received = vic.page.locator('[data-testid="message-list"] [data-testid="message"]');
    await until("every payload arrived live", async () => expect(await received.count()).toBe(CORPUS.length), 60_000);
    const sent = mal.page.locator('[data-testid="message-list"] [data-testid="message"][data-status="sent"]');
    await until("every payload acknowledged", async () => expect(await sent.count()).toBe(CORPUS.length), 60_000);

    // Hovering and clicking every body gives mouse handlers their chance.
    for (const content of await vic.page.locator('[data-testid="message-list"] [data-testid="message-content"]').all()) {
      await content.hover();
      await content.click({ position: { x: 2, y: 2 } });
    }
    await settled(vic.page);
    await vic.page.screenshot({ path: artifactPath("xss-corpus-live.png"), fullPage: true });
    expectClean(await inspect(vic.page), url);
    expectClean(await inspect(mal.page), url);

    // Raw HTML is shown as the text that was typed; direction controls as visible markers.
    const text = await vic.page.locator('[data-testid="message-list"]').textContent();
    expect(text).toContain("<script>window.__xss=1</script>");
    expect(text).toContain('<svg onload="window.__xss=16"><circle r="5"/></svg>');
    expect(await vic.page.getByTestId("bidi-marker").count()).toBeGreaterThanOrEqual(5);

    await vic.page.reload();
    await until("the corpus back from history", async () => expect(await received.count()).toBe(CORPUS.length), 60_000);
    await settled(vic.page);
    await vic.page.emulateMedia({ colorScheme: "dark" });
    await vic.page.screenshot({ path: artifactPath("xss-corpus-history-dark.png"), fullPage: true });
    expectClean(await inspect(vic.page), url);
    expect(dialogs).toEqual([]);
    // A script or handler blocked by the CSP would show here as a console error.
    expect(stage.errors).toEqual([]);
  }, 240_000);
});
