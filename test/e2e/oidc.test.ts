/** "Continue with …" in real Chromium against a real OpenID provider process. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { freePort, startNode, type TestNode } from "../support/parley";
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
});
