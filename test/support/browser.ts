/**
 * Chromium for browser suites: found at CHROME_PATH or the usual places. Without one the
 * suites skip and say so — except under CI=true, where a missing browser is a failure.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

const CANDIDATES = [process.env.CHROME_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export const chromePath = CANDIDATES.find((p): p is string => !!p && existsSync(p));

export const BASE_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
];

/**
 * Screen sharing (getDisplayMedia) in the call suites. With BASE_FLAGS' fake UI and fake
 * devices, headless Chromium already answers getDisplayMedia with a synthetic 1280×720
 * "screen" (device screen:-3:0) and no picker; this flag makes a headful run pick the whole
 * screen instead of waiting for a click in the picker. (Tried and not needed for headless:
 * --auto-accept-this-tab-capture, --auto-select-tab-capture-source-by-title=….)
 */
export const SCREEN_CAPTURE_FLAGS = ["--auto-select-desktop-capture-source=Entire screen"];

/** True when browser suites should run; throws under CI when no browser exists. */
export function browserAvailable(suite: string): boolean {
  if (chromePath) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: no Chromium found (set CHROME_PATH) and CI=true`);
  console.warn(`${suite}: skipped — no Chromium found (set CHROME_PATH or install chromium)`);
  return false;
}

export function launchBrowser(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath, args: [...BASE_FLAGS, ...extraFlags] });
}

export const ARTIFACTS = join(import.meta.dir, "../../test-artifacts");

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** A test user's session cookies, for signing a browser context in without the login form. */
export function sessionCookies(jar: { get(name: string): string | undefined }, host = "127.0.0.1") {
  return [
    { name: "access_token", value: jar.get("access_token")!, domain: host, path: "/" },
    { name: "refresh_token", value: jar.get("refresh_token")!, domain: host, path: "/api/auth" },
  ];
}

/** How long browser suites wait for something that arrives asynchronously (Playwright's own default). */
export const WAIT = 30_000;

/**
 * Polls `check` every 100 ms until it passes — returns anything but `false` without throwing —
 * and throws, naming `what` and the last failure, once `timeoutMs` has run out. Use it wherever
 * the page's state follows an action or a live event asynchronously: read, compare, retry.
 */
export async function until(what: string, check: () => Promise<unknown> | unknown, timeoutMs = WAIT): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if ((await check()) !== false) return;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      // One line, so the run's closing summary shows the whole reason (an expect diff spans several).
      const why = last ? `: ${(last instanceof Error ? last.message : String(last)).replace(/\s*\n\s*/g, " ")}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await Bun.sleep(100);
  }
}

/** Pixels the page overflows sideways (≤ 0: nothing does). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Resolves once no CSS animation or transition is running: screenshots show the settled page. */
export function settled(page: Page): Promise<unknown> {
  return page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
}
