/**
 * Impersonation in Chromium: in a space channel Mallory takes a look-alike of Ada's name
 * (Cyrillic А and а) and posts a file name hidden behind a right-to-left override. Bea sees
 * both look-alike authors with their @username (and hers without), the override as a visible
 * marker instead of obeyed, and every name and message isolated from the text around it.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { joinByInvite, json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, sessionCookies } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("impersonation e2e");

describe.skipIf(!enabled)("look-alike names and hidden text direction in Chromium", () => {
  const stage = browserStage();

  test("look-alike authors show their @username; a bidi override shows as a marker and reverses nothing", async () => {
    const ada = await registerUser(stage.node, "ada");
    const mallory = await registerUser(stage.node, "mallory");
    const bea = await registerUser(stage.node, "bea");
    const rename = (jar: typeof ada.jar, displayName: string) => stage.node.req("/api/users/me", { method: "PATCH", json: { displayName } }, jar);
    expect((await rename(ada.jar, "Ada")).status).toBe(200);
    expect((await rename(mallory.jar, "\u0410d\u0430")).status).toBe(200);
    expect((await rename(bea.jar, "Bea")).status).toBe(200);
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Club" } }, ada.jar));
    for (const u of [mallory, bea]) await joinByInvite(stage.node, ada.jar, space.id, u.jar);
    const channel = space.channels[0].id;
    const post = async (jar: typeof ada.jar, content: string) =>
      expect((await stage.node.req(`/api/conversations/${channel}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, jar)).status).toBe(201);
    await post(ada.jar, "Here is the photo from Saturday");
    await post(mallory.jar, "Ada here again, the real one: photo_\u202Egnp.exe");
    await post(bea.jar, "Thanks both!");

    const ctx = await stage.context({ deviceScaleFactor: 2 });
    await ctx.addCookies(sessionCookies(bea.jar));
    const page: Page = await stage.page(ctx, "bea");
    await page.goto(`${stage.base}/s/${space.id}/${channel}`);
    const group = (text: string) => page.locator("article").filter({ has: page.getByTestId("message-content").filter({ hasText: text }) });
    await group("Thanks both!").waitFor({ timeout: WAIT });
    await page.getByTestId("member-row").nth(2).waitFor({ timeout: WAIT });

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
});
