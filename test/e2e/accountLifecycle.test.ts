/**
 * The Account page in Chromium: a data export is prepared with progress and downloaded (the zip
 * checked by unzipping it); deletion is scheduled with the password, which signs the user out,
 * and signing in during the grace period shows the choice, where keeping the account cancels it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";
import type { Browser, Page } from "playwright-core";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { WAIT, artifactPath, browserAvailable, launchBrowser, sessionCookies, until } from "../support/browser";

const enabled = browserAvailable("account lifecycle e2e");

describe.skipIf(!enabled)("account lifecycle in Chromium", () => {
  let node: TestNode;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    node = await startNode({}, { staticDir: join(import.meta.dir, "../../dist") });
    base = `http://127.0.0.1:${node.listen().port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
  }, 60_000);

  async function logIn(page: Page, login: string, password: string) {
    await page.getByLabel("Email or username").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  test("an export requested from the Account page is prepared in the background and downloads as a zip of the user's data", async () => {
    const a = await registerUser(node);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    try {
      await ctx.addCookies(sessionCookies(a.jar));
      const page = await ctx.newPage();
      await page.goto(`${base}/settings/account`);
      await page.getByRole("button", { name: "Export my data" }).click();
      const link = page.getByTestId("export-ready").getByRole("link", { name: /Download/ });
      await link.waitFor({ timeout: WAIT });
      await page.screenshot({ path: artifactPath("account-export-ready.png") });
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^parley-export-\d{4}-\d{2}-\d{2}\.zip$/);
      const saved = artifactPath("account-export.zip");
      await download.saveAs(saved);
      const zip = unzipSync(new Uint8Array(readFileSync(saved)));
      expect(JSON.parse(strFromU8(zip["profile.json"]!)).username).toBe(a.user.username);
      expect(JSON.parse(strFromU8(zip["messages.json"]!))).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 120_000);

  test("deleting from the Account page signs out, and signing in during the grace period keeps the account", async () => {
    const a = await registerUser(node);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await ctx.addCookies(sessionCookies(a.jar));
      const page = await ctx.newPage();
      await page.goto(`${base}/`);
      await page.getByRole("button", { name: "User menu" }).click();
      await page.getByRole("menuitem", { name: "Account" }).click();
      await page.getByTestId("delete-account-section").getByText("72 hours").waitFor({ timeout: WAIT });
      await page.screenshot({ path: artifactPath("account-page.png") });

      await page.getByRole("button", { name: "Delete account…" }).click();
      const dialog = page.getByTestId("delete-account-dialog");
      await dialog.getByLabel("Password", { exact: true }).fill("not my password");
      await dialog.getByRole("button", { name: "Delete my account" }).click();
      await dialog.getByText("That isn't your password.").waitFor({ timeout: WAIT });
      await page.screenshot({ path: artifactPath("account-delete-dialog.png") });
      await dialog.getByLabel("Password", { exact: true }).fill(a.password);
      await dialog.getByRole("button", { name: "Delete my account" }).click();

      await page.getByRole("button", { name: "Log in" }).waitFor({ timeout: WAIT });
      await page.getByText("Your account will be deleted on").waitFor({ timeout: WAIT });
      expect((await node.store.accounts.userById(a.user.id))?.deletion_due_at).not.toBeNull();

      await logIn(page, a.user.username, a.password);
      await page.getByTestId("deletion-scheduled").waitFor({ timeout: WAIT });
      await page.screenshot({ path: artifactPath("account-deletion-scheduled.png") });
      await page.getByRole("button", { name: "Keep my account" }).click();
      await page.getByRole("button", { name: "User menu" }).waitFor({ timeout: WAIT });
      await until("the deletion is cancelled", async () => expect((await node.store.accounts.userById(a.user.id))?.deletion_due_at).toBeNull());
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
