/**
 * The outbox survives the page: a message written while offline is still there after the tab
 * is closed and the app opened again, then goes out exactly once. Real Chromium, real node.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { WAIT, browserAvailable, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("outbox e2e");

function statuses(page: Page): Promise<{ status: string | null; text: string }[]> {
  return page.$$eval('[data-testid="message-list"] [data-testid="message"]', (els) =>
    els.map((el) => ({ status: el.getAttribute("data-status"), text: el.querySelector('[data-testid="message-content"]')?.textContent ?? "" })),
  );
}

function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("parley:outbox:")));
}

describe.skipIf(!enabled)("outbox across page loads", () => {
  const stage = browserStage();

  test("a message sent offline survives closing the tab and is delivered once when the app is opened again", async () => {
    const alice = await stage.signedIn("olivia");
    const bob = await stage.signedIn("oscar");
    const dm = await befriend(stage.node, alice, bob);
    const ctxA = alice.ctx;
    const b = bob.page;
    await b.goto(`${stage.base}/c/${dm}`);
    await b.getByTestId("conversation").waitFor({ timeout: WAIT });

    let a = alice.page;
    await a.goto(`${stage.base}/c/${dm}`);
    await a.getByTestId("conversation").waitFor({ timeout: WAIT });
    await ctxA.setOffline(true);
    await a.getByTestId("reconnecting-banner").waitFor({ timeout: WAIT });
    const box = a.getByTestId("composer");
    await box.fill("written on the train");
    await box.press("Enter");
    await until("the message to show as pending", async () => (await statuses(a)).some((m) => m.text === "written on the train" && m.status === "pending"));
    expect(await storedKeys(a)).toHaveLength(1);
    await a.close();

    // Nothing went out while the tab was closed.
    const before = await stage.node.req(`/api/conversations/${dm}/messages`, {}, bob.jar);
    expect(((await before.json()) as { messages: unknown[] }).messages).toHaveLength(0);

    await ctxA.setOffline(false);
    a = await stage.page(ctxA, "olivia");
    await a.goto(`${stage.base}/c/${dm}`);
    await until("the kept message to be sent", async () => (await statuses(a)).some((m) => m.text === "written on the train" && m.status === "sent"));
    await b.getByTestId("message-content").filter({ hasText: "written on the train" }).waitFor({ timeout: WAIT });
    await until("the stored copy to be dropped", async () => (await storedKeys(a)).length === 0);

    // A second page load sends nothing again, and the server holds exactly one copy.
    await a.reload();
    await a.getByTestId("conversation").waitFor({ timeout: WAIT });
    const after = await stage.node.req(`/api/conversations/${dm}/messages`, {}, bob.jar);
    const contents = ((await after.json()) as { messages: { content: string }[] }).messages.map((m) => m.content);
    expect(contents).toEqual(["written on the train"]);
    expect((await statuses(b)).filter((m) => m.text === "written on the train")).toHaveLength(1);
  }, 60_000);

  test("signing out forgets messages that were never sent", async () => {
    const carol = await stage.signedIn("odette");
    const dave = await stage.signedIn("otto");
    const dm = await befriend(stage.node, carol, dave);
    const { ctx, page } = carol;
    await page.goto(`${stage.base}/c/${dm}`);
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await ctx.setOffline(true);
    await page.getByTestId("composer").fill("never mind");
    await page.getByTestId("composer").press("Enter");
    await until("the message to be stored", async () => (await storedKeys(page)).length === 1);
    await page.getByRole("button", { name: "User menu" }).first().click();
    await page.getByTestId("logout").click();
    await until("the login page", () => new URL(page.url()).pathname === "/login");
    expect(await storedKeys(page)).toHaveLength(0);
    // Back online and signed in again: nothing goes out.
    await ctx.setOffline(false);
    await page.getByLabel("Email or username").fill(carol.user.username);
    await page.getByLabel("Password", { exact: true }).fill(carol.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "User menu" }).first().waitFor({ timeout: WAIT });
    await page.goto(`${stage.base}/c/${dm}`);
    await page.getByTestId("conversation").waitFor({ timeout: WAIT });
    await Bun.sleep(1000);
    expect(await statuses(page)).toEqual([]);
    const res = await stage.node.req(`/api/conversations/${dm}/messages`, {}, dave.jar);
    expect(((await res.json()) as { messages: unknown[] }).messages).toHaveLength(0);
  }, 60_000);
});
