/** The web shell in real Chromium against a real node serving the production bundle. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Server } from "bun";
import { startNode, type TestNode } from "../support/parley";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, launchBrowser } from "../support/browser";

const enabled = browserAvailable("web shell e2e");
const dist = join(import.meta.dir, "../../dist");
/** Hooks get explicit time limits: `bun test` alone gives them 5 s, too little on a loaded machine. */
const HOOK = 60_000;

describe.skipIf(!enabled)("web shell in Chromium", () => {
  let node: TestNode;
  let server: Server<unknown>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    node = await startNode({}, { staticDir: dist });
    server = node.listen();
    base = `http://127.0.0.1:${server.port}`;
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name), fullPage: true });

  test("register, reload and stay signed in, log out, log in again", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

      await page.goto(`${base}/register`);
      await shot(page, "register-desktop.png");
      await page.getByLabel("Email").fill("not-an-email");
      await page.getByLabel("Username").fill("Bad Name!");
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      // Inline validation: nothing was created, the page says what is wrong.
      await page.getByText(/valid email/i).first().waitFor({ state: "visible", timeout: WAIT });
      await shot(page, "register-errors-desktop.png");

      await page.getByLabel("Email").fill("erin@example.com");
      await page.getByLabel("Username").fill("erin");
      await page.getByLabel("Password", { exact: true }).fill("a very good password");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByText("@erin").first().waitFor();
      await shot(page, "shell-desktop.png");

      await page.reload();
      await page.getByText("@erin").first().waitFor();

      await page.getByRole("button", { name: "User menu" }).click();
      await page.getByRole("menuitem", { name: "Log out" }).click();
      await page.getByLabel("Email or username").waitFor();
      await page.reload();
      await page.getByLabel("Email or username").waitFor();
      await shot(page, "login-desktop.png");

      await page.getByLabel("Email or username").fill("erin");
      await page.getByLabel("Password", { exact: true }).fill("wrong password!!");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByText(/don't match/i).first().waitFor();

      await page.getByLabel("Password", { exact: true }).fill("a very good password");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByText("@erin").first().waitFor();
      expect(errors.filter((e) => !/401|Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  test("the shell, login and register pages render at mobile width", async () => {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    try {
      const page = await ctx.newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel("Email or username").waitFor();
      await shot(page, "login-mobile.png");
      await page.goto(`${base}/register`);
      await page.getByLabel("Username").waitFor();
      await shot(page, "register-mobile.png");
      await page.getByLabel("Email").fill("mo@example.com");
      await page.getByLabel("Username").fill("mo_bile");
      await page.getByLabel("Password", { exact: true }).fill("a very good password");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByText("@mo_bile").first().waitFor({ state: "attached" });
      // The signed-in shell in its phone layout (menu button, not the sidebar) before measuring.
      await page.getByRole("button", { name: "Open navigation" }).waitFor();
      await shot(page, "shell-mobile.png");
      // Nothing may overflow sideways at phone width.
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
