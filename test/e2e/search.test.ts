/**
 * Search in Chromium: Ctrl+K opens the search box, Enter lists hits with author, conversation
 * and the matched word marked (as text — a hit's markup-like text stays text); a click opens the
 * conversation at that message, loading older pages until it is there, and marks it; a hit on a
 * thread reply opens its thread beside the conversation (in the URL), loading older replies until
 * the reply is there, and marks it and its root.
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

  test("a hit on a thread reply opens its thread beside the conversation, scrolled to the reply and marked", async () => {
    const alice = await stage.signedIn("alice_thread_search");
    const bob = await registerUser(stage.node, "bob_thread_search");
    const dm = await befriend(stage.node, alice, bob);
    const root = await say(bob.jar, dm, "Plans for the trip");
    const reply = async (jar: CookieJar, content: string) => {
      const res = await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, threadId: root } }, jar);
      expect(res.status).toBe(201);
      return ((await res.json()) as { message: { id: string } }).message.id;
    };
    const target = await reply(bob.jar, "we could rent the narwhal canoe");
    // More than a page of replies after it (the panel opens on the newest 50).
    for (let i = 0; i < 60; i++) await reply(i % 2 ? alice.jar : bob.jar, `thread filler ${i}`);

    const { page } = alice;
    await page.goto(`${stage.base}/friends`);
    await page.getByTestId("open-search").click();
    const input = page.getByTestId("search-input");
    await input.fill("narwhal");
    await input.press("Enter");
    const hit = page.getByTestId("search-hit");
    await hit.first().waitFor({ timeout: WAIT });
    expect(await hit.getAttribute("data-message-id")).toBe(target);
    await hit.click();

    const panel = page.getByTestId("thread-panel");
    const row = panel.locator(`[data-testid="message"][data-message-id="${target}"]`);
    await until("the reply marked in its thread", async () => expect(await row.getAttribute("data-search-target")).toBe(""));
    expect(await panel.getAttribute("data-root-id")).toBe(root);
    expect(page.url()).toBe(`${stage.base}/c/${dm}?thread=${root}`);
    await until("the reply in view in the panel", async () => {
      const box = await row.boundingBox();
      const list = await panel.getByTestId("thread-replies").boundingBox();
      expect(box && list && box.y >= list.y && box.y + box.height <= list.y + list.height).toBe(true);
    });
    // Its root is the message marked in the timeline.
    const rootRow = page.getByTestId("message-list").locator(`[data-message-id="${root}"]`).first();
    expect(await rootRow.getAttribute("data-search-target")).toBe("");
    // The panel stays at the reply (it does not jump to the newest) once shown.
    await Bun.sleep(300);
    expect(await row.getAttribute("data-search-target")).toBe("");
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await settled(page);
      await page.screenshot({ path: artifactPath(`search-thread-reply-${scheme}.png`) });
    }
    expect(stage.errors).toEqual([]);
  });
});
