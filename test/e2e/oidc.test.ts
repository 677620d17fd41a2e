/** "Continue with …" in real Chromium against a real OpenID provider process. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { freePort, startNode, type TestNode } from "../support/parley";
import type { KyselyStore } from "../../src/server/store/store";
import { startOidcProvider, type OidcProviderHandle } from "../support/oidc-provider";
import { artifactPath, browserAvailable, launchBrowser, until } from "../support/browser";

const enabled = browserAvailable("OIDC e2e");

describe.skipIf(!enabled)("OIDC sign-in in Chromium", () => {
  let provider: OidcProviderHandle;
  let node: TestNode;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ redirectUri: `${base}/api/auth/oidc/oidc/callback` });
    node = await startNode(
      { PORT: String(port), PUBLIC_URL: base, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret, OIDC_NAME: "Acme SSO" },
      { staticDir: join(import.meta.dir, "../../dist") },
    );
    node.listen();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
    await provider?.stop();
  }, 60_000);

  test("the login page's provider button signs a new user in through the provider and lands in the shell", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await ctx.newPage();
      await page.goto(`${base}/login`);
      const button = page.getByRole("link", { name: "Continue with Acme SSO" });
      await button.waitFor();
      await page.screenshot({ path: artifactPath("login-oidc-desktop.png") });
      await button.click();
      await page.getByPlaceholder("Enter any login").fill("grace");
      await page.getByPlaceholder("and password").fill("anything");
      await page.getByRole("button", { name: "Sign-in" }).click();
      const username = page.getByTestId("current-user-username");
      await username.waitFor();
      expect(new URL(page.url()).origin).toBe(base);
      await until("the shell to show @grace", async () => expect(await username.textContent()).toBe("@grace"));
      // The session is a real one: it survives a reload.
      await page.reload();
      await until("@grace after a reload", async () => expect(await username.textContent()).toBe("@grace"));
    } finally {
      await ctx.close();
    }
  }, 90_000);

  test("a single sign-on account sets up two-factor only from a recent sign-in: the page sends it through the provider and back", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await ctx.newPage();
      const signInAtProvider = async () => {
        await page.getByPlaceholder("Enter any login").fill("hazel");
        await page.getByPlaceholder("and password").fill("anything");
        await page.getByRole("button", { name: "Sign-in" }).click();
      };
      await page.goto(`${base}/login`);
      await page.getByRole("link", { name: "Continue with Acme SSO" }).click();
      await signInAtProvider();
      await page.getByTestId("current-user-username").waitFor();
      // The session is older than RECENT_SIGN_IN_SECONDS, as a stolen one kept for a while would be.
      const longAgo = new Date(Date.now() - 11 * 60_000).toISOString();
      await (node.store as KyselyStore).db.updateTable("sessions").set({ created_at: longAgo }).execute();

      await page.goto(`${base}/settings/security`);
      await page.getByTestId("totp-enable").click();
      const reauth = page.getByTestId("totp-reauth");
      await reauth.waitFor();
      await page.screenshot({ path: artifactPath("totp-reauth-oidc.png") });
      await reauth.getByRole("link", { name: "Continue with Acme SSO" }).click();
      await signInAtProvider();
      await page.getByTestId("totp-enable").waitFor();
      expect(new URL(page.url()).pathname).toBe("/settings/security");
      await page.getByTestId("totp-enable").click();
      await page.getByTestId("totp-qr").waitFor();
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
