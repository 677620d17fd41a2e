/**
 * Friend requests end to end in Chromium, two users in two contexts: a declined request is
 * gone for both and the sender may ask again from the UI; a request crossing a declined one
 * does not make friends by itself; every change shows live on both sides.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { WAIT, artifactPath, browserAvailable, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("friend requests e2e");
const T = WAIT;

describe.skipIf(!enabled)("friend requests in Chromium", () => {
  const stage = browserStage();

  async function ask(page: Page, username: string): Promise<string> {
    await page.goto(`${stage.base}/friends?tab=add`);
    await page.getByLabel("Username").fill(username);
    await page.getByRole("button", { name: "Send friend request" }).click();
    const ok = page.getByTestId("add-friend-success");
    const err = page.locator("#friends-panel [role=alert], #friends-panel [data-testid=field-error]");
    await until("an answer to the request", async () => (await ok.count()) > 0 || (await err.count()) > 0);
    return (await ok.count()) ? (await ok.textContent())! : `error: ${await err.first().textContent()}`;
  }

  const rows = (page: Page, testId: string) => page.getByTestId(testId).evaluateAll((els) => els.map((e) => e.getAttribute("data-username")));

  test("a declined request is gone for both, and the sender can ask again from the UI", async () => {
    const alice = await stage.signedIn("alice_fr");
    const bob = await stage.signedIn("bob_fr");
    const [a, b] = [alice.page, bob.page];
    await b.goto(`${stage.base}/friends?tab=pending`);
    expect(await ask(a, "bob_fr")).toContain("Friend request sent to @bob_fr");

    await b.getByTestId("incoming-request").waitFor({ timeout: T });
    await a.goto(`${stage.base}/friends?tab=pending`);
    await a.getByTestId("outgoing-request").waitFor({ timeout: T });
    await b.getByRole("button", { name: /^Decline / }).click();
    await b.getByTestId("empty-pending").waitFor({ timeout: T });
    await a.getByTestId("empty-pending").waitFor({ timeout: T });

    expect(await ask(a, "bob_fr")).toContain("Friend request sent to @bob_fr");
    await b.getByTestId("incoming-request").waitFor({ timeout: T });
    await b.screenshot({ path: artifactPath("friends-asked-again.png") });
    await b.getByRole("button", { name: /^Decline / }).click();
    await b.getByTestId("empty-pending").waitFor({ timeout: T });

    // Bob now asks Alice: her request was declined, so this is a new request, not a yes.
    expect(await ask(b, "alice_fr")).toContain("Friend request sent to @alice_fr");
    await a.goto(`${stage.base}/friends?tab=pending`);
    await a.getByTestId("incoming-request").waitFor({ timeout: T });
    expect(await rows(a, "incoming-request")).toEqual(["bob_fr"]);
    await a.goto(`${stage.base}/friends?tab=all`);
    await a.getByTestId("empty-friends").waitFor({ timeout: T });
  }, 120_000);
});
