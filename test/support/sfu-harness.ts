/**
 * Chromium pages as SFU participants, signalled straight from this process (no Parley node):
 * used by test/sfu.contract.test.ts and bench/sfu.ts. Each page runs test/support/sfu-page.ts.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Sfu } from "../../src/server/sfu/sfu";
import type { Received } from "./sfu-page";
import { BASE_FLAGS, chromePath, launchBrowser } from "./browser";
import type { Netns } from "./netns";

export interface SfuPages {
  browser: Browser;
  /** Pages by participant id, across calls; the SFU's signals are delivered through it. */
  pages: Map<string, Page>;
  /** Routes an Sfu's outgoing signals to the pages. */
  attach(sfu: Sfu): void;
  /** Each link's last state as the SFU last attached reports it, by "participant/link". */
  links: Map<string, string>;
  /**
   * A new context joins `callId`; it publishes camera+microphone at `width` unless width is 0.
   * `offerFirst`: the page offers before the SFU has it in the room (that offer is refused).
   */
  join(sfu: Sfu, callId: string, id: string, width?: number, offerFirst?: boolean): Promise<Page>;
  close(): Promise<void>;
}

const FLAGS = ["--allow-loopback-in-peer-connection"];

/** Chromium run inside `ns`: Playwright starts it through a script that enters the namespace (its pipes pass through). */
async function launchIn(ns: Netns, flags: string[]): Promise<{ browser: Browser; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "parley-ns-chromium-"));
  const wrapper = join(dir, "chromium");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${ns.exec([chromePath!]).join(" ")} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return { browser: await chromium.launch({ executablePath: wrapper, args: [...BASE_FLAGS, ...flags] }), dir };
}

/**
 * `netns`: the pages' Chromium runs in that namespace and loads them from its host end, so all
 * their traffic to the SFU crosses the pair (and whatever shaping is on it). `flags`: Chromium's, added.
 */
export async function startSfuPages({ netns, flags = [] }: { netns?: Netns; flags?: string[] } = {}): Promise<SfuPages> {
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "sfu-page.ts")], target: "browser" });
  if (!built.success) throw new AggregateError(built.logs, "sfu page build failed");
  const script = await built.outputs[0]!.text();
  const server = Bun.serve({
    hostname: netns?.hostIp ?? "127.0.0.1",
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === "/page.js"
        ? new Response(script, { headers: { "content-type": "text/javascript" } })
        : new Response('<!doctype html><body><script src="/page.js"></script></body>', { headers: { "content-type": "text/html" } }),
  });
  const inNs = netns ? await launchIn(netns, [...FLAGS, ...flags]) : null;
  const browser = inNs?.browser ?? (await launchBrowser([...FLAGS, ...flags]));
  const pages = new Map<string, Page>();
  const links = new Map<string, string>();
  return {
    browser,
    pages,
    links,
    attach(sfu) {
      links.clear();
      sfu.on((e) => {
        if (e.type === "signal") void pages.get(e.to)?.evaluate((s) => window.sfuPage.handle(s), e.signal).catch(() => {});
        if (e.type === "connection") links.set(`${e.participantId}/${e.link}`, e.state);
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
      if (inNs) rmSync(inNs.dir, { recursive: true, force: true });
    },
  };
}

export function received(page: Page): Promise<Received> {
  return page.evaluate(() => window.sfuPage.received());
}

export function keyframeRequests(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => window.sfuPage.keyframeRequests());
}
