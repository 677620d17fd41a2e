/**
 * The outbox survives the page: a message written while offline is still there after the tab
 * is closed and the app opened again, then goes out exactly once. Real Chromium, real node.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Server } from "bun";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { befriend } from "../support/social";
import { WAIT, browserAvailable, launchBrowser, sessionCookies, until } from "../support/browser";

const enabled = browserAvailable("outbox e2e");
const dist = join(import.meta.dir, "../../dist");
const HOOK = 60_000;

function statuses(page: Page): Promise<{ status: string | null; text: string }[]> {
  return page.$$eval('[data-testid="message-list"] [data-testid="message"]', (els) =>
    els.map((el) => ({ status: el.getAttribute("data-status"), text: el.querySelector('[data-testid="message-content"]')?.textContent ?? "" })),
  );
}

function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("parley:outbox:")));
}

describe.skipIf(!enabled)("outbox across page loads", () => {
  let node: TestNode;
  let server: Server<unknown>;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    node = await startNode({}, { staticDir: dist });
    server = node.listen();
    base = `http://127.0.0.1:${server.port}`;
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  async function signedIn(u: Awaited<ReturnType<typeof registerUser>>): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    await ctx.addCookies(sessionCookies(u.jar));
    return ctx;
  }

  test("a message sent offline survives closing the tab and is delivered once when the app is opened again", async () => {
    const alice = await registerUser(node, "olivia");
    const bob = await registerUser(node, "oscar");
    const dm = await befriend(node, alice, bob);
    const ctxA = await signedIn(alice);
    const ctxB = await signedIn(bob);
    const b = await ctxB.newPage();
    await b.goto(`${base}/c/${dm}`);
    await b.getByTestId("conversation").waitFor({ timeout: WAIT });

    let a = await ctxA.newPage();
    await a.goto(`${base}/c/${dm}`);
    await a.getByTestId("conversation").waitFor({ timeout: WAIT });
    await ctxA.setOffline(true);
    await a.getByTestId("reconnecting-banner").waitFor({ timeout: WAIT });
    const box = a.getByTestId("composer");
    await box.fill("written on the train");
    await box.press("Enter");
    await until("the message to show as pending", async () => (await statuses(a)).some((m) => m.text === "written on the train" && m.status === "pending"));
    expect(await storedKeys(a)).toHaveLength(1);
    await a.close();

    // Nothing went out while the tab was closed.
    const before = await node.req(`/api/conversations/${dm}/messages`, {}, bob.jar);
    expect(((await before.json()) as { messages: unknown[] }).messages).toHaveLength(0);

    await ctxA.setOffline(false);
    a = await ctxA.newPage();
    await a.goto(`${base}/c/${dm}`);
    await until("the kept message to be sent", async () => (await statuses(a)).some((m) => m.text === "written on the train" && m.status === "sent"));
    await b.getByTestId("message-content").filter({ hasText: "written on the train" }).waitFor({ timeout: WAIT });
    await until("the stored copy to be dropped", async () => (await storedKeys(a)).length === 0);

    // A second page load sends nothing again, and the server holds exactly one copy.
    await a.reload();
    await a.getByTestId("conversation").waitFor({ timeout: WAIT });
    const after = await node.req(`/api/conversations/${dm}/messages`, {}, bob.jar);
    const contents = ((await after.json()) as { messages: { content: string }[] }).messages.map((m) => m.content);
    expect(contents).toEqual(["written on the train"]);
    expect((await statuses(b)).filter((m) => m.text === "written on the train")).toHaveLength(1);
  });

  test("signing out forgets messages that were never sent", async () => {
    const carol = await registerUser(node, "odette");
    const dave = await registerUser(node, "otto");
    const dm = await befriend(node, carol, dave);
    const ctx = await signedIn(carol);
    const page = await ctx.newPage();
    await page.goto(`${base}/c/${dm}`);
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await ctx.setOffline(true);
    await page.getByTestId("composer").fill("never mind");
    await page.getByTestId("composer").press("Enter");
    await until("the message to be stored", async () => (await storedKeys(page)).length === 1);
    await page.getByRole("button", { name: "User menu" }).first().click();
    await page.getByTestId("logout").click();
    await until("the login page", () => new URL(page.url()).pathname === "/login");
    expect(await storedKeys(page)).toHaveLength(0);
    // Back online and signed in again: nothing goes out.
    await ctx.setOffline(false);
    await page.getByLabel("Email or username").fill(carol.user.username);
    await page.getByLabel("Password", { exact: true }).fill(carol.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "User menu" }).first().waitFor({ timeout: WAIT });
    await page.goto(`${base}/c/${dm}`);
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await Bun.sleep(1000);
    expect(await statuses(page)).toEqual([]);
    const res = await node.req(`/api/conversations/${dm}/messages`, {}, dave.jar);
    expect(((await res.json()) as { messages: unknown[] }).messages).toHaveLength(0);
  });
});
