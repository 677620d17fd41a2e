/**
 * Muting in Chromium. A DM muted from its header menu stays quiet while the tab is hidden (no
 * notification, no chime, no "(n)" in the tab title) and shows a grey badge; unmuted, the next
 * message alerts again. A muted channel gets a grey unread mark and still the "@" of an
 * @everyone, without an alert. Alerts are observed through support/alerts.ts.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { instrument, recorded, setHidden } from "../support/alerts";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { registerUser, type CookieJar } from "../support/parley";
import { befriend } from "../support/social";
import { joinByInvite, json } from "../support/spaces";
import { browserStage } from "../support/stage";
import { connectWs } from "../support/ws";

const enabled = browserAvailable("mute e2e");

describe.skipIf(!enabled)("muting in Chromium", () => {
  const stage = browserStage();

  const say = async (jar: CookieJar, conversationId: string, content: string) => {
    const res = await stage.node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
    expect(res.status).toBe(201);
  };
  const mutedOnServer = async (jar: CookieJar, id: string) =>
    (await json(await stage.node.req(`/api/conversations/${id}`, {}, jar))).conversation.muted as boolean;

  async function toggleMute(page: Page, menu: string, label: string): Promise<void> {
    await page.getByTestId(menu).click();
    const item = page.getByTestId("mute-toggle");
    expect(await item.textContent()).toBe(label);
    await item.click();
  }

  test("a muted DM neither notifies nor chimes, and its badge is grey; unmuted, it alerts again", async () => {
    const alice = await stage.signedIn("alice_mute");
    const bob = await registerUser(stage.node, "bob_mute");
    const dm = await befriend(stage.node, alice, bob);
    const bobSocket = await connectWs(stage.base, bob.jar);
    await bobSocket.request({ type: "hello" });
    const { page, ctx } = alice;
    await ctx.grantPermissions(["notifications"], { origin: stage.base });
    await ctx.addInitScript(instrument);

    await page.goto(`${stage.base}/c/${dm}`);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${dm}"]`);
    await item.locator('[data-presence="online"]').first().waitFor({ timeout: WAIT });
    await page.getByTestId("conversation-menu").click();
    await page.getByTestId("mute-toggle").waitFor({ timeout: WAIT });
    await settled(page);
    await page.screenshot({ path: artifactPath("mute-menu.png") });
    await page.keyboard.press("Escape");
    await toggleMute(page, "conversation-menu", "Mute conversation");
    await until("the item marked muted", async () => expect(await item.getAttribute("data-muted")).toBe("true"));
    await until("the mute stored", async () => expect(await mutedOnServer(alice.jar, dm)).toBe(true));

    // A reload takes the flag from hello; off the conversation, so its messages stay unread.
    await page.goto(`${stage.base}/friends`);
    await item.getByTestId("muted-icon").waitFor({ timeout: WAIT });
    await page.mouse.click(640, 400); // a user's gesture lets audio start
    await setHidden(page, true);
    await say(bob.jar, dm, "this one should stay quiet");
    const badge = item.getByTestId("unread-badge");
    await badge.waitFor({ timeout: WAIT });
    expect(await badge.getAttribute("data-muted")).toBe("true");
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toMatch(/rgb\(2[0-9]{2}, [0-9]{1,2}, /);
    await Bun.sleep(1000);
    expect(await recorded(page)).toEqual({ notes: [], tones: [] });
    expect(await page.title()).not.toMatch(/^\(\d+\)/);
    await settled(page);
    await item.screenshot({ path: artifactPath("mute-dm-item.png") });
    await page.screenshot({ path: artifactPath("mute-dm-page.png") });

    await setHidden(page, false);
    await item.click();
    await page.waitForURL(`**/c/${dm}`, { timeout: WAIT });
    await toggleMute(page, "conversation-menu", "Unmute conversation");
    await until("the item unmuted", async () => expect(await item.getAttribute("data-muted")).toBe("false"));
    await until("the unmute stored", async () => expect(await mutedOnServer(alice.jar, dm)).toBe(false));
    await setHidden(page, true);
    await say(bob.jar, dm, "and this one rings");
    await until("a desktop notification", async () => expect((await recorded(page)).notes).toEqual([{ title: "bob_mute", body: "and this one rings", tag: dm }]));
    await until("the chime", async () => expect((await recorded(page)).tones.length).toBeGreaterThan(0));
    bobSocket.close();
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("a muted channel shows a grey unread mark and the @ of an @everyone, without alerts", async () => {
    const bea = await stage.signedIn("bea_mute");
    const ada = await registerUser(stage.node, "ada_mute");
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Quiet Guild" } }, ada.jar));
    const { channel: news } = await json(await stage.node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "announcements", kind: "text" } }, ada.jar));
    await joinByInvite(stage.node, ada.jar, space.id, bea.jar);
    const { page, ctx } = bea;
    await ctx.grantPermissions(["notifications"], { origin: stage.base });
    await ctx.addInitScript(instrument);

    await page.goto(`${stage.base}/s/${space.id}/${news.id}`);
    await page.getByTestId("channel-title").filter({ hasText: "announcements" }).waitFor({ timeout: WAIT });
    await toggleMute(page, "channel-menu", "Mute channel");
    const newsItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${news.id}"]`);
    await until("the channel marked muted", async () => expect(await newsItem.getAttribute("data-muted")).toBe("true"));

    await page.getByTestId("channel-sidebar").locator(`[data-channel-id="${space.channels[0].id}"]`).click();
    await page.getByTestId("channel-title").filter({ hasText: "general" }).waitFor({ timeout: WAIT });
    await page.mouse.click(640, 400);
    await setHidden(page, true);
    await say(ada.jar, news.id, "@everyone raid at 9");
    await until("the @ badge on the muted channel", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));
    expect(await newsItem.getByTestId("channel-unread-dot").getAttribute("data-muted")).toBe("true");
    await Bun.sleep(1000);
    expect(await recorded(page)).toEqual({ notes: [], tones: [] });
    await setHidden(page, false);
    await settled(page);
    await page.getByTestId("channel-sidebar").screenshot({ path: artifactPath("mute-channel-sidebar.png") });
    expect(stage.errors).toEqual([]);
  }, 120_000);
});
