/** The live connection outlasts short-lived access tokens, online and after being offline. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { befriend } from "../support/social";
import { WAIT, browserAvailable, launchBrowser, sessionCookies, until } from "../support/browser";

const enabled = browserAvailable("session e2e");

describe.skipIf(!enabled)("socket and token expiry in Chromium", () => {
  let node: TestNode;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    node = await startNode({ ACCESS_TTL_SECONDS: "3" }, { staticDir: join(import.meta.dir, "../../dist") });
    base = `http://127.0.0.1:${node.listen().port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
  }, 60_000);

  test("messages keep arriving across token expiries and after an offline spell longer than the token", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await ctx.addCookies(sessionCookies(a.jar));
      const page = await ctx.newPage();
      await page.goto(`${base}/c/${conversationId}`);
      await page.getByTestId("message-list").waitFor();
      // The refresh is scheduled from the server's accessExpiresAt (3 s here), not a fixed delay.
      await until("a refresh scheduled within the token's life", async () => {
        const stamp = await page.evaluate(() => JSON.parse(localStorage.getItem("parley.tokens") ?? "null"));
        expect(stamp?.issuedAt).toBeGreaterThan(0);
        expect(stamp.refreshAt - stamp.issuedAt).toBeGreaterThan(0);
        expect(stamp.refreshAt - stamp.issuedAt).toBeLessThanOrEqual(3000);
      });
      // b speaks over REST with a token as short-lived as a's, so it refreshes first.
      const say = async (text: string) => {
        await node.req("/api/auth/refresh", { method: "POST" }, b.jar);
        const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: text, content: text } }, b.jar);
        if (res.status !== 201) throw new Error(`send failed: ${res.status}`);
      };

      // Two expiries pass: the server closes the socket (4401), the client refreshes and reconnects.
      await Bun.sleep(7000);
      await say("after expiry");
      await page.getByTestId("message-list").getByText("after expiry").waitFor({ timeout: WAIT });

      // Offline past the token's life: the upgrade itself is refused until the client refreshes.
      await ctx.setOffline(true);
      await Bun.sleep(5000);
      await say("after offline");
      await ctx.setOffline(false);
      await page.getByTestId("message-list").getByText("after offline").waitFor({ timeout: WAIT });
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
