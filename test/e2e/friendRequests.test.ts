/**
 * Friend requests end to end in Chromium, two users in two contexts: a declined request is
 * gone for both and the sender may ask again from the UI (a few times an hour); a request
 * crossing a declined one is a new request, one crossing a pending one is a yes; every change
 * shows live on both sides, without a reload.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("friend requests e2e");
const T = WAIT;

describe.skipIf(!enabled)("friend requests in Chromium", () => {
  const stage = browserStage();

  /** Sends a request from the Add friend tab (reached through the tabs, no reload) and returns what the form said. */
  async function ask(page: Page, username: string): Promise<string> {
    await page.getByRole("tab", { name: "Add friend" }).click();
    await page.getByLabel("Username").fill(username);
    await page.getByRole("button", { name: "Send friend request" }).click();
    const ok = page.getByTestId("add-friend-success");
    const err = page.getByTestId("add-friend-form").locator('[id$="-error"]');
    await until("an answer to the request", async () => (await ok.count()) > 0 || (await err.count()) > 0);
    return (await ok.count()) ? (await ok.textContent())!.trim() : `error: ${await err.textContent()}`;
  }

  // A tab's name carries its badge ("Pending 1"), so match the start.
  const tab = (page: Page, name: string) => page.getByRole("tab", { name: new RegExp(`^${name}`) }).click();
  const names = (page: Page, testId: string) => page.getByTestId(testId).evaluateAll((els) => els.map((e) => e.getAttribute("data-username")));

  test("declined requests are gone for both, the sender may ask again, and crossing requests behave, all live", async () => {
    const alice = await stage.signedIn("alice_fr");
    const bob = await stage.signedIn("bob_fr");
    const [a, b] = [alice.page, bob.page];
    await a.goto(`${stage.base}/friends?tab=pending`);
    await b.goto(`${stage.base}/friends?tab=pending`);
    await a.getByTestId("empty-pending").waitFor({ timeout: T });

    expect(await ask(a, "bob_fr")).toBe("Friend request sent to @bob_fr");
    await b.getByTestId("incoming-request").waitFor({ timeout: T });
    await tab(a, "Pending");
    await a.getByTestId("outgoing-request").waitFor({ timeout: T });

    // Bob declines in the UI: the request leaves both Pending tabs live.
    await b.getByRole("button", { name: "Decline alice_fr" }).click();
    await b.getByTestId("empty-pending").waitFor({ timeout: T });
    await a.getByTestId("empty-pending").waitFor({ timeout: T });

    // Alice may ask again; Bob sees it arrive.
    expect(await ask(a, "bob_fr")).toBe("Friend request sent to @bob_fr");
    await b.getByTestId("incoming-request").waitFor({ timeout: T });
    await settled(b);
    await b.screenshot({ path: artifactPath("friends-asked-again.png") });
    await b.getByRole("button", { name: "Decline alice_fr" }).click();
    await b.getByTestId("empty-pending").waitFor({ timeout: T });

    // Bob now asks Alice. Hers was declined, so this is a new request she must answer, not a yes.
    expect(await ask(b, "alice_fr")).toBe("Friend request sent to @alice_fr");
    await tab(a, "Pending");
    await a.getByTestId("incoming-request").waitFor({ timeout: T });
    expect(await names(a, "incoming-request")).toEqual(["bob_fr"]);
    expect(await a.getByTestId("outgoing-request").count()).toBe(0);
    await tab(a, "All");
    await a.getByTestId("empty-friends").waitFor({ timeout: T });

    // Bob's is still pending, so Alice asking back is a yes: friends on both sides, live.
    await tab(b, "Pending");
    await b.getByTestId("outgoing-request").waitFor({ timeout: T });
    expect(await ask(a, "bob_fr")).toBe("You and bob_fr are now friends");
    await b.getByTestId("empty-pending").waitFor({ timeout: T });
    await tab(b, "All");
    await until("Alice in Bob's friends", async () => expect(await names(b, "friend-row")).toEqual(["alice_fr"]));
    await tab(a, "All");
    await until("Bob in Alice's friends", async () => expect(await names(a, "friend-row")).toEqual(["bob_fr"]));
    expect(stage.errors.filter((e) => !/Failed to load resource|WebSocket/.test(e))).toEqual([]);
  }, 120_000);

  test("asking the same person again and again is limited, with a clear message in the form", async () => {
    const carol = await stage.signedIn("carol_fr");
    const dave = await stage.signedIn("dave_fr");
    const [c, d] = [carol.page, dave.page];
    await c.goto(`${stage.base}/friends?tab=pending`);
    await d.goto(`${stage.base}/friends?tab=pending`);
    await c.getByTestId("empty-pending").waitFor({ timeout: T });
    const limit = stage.node.config.limits.friendRequestsPerTargetPerHour;
    for (let i = 0; i < limit; i++) {
      expect(await ask(c, "dave_fr")).toBe("Friend request sent to @dave_fr");
      await d.getByRole("button", { name: "Decline carol_fr" }).click();
      await d.getByTestId("empty-pending").waitFor({ timeout: T });
    }
    expect(await ask(c, "dave_fr")).toMatch(/^error: Too many attempts\. Try again in/);
    await settled(c);
    await c.screenshot({ path: artifactPath("friends-ask-limited.png") });
  }, 120_000);
});
