/**
 * Chromium pages as SFU participants, signalled straight from this process (no Parley node):
 * used by test/sfu.contract.test.ts and bench/sfu.ts. Each page runs test/support/sfu-page.ts.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Sfu } from "../../src/server/sfu/sfu";
import type { Received } from "./sfu-page";
import { launchBrowser } from "./browser";

export interface SfuPages {
  browser: Browser;
  /** Pages by participant id, across calls; the SFU's signals are delivered through it. */
  pages: Map<string, Page>;
  /** Routes an Sfu's outgoing signals to the pages. */
  attach(sfu: Sfu): void;
  /**
   * A new context joins `callId`; it publishes camera+microphone at `width` unless width is 0.
   * `offerFirst`: the page offers before the SFU has it in the room (that offer is refused).
   */
  join(sfu: Sfu, callId: string, id: string, width?: number, offerFirst?: boolean): Promise<Page>;
  close(): Promise<void>;
}

export async function startSfuPages(): Promise<SfuPages> {
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "sfu-page.ts")], target: "browser" });
  if (!built.success) throw new AggregateError(built.logs, "sfu page build failed");
  const script = await built.outputs[0]!.text();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === "/page.js"
        ? new Response(script, { headers: { "content-type": "text/javascript" } })
        : new Response('<!doctype html><body><script src="/page.js"></script></body>', { headers: { "content-type": "text/html" } }),
  });
  const browser = await launchBrowser(["--allow-loopback-in-peer-connection"]);
  const pages = new Map<string, Page>();
  return {
    browser,
    pages,
    attach(sfu) {
      sfu.on((e) => {
        if (e.type === "signal") void pages.get(e.to)?.evaluate((s) => window.sfuPage.handle(s), e.signal).catch(() => {});
      });
    },
    async join(sfu, callId, id, width = 640, offerFirst = false) {
      const page = await (await browser.newContext()).newPage();
      let offered = () => {};
      const offer = new Promise<void>((resolve) => (offered = resolve));
      await page.exposeFunction("sfuSend", (json: string) => {
        const signal = JSON.parse(json);
        if (signal.kind === "offer") offered();
        return sfu.signal(callId, id, signal);
      });
      await page.goto(server.url.href);
      await page.waitForFunction(() => !!window.sfuPage);
      pages.set(id, page);
      await page.evaluate(() => window.sfuPage.connect());
      const publish = () => page.evaluate((w) => window.sfuPage.publish(w), width);
      if (offerFirst) {
        const published = publish();
        await offer;
        await sfu.join(callId, id);
        await published;
      } else {
        await sfu.join(callId, id);
        if (width) await publish();
      }
      return page;
    },
    async close() {
      await browser.close();
      server.stop(true);
    },
  };
}

export function received(page: Page): Promise<Received> {
  return page.evaluate(() => window.sfuPage.received());
}
