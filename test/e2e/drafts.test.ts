/**
 * Drafts in Chromium: what is typed in a conversation's composer and not sent is still there
 * after a reload, each conversation keeps its own, another user signed in to the same browser
 * never sees it, and sending clears it for good. A thread's composer keeps a draft of its own.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { json } from "../support/spaces";
import { WAIT, browserAvailable, sessionCookies, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("drafts e2e");

describe.skipIf(!enabled)("drafts in Chromium", () => {
  const stage = browserStage();

  async function open(page: Page, conversationId: string): Promise<void> {
    await page.goto(`${stage.base}/c/${conversationId}`);
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
  }

  const composer = (page: Page) => page.getByTestId("composer");

  test("a draft survives a reload, stays with its conversation and its user, and is gone once sent", async () => {
    const dora = await stage.signedIn("dora");
    const dan = await stage.signedIn("dan");
    const dina = await stage.signedIn("dina");
    const withDan = await befriend(stage.node, dora, dan);
    const withDina = await befriend(stage.node, dora, dina);
    const page = dora.page;

    await open(page, withDan);
    await composer(page).fill("half a thought for Dan");
    await open(page, withDina);
    expect(await composer(page).inputValue()).toBe("");
    await composer(page).fill("and one for Dina");

    await page.reload();
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await until("Dina's draft after the reload", async () => expect(await composer(page).inputValue()).toBe("and one for Dina"));
    await page.locator(`[data-testid="conversation-item"][href="/c/${withDan}"]`).first().click();
    await until("Dan's draft", async () => expect(await composer(page).inputValue()).toBe("half a thought for Dan"));

    // Dan signs in to the same browser: the same conversation, none of Dora's draft.
    await dora.ctx.clearCookies();
    await dora.ctx.addCookies(sessionCookies(dan.jar));
    await open(page, withDan);
    await until("Dan's own (empty) composer", async () => expect(await composer(page).getAttribute("placeholder")).toContain("dora"));
    expect(await composer(page).inputValue()).toBe("");

    await dora.ctx.clearCookies();
    await dora.ctx.addCookies(sessionCookies(dora.jar));
    await open(page, withDan);
    await until("Dora's draft back", async () => expect(await composer(page).inputValue()).toBe("half a thought for Dan"));
    await composer(page).press("Enter");
    await dan.page.goto(`${stage.base}/c/${withDan}`);
    await dan.page.getByTestId("message-content").filter({ hasText: "half a thought for Dan" }).waitFor({ timeout: WAIT });
    expect(await composer(page).inputValue()).toBe("");

    await page.reload();
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await page.getByTestId("message-content").filter({ hasText: "half a thought for Dan" }).waitFor({ timeout: WAIT });
    expect(await composer(page).inputValue()).toBe("");
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("parley:draft:")).length)).toBe(1);
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("a thread's draft is its own: it survives a reload with the thread open, apart from the conversation's", async () => {
    const tess = await stage.signedIn("tess");
    const tom = await stage.signedIn("tom");
    const dm = await befriend(stage.node, tess, tom);
    const send = async (content: string, threadId?: string) =>
      (await json(await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, threadId } }, tom.jar))).message.id as string;
    const root = await send("Ideas for the party?");
    const page = tess.page;
    const threadBox = page.getByTestId("thread-composer");

    await page.goto(`${stage.base}/c/${dm}?thread=${root}`);
    await threadBox.waitFor({ timeout: WAIT });
    await threadBox.fill("a piñata, maybe");
    await composer(page).fill("unrelated: lunch?");
    await page.reload();
    await until("the thread's draft after the reload", async () => expect(await threadBox.inputValue()).toBe("a piñata, maybe"));
    expect(await composer(page).inputValue()).toBe("unrelated: lunch?");

    // Sent in the thread: that draft is gone, the conversation's stays.
    await threadBox.press("Enter");
    await page.getByTestId("thread-panel").getByTestId("message-content").filter({ hasText: "a piñata, maybe" }).waitFor({ timeout: WAIT });
    await page.reload();
    await threadBox.waitFor({ timeout: WAIT });
    await page.getByTestId("thread-panel").getByTestId("message-content").filter({ hasText: "a piñata, maybe" }).waitFor({ timeout: WAIT });
    expect(await threadBox.inputValue()).toBe("");
    expect(await composer(page).inputValue()).toBe("unrelated: lunch?");
    expect(stage.errors).toEqual([]);
  }, 120_000);
});
