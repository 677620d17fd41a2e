/**
 * Drafts in Chromium: what is typed in a conversation's composer and not sent is still there
 * after a reload, each conversation keeps its own, another user signed in to the same browser
 * never sees it, and sending clears it for good.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
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
});
