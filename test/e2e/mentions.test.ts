/**
 * @everyone end to end, in Chromium: Bea (a member) reads #general while Ada (the owner) writes
 * "@everyone" in #announcements — the channel and the space get an "@" badge; opening the
 * channel clears it and shows the message highlighted. Bea's own "@everyone" (no permission)
 * is plain text. An @here while Bea is online is a mention of her too. The composer's "@" offers
 * @everyone and @here only where its writer may send them.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { joinByInvite, json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, sessionCookies, settled, until } from "../support/browser";
import { befriend } from "../support/social";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("mentions e2e");

describe.skipIf(!enabled)("@everyone in Chromium", () => {
  const stage = browserStage({}, { publicUrl: true });

  test("an owner's @everyone badges the channel and space, and is highlighted; a member's is not", async () => {
    const ada = await registerUser(stage.node, "ada");
    const bea = await registerUser(stage.node, "bea");
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, ada.jar));
    const { channel: news } = await json(await stage.node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "announcements", kind: "text" } }, ada.jar));
    await joinByInvite(stage.node, ada.jar, space.id, bea.jar);
    const post = async (jar: typeof ada.jar, channelId: string, content: string) =>
      (await json(await stage.node.req(`/api/conversations/${channelId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar))).message;
    await post(ada.jar, space.channels[0].id, "Morning all, the raid plan is in #announcements");

    const ctx = await stage.context({ deviceScaleFactor: 2 });
    await ctx.addCookies(sessionCookies(bea.jar));
    const page: Page = await stage.page(ctx, "bea");
    await page.goto(`${stage.base}/s/${space.id}/${space.channels[0].id}`);
    await page.getByTestId("channel-sidebar").waitFor({ timeout: WAIT });
    await page.getByTestId("message").first().waitFor({ timeout: WAIT });

    const loud = await post(ada.jar, news.id, "@everyone raid at 9 tonight — bring potions");
    expect(loud.mentionsEveryone).toBe(true);
    const newsItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${news.id}"]`);
    await until("the @ badge on #announcements", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));
    await until("the @ badge on the space", async () => expect(await page.locator(`[data-space-id="${space.id}"]`).getByTestId("space-mention").count()).toBe(1));
    await page.screenshot({ path: artifactPath("mentions-badge-desktop.png") });
    // The server counts unread mentions: the badges survive a reload.
    await page.reload();
    await until("the @ badge after a reload", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));

    await newsItem.click();
    const quiet = await post(bea.jar, news.id, "@everyone me too?");
    expect(quiet.mentionsEveryone).toBe(false);
    const rowOf = (id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);
    await rowOf(quiet.id).waitFor({ timeout: WAIT });
    expect(await rowOf(loud.id).getAttribute("data-mentions-everyone")).toBe("true");
    expect(await rowOf(quiet.id).getAttribute("data-mentions-everyone")).toBeNull();
    await until("the badges clear once read", async () => {
      expect(await newsItem.getByTestId("channel-mention").count()).toBe(0);
      expect(await page.getByTestId("space-mention").count()).toBe(0);
    });
    // Bea is online: an @here is a mention of her, highlighted where she reads and badged where she does not.
    const here = await post(ada.jar, news.id, "@here standup in 5");
    expect(here.mentionsHere).toBe(true);
    await rowOf(here.id).waitFor({ timeout: WAIT });
    expect(await rowOf(here.id).getAttribute("data-mentions-here")).toBe("true");
    expect(await rowOf(here.id).getByTestId("mention").getAttribute("data-me")).toBe("true");
    await post(ada.jar, space.channels[0].id, "@here also here");
    const generalItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${space.channels[0].id}"]`);
    await until("the @ badge on #general for a live @here", async () => expect(await generalItem.getByTestId("channel-mention").count()).toBe(1));
    await page.screenshot({ path: artifactPath("mentions-highlight-desktop.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    // Colours transition for 150 ms after the theme flips; shoot the settled page.
    await until("the dark theme", () => page.evaluate(() => document.documentElement.classList.contains("dark")));
    await settled(page);
    await page.screenshot({ path: artifactPath("mentions-highlight-dark.png") });
    expect(stage.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 90_000);

  test("@ offers @everyone and @here in a channel to an owner, not to a member, nor in a DM", async () => {
    const cara = await stage.signedIn("cara");
    const dev = await stage.signedIn("dev");
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Crew" } }, cara.jar));
    await joinByInvite(stage.node, cara.jar, space.id, dev.jar);
    const dm = await befriend(stage.node, cara, dev);
    const general = space.channels[0].id;
    const offered = (page: Page) => page.getByTestId("mention-suggestions").locator("[role=option]").evaluateAll((os) => os.map((o) => o.getAttribute("data-username")));

    await cara.page.goto(`${stage.base}/s/${space.id}/${general}`);
    const box = cara.page.getByTestId("composer");
    await box.waitFor({ timeout: WAIT });
    await box.pressSequentially("standup @");
    await until("the members, then the broadcasts", async () => expect(await offered(cara.page)).toEqual(["dev", "everyone", "here"]));
    await settled(cara.page);
    await cara.page.screenshot({ path: artifactPath("mentions-suggest-broadcasts.png") });
    await cara.page.emulateMedia({ colorScheme: "dark" });
    await until("the dark theme", () => cara.page.evaluate(() => document.documentElement.classList.contains("dark")));
    await settled(cara.page);
    await cara.page.screenshot({ path: artifactPath("mentions-suggest-broadcasts-dark.png") });
    await box.pressSequentially("h");
    await until("only @here matches", async () => expect(await offered(cara.page)).toEqual(["here"]));
    await box.press("Enter");
    expect(await box.inputValue()).toBe("standup @here ");
    await box.pressSequentially("in 5");
    await box.press("Enter");
    const sent = cara.page.locator('[data-testid="message"][data-mentions-here="true"]');
    await sent.waitFor({ timeout: WAIT });
    expect(await sent.textContent()).toContain("standup @here in 5");

    // A member may not notify everyone: "@" offers only people.
    await dev.page.goto(`${stage.base}/s/${space.id}/${general}`);
    const devBox = dev.page.getByTestId("composer");
    await devBox.waitFor({ timeout: WAIT });
    await devBox.pressSequentially("@");
    await until("a member's list", async () => expect(await offered(dev.page)).toEqual(["cara"]));
    // Nor does the owner in a DM: there is nobody to broadcast to.
    await cara.page.goto(`${stage.base}/c/${dm}`);
    await box.waitFor({ timeout: WAIT });
    await box.pressSequentially("@");
    await until("a DM's list", async () => expect(await offered(cara.page)).toEqual(["dev"]));
    expect(stage.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 90_000);
});
