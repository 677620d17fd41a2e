/**
 * Impersonation in Chromium: in a space channel Mallory takes a look-alike of Ada's name
 * (Cyrillic А and а) and posts a file name hidden behind a right-to-left override. Bea sees
 * both look-alike authors with their @username (and hers without), the override as a visible
 * marker instead of obeyed, and every name and message isolated from the text around it.
 * Bea then opens each one's profile card — from a message's name and avatar, the member list,
 * the friends list and the DM header: every card shows the @username, so the two never pass for
 * each other. The card is a popover on desktop and a bottom sheet at phone width; the keyboard
 * opens it, Escape closes it and focus returns to the name; its actions follow the relationship.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { joinByInvite, json } from "../support/spaces";
import { befriend } from "../support/social";
import { WAIT, artifactPath, browserAvailable, sessionCookies, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("impersonation e2e");

describe.skipIf(!enabled)("look-alike names and hidden text direction in Chromium", () => {
  const stage = browserStage();

  /** Ada, Mallory (named like Ada) and Bea (Ada's friend) in one space, three messages posted; made once. */
  let made: Promise<{ bea: Awaited<ReturnType<typeof registerUser>>; dm: string; space: string; channel: string }> | undefined;
  const club = () =>
    (made ??= (async () => {
      const ada = await registerUser(stage.node, "ada");
      const mallory = await registerUser(stage.node, "mallory");
      const bea = await registerUser(stage.node, "bea");
      const rename = (jar: typeof ada.jar, displayName: string) => stage.node.req("/api/users/me", { method: "PATCH", json: { displayName } }, jar);
      expect((await rename(ada.jar, "Ada")).status).toBe(200);
      expect((await rename(mallory.jar, "\u0410d\u0430")).status).toBe(200);
      expect((await rename(bea.jar, "Bea")).status).toBe(200);
      const dm = await befriend(stage.node, bea, ada);
      const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Club" } }, ada.jar));
      for (const u of [mallory, bea]) await joinByInvite(stage.node, ada.jar, space.id, u.jar);
      const channel = space.channels[0].id;
      const post = async (jar: typeof ada.jar, content: string) =>
        expect((await stage.node.req(`/api/conversations/${channel}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar)).status).toBe(201);
      await post(ada.jar, "Here is the photo from Saturday");
      await post(mallory.jar, "Ada here again, the real one: photo_\u202Egnp.exe");
      await post(bea.jar, "Thanks both!");
      return { bea, dm, space: space.id as string, channel: channel as string };
    })());

  /** Bea's page (light, 2× pixels) on the channel, all three messages and members shown. */
  async function beaInChannel() {
    const { bea, space, channel } = await club();
    const ctx = await stage.context({ colorScheme: "light", deviceScaleFactor: 2 });
    await ctx.addCookies(sessionCookies(bea.jar));
    const page: Page = await stage.page(ctx, "bea");
    await page.goto(`${stage.base}/s/${space}/${channel}`);
    const group = (text: string) => page.locator("article").filter({ has: page.getByTestId("message-content").filter({ hasText: text }) });
    await group("Thanks both!").waitFor({ timeout: WAIT });
    await page.getByTestId("member-row").nth(2).waitFor({ timeout: WAIT });
    return { page, group };
  }

  test("look-alike authors show their @username; a bidi override shows as a marker and reverses nothing", async () => {
    const { page, group } = await beaInChannel();

    expect(await group("photo from Saturday").getByTestId("author-username").textContent()).toBe("@ada");
    expect(await group("the real one").getByTestId("author-username").textContent()).toBe("@mallory");
    expect(await group("Thanks both!").getByTestId("author-username").count()).toBe(0);

    const hidden = group("the real one").getByTestId("message-content");
    expect(await hidden.getByTestId("bidi-marker").textContent()).toBe("<U+202E>");
    // The control itself is gone from the page, so nothing after it can be reordered.
    expect(await hidden.textContent()).toBe("Ada here again, the real one: photo_<U+202E>gnp.exe");
    expect(await hidden.getAttribute("dir")).toBe("auto");
    // Drawn left to right as stored: the marker sits before "gnp.exe".
    const [marker, content] = [await hidden.getByTestId("bidi-marker").boundingBox(), await hidden.boundingBox()];
    expect(marker!.x).toBeGreaterThan(content!.x + 50);
    for (const name of await page.getByTestId("author-name").all()) expect(await name.evaluate((el) => el.tagName)).toBe("BDI");

    await page.screenshot({ path: artifactPath("impersonation-channel-desktop.png") });
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("look-alike members' cards each show their own @username, open from names, avatars, lists and the DM header, and close with Escape back to the name", async () => {
    const { dm, space, channel } = await club();
    const { page, group } = await beaInChannel();
    const card = page.getByTestId("profile-card");
    const username = card.getByTestId("profile-card-username");
    const focusedTestId = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? null);

    // From the keyboard: the real Ada's name opens her card, Escape closes it, focus comes back.
    const adaName = group("photo from Saturday").getByTestId("author-button");
    await adaName.focus();
    await page.keyboard.press("Enter");
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@ada");
    expect(await card.getByTestId("profile-card-name").textContent()).toBe("Ada");
    expect(await card.getByTestId("profile-card-name").getAttribute("dir")).toBe("auto");
    expect(await card.getByTestId("profile-card-name").evaluate((el) => el.tagName)).toBe("BDI");
    // A friend: presence shown (Ada has no socket open), and Message leads to the DM.
    expect(await card.getByTestId("profile-card-presence").textContent()).toBe("Offline");
    await card.getByRole("button", { name: "Message" }).waitFor({ timeout: WAIT });
    expect(await card.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    expect(await card.getAttribute("data-layout")).toBe("popover");
    // The popover sits beside the name it was opened from.
    const [nameBox, cardBox] = [await adaName.boundingBox(), await card.boundingBox()];
    expect(cardBox!.x).toBeGreaterThanOrEqual(nameBox!.x + nameBox!.width);
    await page.screenshot({ path: artifactPath("profile-card-desktop-light.png") });
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "hidden", timeout: WAIT });
    expect(await focusedTestId()).toBe("author-button");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Ada");

    // The look-alike, from the avatar beside her message: @mallory, and not a friend — Add friend, then pending.
    await group("the real one").getByRole("button", { name: "Profile of \u0410d\u0430" }).click();
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@mallory");
    expect(await card.getByTestId("profile-card-name").textContent()).toBe("\u0410d\u0430");
    expect(await card.getByRole("button", { name: "Message" }).count()).toBe(0);
    await card.getByRole("button", { name: "Add friend" }).click();
    await card.getByTestId("profile-card-pending").waitFor({ timeout: WAIT });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: artifactPath("profile-card-desktop-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
    // A press outside closes it too.
    await page.mouse.click(5, 790);
    await card.waitFor({ state: "hidden", timeout: WAIT });

    // From the member list: each row opens the card of that member.
    for (const name of ["ada", "mallory"]) {
      await page.locator(`[data-testid="member-row"][data-username="${name}"] button`).click();
      await card.waitFor({ timeout: WAIT });
      expect(await username.textContent()).toBe(`@${name}`);
      await page.keyboard.press("Escape");
      await card.waitFor({ state: "hidden", timeout: WAIT });
    }
    // Our own card: no Message or Add friend.
    await page.locator('[data-testid="member-row"][data-username="bea"] button').click();
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@bea");
    expect(await card.getByRole("button", { name: /Message|Add friend/ }).count()).toBe(0);
    await card.getByRole("button", { name: "Edit profile" }).waitFor({ timeout: WAIT });
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "hidden", timeout: WAIT });

    // The friends list and the DM header.
    await page.goto(`${stage.base}/friends?tab=all`);
    await page.locator('[data-testid="friend-row"][data-username="ada"] button[aria-haspopup="dialog"]').click();
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@ada");
    await card.getByRole("button", { name: "Message" }).click();
    await card.waitFor({ state: "hidden", timeout: WAIT });
    await until("the DM to open", () => page.url().endsWith(`/c/${dm}`));
    await page.getByTestId("conversation-title-button").click();
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@ada");
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "hidden", timeout: WAIT });

    // At phone width the card is a sheet along the bottom edge.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stage.base}/s/${space}/${channel}`);
    await group("the real one").waitFor({ timeout: WAIT });
    await group("the real one").getByTestId("author-button").click();
    await card.waitFor({ timeout: WAIT });
    expect(await username.textContent()).toBe("@mallory");
    expect(await card.getAttribute("data-layout")).toBe("sheet");
    await until("the sheet to slide in", async () => {
      const box = await card.boundingBox();
      return !!box && Math.abs(box.y + box.height - 844) < 2 && box.width === 390;
    });
    await page.screenshot({ path: artifactPath("profile-card-phone.png") });
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "hidden", timeout: WAIT });
    expect(stage.errors).toEqual([]);
  }, 120_000);
});
