/**
 * Threads end to end, in Chromium, two users in two contexts: Start thread on a message opens
 * the side panel, a reply sent there reaches the other side live (in their panel, or as the
 * root's count, participants and unread mark) and never the main timeline; opening the thread
 * marks it read on the server; the open thread is in the URL (Back closes it, a link or a reload
 * opens it); a reply edited or deleted in the panel changes for the other side live, and a delete
 * leaves both roots' counts right, live and after a reload; on a phone the panel is the
 * whole screen with a back button. A reply edited and one deleted while a viewer was offline
 * are right on their screen once they are back.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";
import { json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, sessionCookies, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("threads e2e");

describe.skipIf(!enabled)("threads in Chromium", () => {
  const stage = browserStage();

  test("a thread started on a message fills live on both sides, stays out of the timeline and is read once opened", async () => {
    const ada = await registerUser(stage.node, "ada");
    const bea = await registerUser(stage.node, "bea");
    const dm = await befriend(stage.node, ada, bea);
    const send = async (who: typeof ada, content: string) =>
      (await json(await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, who.jar))).message;
    const root = await send(ada, "Where shall we camp?");
    await send(bea, "Somewhere quiet");

    const open = async (who: typeof ada, name: string, colorScheme: "light" | "dark"): Promise<Page> => {
      const ctx = await stage.context({ colorScheme });
      await ctx.addCookies(sessionCookies(who.jar));
      const page = await stage.page(ctx, name);
      await page.goto(`${stage.base}/c/${dm}`);
      await page.getByTestId("message").first().waitFor({ timeout: WAIT });
      return page;
    };
    const [adaPage, beaPage] = [await open(ada, "ada", "light"), await open(bea, "bea", "dark")];
    const rootRow = (page: Page) => page.getByTestId("message-list").locator(`[data-testid="message"][data-message-id="${root.id}"]`);
    const panel = (page: Page) => page.getByTestId("thread-panel");
    const timelineTexts = (page: Page) => page.getByTestId("message-list").getByTestId("message-content").allTextContents();

    // Bea starts the thread.
    await rootRow(beaPage).hover();
    const start = rootRow(beaPage).getByTestId("open-thread");
    expect(await start.getAttribute("title")).toBe("Start thread");
    await start.click();
    await panel(beaPage).waitFor({ timeout: WAIT });
    expect(await panel(beaPage).getAttribute("data-layout")).toBe("side");
    expect(await panel(beaPage).getByTestId("thread-root").textContent()).toContain("Where shall we camp?");
    expect(await panel(beaPage).getByTestId("thread-count").textContent()).toBe("No replies yet");
    await beaPage.getByTestId("thread-composer").fill("By the lake");
    await beaPage.getByTestId("thread-composer").press("Enter");
    await panel(beaPage).getByTestId("message-content").filter({ hasText: "By the lake" }).waitFor({ timeout: WAIT });

    // Ada sees it on the root: one reply, Bea's avatar, unread; not in the timeline.
    const summary = rootRow(adaPage).getByTestId("thread-summary");
    await until("the root's thread summary on Ada's side", async () => expect(await summary.getAttribute("data-reply-count")).toBe("1"));
    expect(await summary.getAttribute("data-unread")).toBe("1");
    expect(await summary.textContent()).toContain("Last reply just now");
    const participants = (page: Page) => rootRow(page).getByTestId("thread-participants").locator(":scope > *").count();
    expect(await participants(adaPage)).toBe(1);
    expect(await timelineTexts(adaPage)).not.toContain("By the lake");
    await adaPage.screenshot({ path: artifactPath("threads-summary-desktop-light.png") });

    // Opening it shows the reply and marks the thread read, on the page and on the server.
    await summary.click();
    await panel(adaPage).getByTestId("message-content").filter({ hasText: "By the lake" }).waitFor({ timeout: WAIT });
    await until("the unread mark to clear", async () => expect(await summary.getAttribute("data-unread")).toBeNull());
    await until("the server to hold Ada's thread mark", async () => {
      const { threads } = await json(await stage.node.req(`/api/conversations/${dm}/threads`, {}, ada.jar));
      expect(threads[0].thread.unreadCount).toBe(0);
    });

    // Both panels open: a reply appears live in the other's panel, and both roots count it.
    await adaPage.getByTestId("thread-composer").fill("Good, I'll bring the map");
    await adaPage.getByTestId("thread-composer").press("Enter");
    await panel(beaPage).getByTestId("message-content").filter({ hasText: "Good, I'll bring the map" }).waitFor({ timeout: WAIT });
    for (const page of [adaPage, beaPage]) {
      await until("two replies on the root", async () => expect(await rootRow(page).getByTestId("thread-summary").getAttribute("data-reply-count")).toBe("2"));
      expect(await timelineTexts(page)).not.toContain("Good, I'll bring the map");
    }
    expect(await participants(adaPage)).toBe(2);

    // Ada fixes a typo in her reply from the panel: Bea's panel shows the new text, marked edited.
    const sentReply = panel(adaPage).locator('[data-testid="message"]', { hasText: "Good, I'll bring the map" });
    await until("Ada's reply stored", async () => expect(await sentReply.getAttribute("data-status")).toBe("sent"));
    const adaReply = panel(adaPage).locator(`[data-testid="message"][data-message-id="${await sentReply.getAttribute("data-message-id")}"]`);
    await adaReply.hover();
    await adaReply.getByTestId("edit-message").click();
    await adaReply.getByTestId("edit-box").fill("Good, I'll bring the **maps**");
    await adaReply.getByTestId("edit-box").press("Enter");
    const beaSeesEdit = panel(beaPage).locator('[data-testid="message"]', { hasText: "Good, I'll bring the maps" });
    await beaSeesEdit.getByTestId("edited").waitFor({ timeout: WAIT });
    expect(await beaSeesEdit.locator("strong").textContent()).toBe("maps");
    for (const page of [adaPage, beaPage]) expect(await rootRow(page).getByTestId("thread-summary").getAttribute("data-reply-count")).toBe("2");
    const stored = await json(await stage.node.req(`/api/messages/${root.id}/thread`, {}, bea.jar));
    expect(stored.messages.map((m: { content: string; threadId: string }) => [m.content, m.threadId])).toEqual([
      ["By the lake", root.id],
      ["Good, I'll bring the **maps**", root.id],
    ]);

    await settled(adaPage);
    await adaPage.screenshot({ path: artifactPath("threads-panel-desktop-light.png") });
    await settled(beaPage);
    await beaPage.screenshot({ path: artifactPath("threads-panel-desktop-dark.png") });

    // The open thread is in the URL: Back closes the panel, Forward opens it again.
    expect(new URL(adaPage.url()).searchParams.get("thread")).toBe(root.id);
    await adaPage.goBack();
    await until("Back to close the panel", async () => expect(await panel(adaPage).count()).toBe(0));
    expect(new URL(adaPage.url()).search).toBe("");
    await adaPage.goForward();
    await panel(adaPage).getByTestId("message-content").filter({ hasText: "By the lake" }).waitFor({ timeout: WAIT });

    // After a reload the root still says so (from history) and the thread is still open (the
    // URL says so); × closes it and leaves the URL without it.
    await beaPage.reload();
    await until("the summary after a reload", async () => expect(await rootRow(beaPage).getByTestId("thread-summary").getAttribute("data-reply-count")).toBe("2"));
    await panel(beaPage).getByTestId("message-content").filter({ hasText: "Good, I'll bring the map" }).waitFor({ timeout: WAIT });
    await panel(beaPage).getByTestId("thread-close").click();
    expect(await panel(beaPage).count()).toBe(0);
    expect(new URL(beaPage.url()).search).toBe("");
    await rootRow(beaPage).hover();
    expect(await rootRow(beaPage).getByTestId("open-thread").getAttribute("title")).toBe("Reply in thread");

    // A link to the thread opens it directly.
    await beaPage.goto(`${stage.base}/c/${dm}?thread=${root.id}`);
    await panel(beaPage).getByTestId("message-content").filter({ hasText: "By the lake" }).waitFor({ timeout: WAIT });

    // Ada deletes her reply from the panel: it stays in place as deleted in both panels, and both
    // roots count one reply again, by Bea alone, live — and so after a reload.
    const mine = stored.messages.find((m: { content: string }) => m.content.startsWith("Good, I'll bring the"));
    const replyIn = (page: Page) => panel(page).locator(`[data-testid="message"][data-message-id="${mine.id}"]`);
    await replyIn(adaPage).hover();
    await replyIn(adaPage).getByTestId("delete-message").click();
    await adaPage.getByRole("button", { name: "Delete", exact: true }).click();
    for (const page of [adaPage, beaPage]) {
      await replyIn(page).getByTestId("deleted-placeholder").waitFor({ timeout: WAIT });
      await until("one reply on the root after the delete", async () => expect(await rootRow(page).getByTestId("thread-summary").getAttribute("data-reply-count")).toBe("1"));
      expect(await participants(page)).toBe(1);
      expect(await panel(page).getByTestId("thread-count").textContent()).toBe("1 reply");
    }
    await settled(beaPage);
    await beaPage.screenshot({ path: artifactPath("threads-reply-deleted-desktop-dark.png") });
    await settled(adaPage);
    await adaPage.screenshot({ path: artifactPath("threads-reply-deleted-desktop-light.png") });
    await beaPage.reload();
    await replyIn(beaPage).getByTestId("deleted-placeholder").waitFor({ timeout: WAIT });
    expect(await rootRow(beaPage).getByTestId("thread-summary").getAttribute("data-reply-count")).toBe("1");
    expect(await participants(beaPage)).toBe(1);
    await panel(beaPage).getByTestId("thread-close").click();
    expect(await panel(beaPage).count()).toBe(0);
    await panel(adaPage).getByTestId("thread-close").click();
    expect(await panel(adaPage).count()).toBe(0);

    // Phone width: the whole screen, with a back button to the conversation.
    for (const [page, scheme] of [[adaPage, "light"], [beaPage, "dark"]] as const) {
      await page.setViewportSize({ width: 390, height: 780 });
      await rootRow(page).getByTestId("thread-summary").click();
      await panel(page).getByTestId("message-content").filter({ hasText: "By the lake" }).waitFor({ timeout: WAIT });
      expect(await panel(page).getAttribute("data-layout")).toBe("full");
      const box = (await panel(page).boundingBox())!;
      expect([box.x, box.y, box.width, box.height]).toEqual([0, 0, 390, 780]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await settled(page);
      await page.screenshot({ path: artifactPath(`threads-panel-phone-${scheme}.png`) });
      await panel(page).getByTestId("thread-back").click();
      expect(await panel(page).count()).toBe(0);
      await page.getByTestId("composer").waitFor({ timeout: WAIT });
    }
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("replies edited and deleted while a viewer was offline are right in their open thread and on its root once they are back", async () => {
    const ada = await stage.signedIn("ada_away");
    const bea = await stage.signedIn("bea_away");
    const dm = await befriend(stage.node, ada, bea);
    const send = async (content: string, threadId?: string) =>
      (await json(await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, threadId } }, ada.jar))).message.id as string;
    const root = await send("Menu for Sunday");
    const soup = await send("soup to start", root);
    const cake = await send("cake after", root);

    const page = bea.page;
    await page.goto(`${stage.base}/c/${dm}?thread=${root}`);
    const panel = page.getByTestId("thread-panel");
    await panel.getByTestId("message-content").filter({ hasText: "cake after" }).waitFor({ timeout: WAIT });
    const summary = page.getByTestId("message-list").locator(`[data-testid="message"][data-message-id="${root}"]`).getByTestId("thread-summary");
    expect(await summary.getAttribute("data-reply-count")).toBe("2");

    await bea.ctx.setOffline(true);
    await page.getByTestId("reconnecting-banner").waitFor({ timeout: WAIT });
    expect((await stage.node.req(`/api/messages/${soup}`, { method: "PATCH", json: { content: "soup and bread to start" } }, ada.jar)).status).toBe(200);
    expect((await stage.node.req(`/api/messages/${cake}`, { method: "DELETE" }, ada.jar)).status).toBe(204);
    await bea.ctx.setOffline(false);
    await page.getByTestId("reconnecting-banner").waitFor({ state: "detached", timeout: WAIT });

    const reply = (id: string) => panel.locator(`[data-testid="message"][data-message-id="${id}"]`);
    await until("the edit missed offline", async () => expect(await reply(soup).getByTestId("message-content").textContent()).toContain("soup and bread to start"));
    await reply(soup).getByTestId("edited").waitFor({ timeout: WAIT });
    await reply(cake).getByTestId("deleted-placeholder").waitFor({ timeout: WAIT });
    await until("the root's count", async () => expect(await summary.getAttribute("data-reply-count")).toBe("1"));
    expect(await panel.getByTestId("thread-count").textContent()).toBe("1 reply");
    expect(stage.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
  }, 120_000);
});
