/**
 * Two-factor sign-in in Chromium: set it up from the Security page (the password first; the
 * code is computed here from the key the page shows, as an authenticator app would from the QR
 * code), save the recovery codes, log out, and log back in with a code; then once more with a
 * recovery code; then turn it off with the password and another.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { Secret, TOTP } from "otpauth";
import { WAIT, artifactPath, browserAvailable } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("two-factor e2e");

describe.skipIf(!enabled)("two-factor sign-in in Chromium", () => {
  const stage = browserStage();

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

  test("set up with the password and the QR screen, log out, and log in with a code from the app, then with a recovery code, then turn it off", async () => {
    const a = await stage.signedIn(`tessa_${process.pid}`);
    const { page } = a;
    await page.goto(`${stage.base}/settings/security`);
    await page.getByTestId("totp-enable").click();
    // A stolen session stops here: the password comes before any secret is made.
    const step = page.getByTestId("totp-password-step");
    await step.getByLabel("Current password").fill("not my password");
    await page.getByTestId("totp-password-continue").click();
    await step.getByText("That isn't your password.").waitFor({ timeout: WAIT });
    await shot(page, "totp-password-step.png");
    expect(await stage.node.store.totp.factor(a.user.id)).toBeUndefined();
    // The refusal did not sign the session out.
    expect(new URL(page.url()).pathname).toBe("/settings/security");
    await step.getByLabel("Current password").fill(a.password);
    await page.getByTestId("totp-password-continue").click();
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

    // Turning it off asks for the password and a code; then the password alone signs in.
    await page.goto(`${stage.base}/settings/security`);
    await page.getByTestId("totp-disable").click();
    const dialog = page.getByTestId("totp-code-dialog");
    await dialog.getByLabel("Current password").fill("not my password");
    await dialog.getByLabel("Authentication or recovery code").fill(recovery[1]!);
    await dialog.getByRole("button", { name: "Turn off" }).click();
    await dialog.getByText("That isn't your password.").waitFor({ timeout: WAIT });
    await dialog.getByLabel("Current password").fill(a.password);
    // The refused password spent no code: the same recovery code still works.
    await dialog.getByLabel("Authentication or recovery code").fill(recovery[1]!);
    await shot(page, "totp-disable-dialog.png");
    await dialog.getByRole("button", { name: "Turn off" }).click();
    await page.getByTestId("totp-enable").waitFor({ timeout: WAIT });
    expect((await stage.node.req("/api/auth/login", { method: "POST", json: { login: a.user.username, password: a.password } })).status).toBe(200);
    expect(stage.errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
  }, 90_000);
});
