/**
 * Notification levels in Chromium, chosen from the bell menu in a conversation's header. On
 * "Only @mentions" a mention alerts and a plain message does not; on "Nothing" not even a
 * mention does, while its unread mark still counts (grey) and the mention shows apart, as an
 * "@" badge — but an @everyone or @here is no mention at "Nothing" (Discord's Nothing level): no
 * alert, no badge. Each silence is checked against a later message in a conversation left at "All
 * messages": once that one has notified, the earlier one has been handled. Alerts are observed
 * through support/alerts.ts.
 */
import { describe, expect, test } from "bun:test";
import type { Locator, Page } from "playwright-core";
import type { NotifyLevel } from "../../src/shared/protocol";
import { instrument, recorded, setHidden } from "../support/alerts";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { registerUser, type CookieJar } from "../support/parley";
import { befriend } from "../support/social";
import { joinByInvite, json } from "../support/spaces";
import { browserStage } from "../support/stage";

const LABEL: Record<NotifyLevel, string> = { all: "All messages", mentions: "Only @mentions", nothing: "Nothing" };

const enabled = browserAvailable("notification levels e2e");

describe.skipIf(!enabled)("notification levels in Chromium", () => {
  const stage = browserStage();

  const say = async (jar: CookieJar, conversationId: string, content: string) => {
    const res = await stage.node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar);
    expect(res.status).toBe(201);
  };
  const levelOnServer = async (jar: CookieJar, id: string) => (await json(await stage.node.req(`/api/conversations/${id}`, {}, jar))).conversation.notifyLevel as NotifyLevel;
  const bodies = async (page: Page) => (await recorded(page)).notes.map((n) => n.body);

  /** Picks a level from the header's bell menu and waits for the mark beside the item. */
  async function choose(page: Page, item: Locator, level: NotifyLevel, screenshot?: string): Promise<void> {
    await page.getByTestId("notify-menu").click();
    const entry = page.getByTestId(`notify-${level}`);
    await entry.waitFor({ timeout: WAIT });
    if (screenshot) {
      await settled(page);
      await page.screenshot({ path: artifactPath(screenshot) });
    }
    await entry.click();
    await until(`the ${level} mark`, async () => expect(await item.getByTestId("notify-level-icon").getAttribute("data-level")).toBe(level));
    expect(await page.getByTestId("notify-menu").getAttribute("aria-label")).toBe(`Notifications: ${LABEL[level]}`);
  }

  /**
   * The reader, signed in with alerts recorded, reads #general of the owner's space (which also
   * has #news) in a hidden tab; the two share a DM left at "All messages".
   */
  async function readingGeneral(readerName: string, ownerName: string) {
    const reader = await stage.signedIn(readerName);
    const owner = await registerUser(stage.node, ownerName);
    const loudDm = await befriend(stage.node, reader, owner);
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: `${ownerName}'s guild` } }, owner.jar));
    const { channel: news } = await json(await stage.node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name: "news", kind: "text" } }, owner.jar));
    await joinByInvite(stage.node, owner.jar, space.id, reader.jar);
    const general = space.channels.find((c: { kind: string }) => c.kind === "text").id as string;
    const { page, ctx } = reader;
    await ctx.grantPermissions(["notifications"], { origin: stage.base });
    await ctx.addInitScript(instrument);
    await page.goto(`${stage.base}/s/${space.id}/${general}`);
    await page.getByTestId("channel-title").filter({ hasText: "general" }).waitFor({ timeout: WAIT });
    await page.mouse.click(640, 400); // a user's gesture lets audio start
    await setHidden(page, true);
    return { reader, owner, loudDm, news: news as { id: string }, general, page };
  }

  test("a DM on mentions only alerts for a mention and not for a plain message; on nothing not even for a mention, its badge still counting", async () => {
    const alice = await stage.signedIn("alice_lvl");
    const bob = await registerUser(stage.node, "bob_lvl");
    const carl = await registerUser(stage.node, "carl_lvl");
    const quietDm = await befriend(stage.node, alice, bob);
    const loudDm = await befriend(stage.node, alice, carl);
    const { page, ctx } = alice;
    await ctx.grantPermissions(["notifications"], { origin: stage.base });
    await ctx.addInitScript(instrument);

    await page.goto(`${stage.base}/c/${quietDm}`);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${quietDm}"]`);
    await item.waitFor({ timeout: WAIT });
    await choose(page, item, "mentions", "notify-menu.png");
    await until("mentions stored", async () => expect(await levelOnServer(alice.jar, quietDm)).toBe("mentions"));

    // A reload takes the level from hello; off the conversation, so its messages stay unread.
    await page.goto(`${stage.base}/friends`);
    await item.getByTestId("notify-level-icon").waitFor({ timeout: WAIT });
    await page.mouse.click(640, 400); // a user's gesture lets audio start
    await setHidden(page, true);
    await say(bob.jar, quietDm, "plain words, no names");
    await say(carl.jar, loudDm, "first from the loud one");
    await until("the loud DM notifies", async () => expect(await bodies(page)).toContain("first from the loud one"));
    expect(await bodies(page)).toEqual(["first from the loud one"]);
    await say(bob.jar, quietDm, "hey @alice_lvl, look");
    await until("the mention notifies", async () => expect((await recorded(page)).notes).toContainEqual({ title: "bob_lvl", body: "hey @alice_lvl, look", tag: quietDm }));
    const badge = item.getByTestId("unread-badge");
    expect(await badge.textContent()).toContain("2");
    expect(await badge.getAttribute("data-quiet")).toBe("true");
    // The mention counts apart, in red, and the server keeps it over a reload.
    const mentionBadge = item.getByTestId("mention-badge");
    expect(await mentionBadge.textContent()).toBe("@ mention");
    await page.reload();
    await mentionBadge.waitFor({ timeout: WAIT });
    expect(await badge.textContent()).toContain("2");

    await setHidden(page, false);
    await item.click();
    await page.waitForURL(`**/c/${quietDm}`, { timeout: WAIT });
    await choose(page, item, "nothing");
    await until("nothing stored", async () => expect(await levelOnServer(alice.jar, quietDm)).toBe("nothing"));
    await page.goto(`${stage.base}/friends`);
    await item.getByTestId("notify-level-icon").waitFor({ timeout: WAIT });
    await page.mouse.click(640, 400);
    await setHidden(page, true);
    const before = await bodies(page);
    await say(bob.jar, quietDm, "@alice_lvl are you there?");
    await say(carl.jar, loudDm, "second from the loud one");
    await until("the loud DM notifies again", async () => expect(await bodies(page)).toContain("second from the loud one"));
    expect(await bodies(page)).toEqual([...before, "second from the loud one"]);
    await badge.waitFor({ timeout: WAIT });
    expect(await badge.getAttribute("data-quiet")).toBe("true");
    await until("the silent mention still counted", async () => expect(await mentionBadge.textContent()).toBe("@ mention"));
    await setHidden(page, false);
    await settled(page);
    await page.getByTestId("conversation-list").first().screenshot({ path: artifactPath("notify-dm-sidebar.png") });
    // The menu at phone width, dark: it opens from the bell in the compact header.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${stage.base}/c/${quietDm}`);
    await page.getByTestId("notify-menu").click();
    await page.getByTestId("notify-nothing").waitFor({ timeout: WAIT });
    expect(await page.getByTestId("notify-nothing").getAttribute("aria-checked")).toBe("true");
    await until("the dark theme", () => page.evaluate(() => document.documentElement.classList.contains("dark")));
    await settled(page);
    await page.screenshot({ path: artifactPath("notify-menu-phone-dark.png") });
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("a channel alerts for a mention of the member by default and not for plain talk; set to nothing it stays silent and its unread mark goes grey", async () => {
    const { reader: bea, owner: ada, loudDm, news, general, page } = await readingGeneral("bea_lvl", "ada_lvl");
    await say(ada.jar, news.id, "plain channel talk");
    await say(ada.jar, loudDm, "first in the DM");
    await until("the DM notifies", async () => expect(await bodies(page)).toContain("first in the DM"));
    expect(await bodies(page)).toEqual(["first in the DM"]);
    await say(ada.jar, news.id, "@bea_lvl the plan is up");
    await until("the mention notifies", async () => expect((await recorded(page)).notes).toContainEqual({ title: "ada_lvl in #news", body: "@bea_lvl the plan is up", tag: news.id }));

    await setHidden(page, false);
    const newsItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${news.id}"]`);
    await newsItem.click();
    await page.getByTestId("channel-title").filter({ hasText: "news" }).waitFor({ timeout: WAIT });
    await choose(page, newsItem, "nothing", "notify-channel-menu.png");
    await until("nothing stored", async () => expect(await levelOnServer(bea.jar, news.id)).toBe("nothing"));
    await page.getByTestId("channel-sidebar").locator(`[data-channel-id="${general}"]`).click();
    await page.getByTestId("channel-title").filter({ hasText: "general" }).waitFor({ timeout: WAIT });
    await setHidden(page, true);
    const before = await bodies(page);
    await say(ada.jar, news.id, "@bea_lvl still there?");
    await say(ada.jar, loudDm, "second in the DM");
    await until("the DM notifies again", async () => expect(await bodies(page)).toContain("second in the DM"));
    expect(await bodies(page)).toEqual([...before, "second in the DM"]);
    await until("the grey unread mark", async () => expect(await newsItem.getByTestId("channel-unread-dot").getAttribute("data-quiet")).toBe("true"));
    await until("the @ of the silent mention", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));
    await setHidden(page, false);
    await settled(page);
    await page.getByTestId("channel-sidebar").screenshot({ path: artifactPath("notify-channel-sidebar.png") });
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("a channel set to nothing takes an @everyone and an @here silently, with no @ badge, live and after a reload; a mention by name still badges", async () => {
    const { reader: cleo, owner: dan, loudDm, news, page } = await readingGeneral("cleo_lvl", "dan_lvl");
    expect((await stage.node.req(`/api/conversations/${news.id}/notify-level`, { method: "PUT", json: { level: "nothing" } }, cleo.jar)).status).toBe(204);
    await say(dan.jar, news.id, "@everyone the raid is at 9");
    await say(dan.jar, news.id, "@here who is on?");
    await say(dan.jar, loudDm, "after the broadcasts");
    await until("the DM notifies", async () => expect(await bodies(page)).toContain("after the broadcasts"));
    expect(await bodies(page)).toEqual(["after the broadcasts"]);
    const newsItem = page.getByTestId("channel-sidebar").locator(`[data-channel-id="${news.id}"]`);
    await until("the grey unread mark", async () => expect(await newsItem.getByTestId("channel-unread-dot").getAttribute("data-quiet")).toBe("true"));
    expect(await newsItem.getByTestId("channel-mention").count()).toBe(0);
    expect(await page.getByTestId("space-mention").count()).toBe(0);
    await page.reload();
    await newsItem.getByTestId("channel-unread-dot").waitFor({ timeout: WAIT });
    expect(await newsItem.getByTestId("channel-mention").count()).toBe(0);
    await say(dan.jar, news.id, "@cleo_lvl you in particular");
    await until("the @ of a mention by name", async () => expect(await newsItem.getByTestId("channel-mention").count()).toBe(1));
    expect(stage.errors).toEqual([]);
  }, 120_000);
});
