/**
 * Replies end to end, in Chromium, two users in two contexts: a reply's quote of a message far
 * up the history jumps to it (older pages load, the original flashes); Reply on a message shows
 * "Replying to" in the composer, the sent message carries the quote, live for the other side.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { newId } from "../../src/shared/ids";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";
import { json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, sessionCookies, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("replies e2e");

describe.skipIf(!enabled)("replies in Chromium", () => {
  const stage = browserStage({}, { publicUrl: true });

  test("a quote jumps to an original 120 messages up, and a reply made with Reply shows its quote on both sides", async () => {
    const ada = await registerUser(stage.node, "ada");
    const bea = await registerUser(stage.node, "bea");
    const dm = await befriend(stage.node, ada, bea);
    const at = () => new Date().toISOString();
    // History straight through the store: 120 sends would spend the write budget many times over.
    const original = (await stage.node.store.chat.insertMessage({ id: newId(), conversationId: dm, authorId: ada.user.id, clientId: "orig", kind: "text", content: "Who brings the **tent**?", replyToId: null, now: at() })).message;
    for (let i = 0; i < 120; i++) await stage.node.store.chat.insertMessage({ id: newId(), conversationId: dm, authorId: i % 2 ? ada.user.id : bea.user.id, clientId: `f${i}`, kind: "text", content: `filler ${i}`, replyToId: null, now: at() });
    const answer = (await json(await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: "ans", content: "I do, `gladly`!", replyToId: original.id } }, bea.jar))).message;

    const open = async (who: typeof ada, name: string): Promise<Page> => {
      const ctx = await stage.context();
      await ctx.addCookies(sessionCookies(who.jar));
      const page = await stage.page(ctx, name);
      await page.goto(`${stage.base}/c/${dm}`);
      await page.getByTestId("message").first().waitFor({ timeout: WAIT });
      return page;
    };
    const [adaPage, beaPage] = [await open(ada, "ada"), await open(bea, "bea")];
    const row = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

    const quote = row(adaPage, answer.id).getByTestId("reply-quote");
    await quote.waitFor({ timeout: WAIT });
    // Quotes read as plain text: no markdown marks.
    expect(await quote.textContent()).toContain("Who brings the tent?");
    expect(await row(adaPage, original.id).count()).toBe(0);
    await quote.click();
    await until("the original loaded and flashed", async () => expect(await row(adaPage, original.id).getAttribute("data-flash")).toBe("true"));
    expect(await row(adaPage, original.id).isVisible()).toBe(true);
    await adaPage.screenshot({ path: artifactPath("replies-jump-desktop.png") });

    await row(adaPage, answer.id).hover();
    await row(adaPage, answer.id).getByTestId("reply-message").click();
    await adaPage.getByTestId("replying-to").waitFor({ timeout: WAIT });
    expect(await adaPage.getByTestId("replying-to").textContent()).toContain("I do, gladly!");
    await adaPage.getByTestId("composer").fill("Great, I'll bring the stove");
    await adaPage.screenshot({ path: artifactPath("replies-composer-desktop.png") });
    await adaPage.getByTestId("composer").press("Enter");
    expect(await adaPage.getByTestId("replying-to").count()).toBe(0);

    const sent = beaPage.locator('[data-testid="message"]', { hasText: "Great, I'll bring the stove" });
    await sent.waitFor({ timeout: WAIT });
    expect(await sent.getByTestId("reply-quote").getAttribute("data-reply-to")).toBe(answer.id);
    await beaPage.setViewportSize({ width: 390, height: 780 });
    await beaPage.screenshot({ path: artifactPath("replies-phone.png") });

    // Escape cancels a reply before it is sent.
    await row(beaPage, answer.id).hover();
    await row(beaPage, answer.id).getByTestId("reply-message").click();
    await beaPage.getByTestId("replying-to").waitFor({ timeout: WAIT });
    await beaPage.getByTestId("composer").press("Escape");
    expect(await beaPage.getByTestId("replying-to").count()).toBe(0);
  }, 120_000);
});
