/**
 * Search in Chromium: Ctrl+K opens the search box, Enter lists hits with author, conversation
 * and the matched word marked (as text — a hit's markup-like text stays text); a click opens the
 * conversation at that message, loading older pages until it is there, and marks it.
 */
import { describe, expect, test } from "bun:test";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { registerUser, type CookieJar } from "../support/parley";
import { befriend } from "../support/social";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("search e2e");

describe.skipIf(!enabled)("search in Chromium", () => {
  const stage = browserStage();

  const say = async (jar: CookieJar, conversationId: string, content: string) => {
    const res = await stage.node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
    expect(res.status).toBe(201);
    return ((await res.json()) as { message: { id: string } }).message.id;
  };

  test("a hit from far back in a DM opens the DM scrolled to that message, marked", async () => {
    const alice = await stage.signedIn("alice_search");
    const bob = await registerUser(stage.node, "bob_search");
    const dm = await befriend(stage.node, alice, bob);
    const target = await say(bob.jar, dm, "the quarterly <b>zebrafish</b> report is attached");
    // More than two history pages after it, so the list must load older pages to reach it.
    for (let i = 0; i < 120; i++) await say(i % 2 ? alice.jar : bob.jar, dm, `filler message number ${i}`);

    const { page } = alice;
    await page.goto(`${stage.base}/friends`);
    await page.getByTestId("open-search").waitFor({ timeout: WAIT });
    await page.keyboard.press("Control+k");
    const input = page.getByTestId("search-input");
    await input.waitFor({ timeout: WAIT });
    await input.fill("zebra from:bob_search");
    await input.press("Enter");
    const hit = page.getByTestId("search-hit");
    await hit.first().waitFor({ timeout: WAIT });
    expect(await hit.count()).toBe(1);
    expect(await hit.getAttribute("data-message-id")).toBe(target);
    expect(await hit.textContent()).toContain("bob_search");
    expect(await hit.locator("mark").allTextContents()).toEqual(["zebrafish"]);
    expect(await hit.getByTestId("search-snippet").textContent()).toBe("the quarterly <b>zebrafish</b> report is attached");
    expect(await page.locator("[data-testid=search-snippet] b").count()).toBe(0);
    await settled(page);
    await page.screenshot({ path: artifactPath("search-results.png") });

    await hit.click();
    const row = page.locator(`[data-testid="message"][data-message-id="${target}"]`);
    await until("the message marked in its conversation", async () => expect(await row.getAttribute("data-search-target")).toBe(""));
    expect(page.url()).toBe(`${stage.base}/c/${dm}`);
    await until("the message in view", async () => {
      const box = await row.boundingBox();
      const list = await page.getByTestId("message-list").boundingBox();
      expect(box && list && box.y >= list.y && box.y + box.height <= list.y + list.height).toBe(true);
    });
    await settled(page);
    await page.screenshot({ path: artifactPath("search-opened.png") });
    expect(stage.errors).toEqual([]);
  });
});
