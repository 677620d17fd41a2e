/**
 * @everyone end to end, in Chromium: Bea (a member) reads #general while Ada (the owner) writes
 * "@everyone" in #announcements — the channel and the space get an "@" badge; opening the
 * channel clears it and shows the message highlighted. Bea's own "@everyone" (no permission)
 * is plain text.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort, registerUser, startNode, type TestNode } from "../support/parley";
import { joinByInvite, json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, launchBrowser, sessionCookies, until } from "../support/browser";

const enabled = browserAvailable("mentions e2e");
const dist = join(import.meta.dir, "../../dist");
const HOOK = 60_000;

describe.skipIf(!enabled)("@everyone in Chromium", () => {
  let node: TestNode;
  let browser: Browser;
  let base: string;
  let ctx: BrowserContext | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    node = await startNode({ PORT: String(port), PUBLIC_URL: base }, { staticDir: dist });
    node.listen();
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    await ctx?.close().catch(() => {});
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  test("an owner's @everyone badges the channel and space, and is highlighted; a member's is not", async () => {
    const ada = await registerUser(node, "ada");
    const bea = await registerUser(node, "bea");
    const { space } = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, ada.jar));
    const { channel: news } = await json(await node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "announcements", kind: "text" } }, ada.jar));
    await joinByInvite(node, ada.jar, space.id, bea.jar);
    const post = async (jar: typeof ada.jar, channelId: string, content: string) =>
      (await json(await node.req(`/api/conversations/${channelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar))).message;
    await post(ada.jar, space.channels[0].id, "Morning all, the raid plan is in #announcements");

    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
    await ctx.addCookies(sessionCookies(bea.jar));
    const page: Page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}/s/${space.id}/${space.channels[0].id}`);
    await page.getByTestId("channel-sidebar").waitFor({ timeout: WAIT });
    await page.getByTestId("message").first().waitFor({ timeout: WAIT });

    const loud = await post(ada.jar, news.id, "@everyone raid at 9 tonight — bring potions");
    expect(loud.mentionsEveryone).toBe(true);
    const newsItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${news.id}"]`);
    await until("the @ badge on #announcements", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));
    await until("the @ badge on the space", async () => expect(await page.locator(`[data-space-id="${space.id}"]`).getByTestId("space-mention").count()).toBe(1));
    await page.screenshot({ path: artifactPath("mentions-badge-desktop.png") });

    await newsItem.click();
    const quiet = await post(bea.jar, news.id, "@everyone me too?");
    expect(quiet.mentionsEveryone).toBe(false);
    const rowOf = (id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);
    await rowOf(quiet.id).waitFor({ timeout: WAIT });
    expect(await rowOf(loud.id).getAttribute("data-mentions-everyone")).toBe("true");
    expect(await rowOf(quiet.id).getAttribute("data-mentions-everyone")).toBeNull();
    await until("the badges clear once read", async () => {
      expect(await newsItem.getByTestId("channel-mention").count()).toBe(0);
      expect(await page.getByTestId("space-mention").count()).toBe(0);
    });
    await page.screenshot({ path: artifactPath("mentions-highlight-desktop.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: artifactPath("mentions-highlight-dark.png") });
    expect(errors).toEqual([]);
  }, 90_000);
});
