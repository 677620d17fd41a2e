/**
 * Two-factor sign-in in Chromium: set it up from the Security page (the code is computed here
 * from the key the page shows, as an authenticator app would from the QR code), save the
 * recovery codes, log out, and log back in with a code; then once more with a recovery code;
 * then turn it off with another.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { Secret, TOTP } from "otpauth";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { WAIT, artifactPath, browserAvailable, launchBrowser, sessionCookies } from "../support/browser";

const enabled = browserAvailable("two-factor e2e");

describe.skipIf(!enabled)("two-factor sign-in in Chromium", () => {
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

  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name), fullPage: true });
  /** The app's code now, or a step ahead (still accepted) to follow one already used. */
  const code = (secret: string, stepsAhead = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

  async function logOutAndIn(page: Page, a: { user: { username: string }; password: string }) {
    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByLabel("Email or username").fill(a.user.username);
    await page.getByLabel("Password", { exact: true }).fill(a.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Enter the 6-digit code from your authenticator app").waitFor({ timeout: WAIT });
  }

  test("set up with the QR screen, log out, and log in with a code from the app, then with a recovery code, then turn it off", async () => {
    const a = await registerUser(node);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await ctx.addCookies(sessionCookies(a.jar));
      const page = await ctx.newPage();
      await page.goto(`${base}/settings/security`);
      await page.getByTestId("totp-enable").click();
      const qr = page.getByTestId("totp-qr");
      await qr.waitFor({ timeout: WAIT });
      expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await shot(page, "totp-setup.png");

      await page.getByLabel("Authentication code").fill("000000");
      await page.getByTestId("totp-confirm").click();
      await page.getByText(/didn't match/).waitFor({ timeout: WAIT });
      await page.getByLabel("Authentication code").fill(code(secret));
      await page.getByTestId("totp-confirm").click();
      const codes = page.getByTestId("recovery-code");
      await codes.first().waitFor({ timeout: WAIT });
      expect(await codes.count()).toBe(10);
      const recovery = (await codes.allInnerTexts()).map((c) => c.trim());
      await shot(page, "totp-recovery-codes.png");
      await page.getByTestId("recovery-codes-done").click();
      await page.getByTestId("totp-on").waitFor({ timeout: WAIT });
      await shot(page, "totp-on.png");

      await logOutAndIn(page, a);
      await shot(page, "totp-login-step.png");
      await page.getByLabel("Authentication code").fill("123456");
      await page.getByRole("button", { name: "Verify" }).click();
      await page.getByText(/didn't work/).waitFor({ timeout: WAIT });
      await shot(page, "totp-login-wrong-code.png");
      await page.getByLabel("Authentication code").fill(code(secret, 1));
      await page.getByRole("button", { name: "Verify" }).click();
      await page.getByText(`@${a.user.username}`).first().waitFor({ timeout: WAIT });
      expect(new URL(page.url()).pathname).toBe("/");

      await logOutAndIn(page, a);
      await page.getByTestId("totp-switch").click();
      await page.getByLabel("Recovery code").fill(recovery[0]!);
      await shot(page, "totp-login-recovery.png");
      await page.getByRole("button", { name: "Verify" }).click();
      await page.getByText(`@${a.user.username}`).first().waitFor({ timeout: WAIT });
      await page.getByText("9 left").waitFor({ timeout: WAIT });

      // Turning it off asks for a code; then the password alone signs in.
      await page.goto(`${base}/settings/security`);
      await page.getByTestId("totp-disable").click();
      const dialog = page.getByTestId("totp-code-dialog");
      await dialog.getByLabel("Authentication or recovery code").fill(recovery[1]!);
      await shot(page, "totp-disable-dialog.png");
      await dialog.getByRole("button", { name: "Turn off" }).click();
      await page.getByTestId("totp-enable").waitFor({ timeout: WAIT });
      expect((await node.req("/api/auth/login", { method: "POST", json: { login: a.user.username, password: a.password } })).status).toBe(200);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
