/**
 * Channel order end to end, in Chromium: Ada (the owner) drags channels within their group and
 * moves them with Alt+↑/↓; Bea (a member) sees each new order live, has nothing to drag, and
 * her keys move nothing. A refused reorder is rolled back with a toast; the order survives a reload.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser, type CookieJar } from "../support/parley";
import { joinByInvite, json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, sessionCookies, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("channel order e2e");

const item = (page: Page, name: string) => page.getByTestId("channel-sidebar").locator(`[data-channel-name="${name}"]`);
const row = (page: Page, name: string) => page.getByTestId("channel-sidebar").locator(`[data-channel-row]:has([data-channel-name="${name}"])`);
const order = (page: Page, kind: "text" | "voice") =>
  page.getByTestId(`${kind}-channels`).locator("[data-channel-name]").evaluateAll((els) => els.map((e) => e.getAttribute("data-channel-name")));
const untilOrder = (what: string, page: Page, kind: "text" | "voice", expected: string[]) => until(what, async () => expect(await order(page, kind)).toEqual(expected));

describe.skipIf(!enabled)("channel order in Chromium", () => {
  const stage = browserStage({}, { publicUrl: true });

  async function open(name: string, jar: CookieJar, path: string): Promise<Page> {
    const ctx = await stage.context({ deviceScaleFactor: 2 });
    await ctx.addCookies(sessionCookies(jar));
    const page = await stage.page(ctx, name);
    await page.goto(`${stage.base}${path}`);
    await page.getByTestId("channel-sidebar").waitFor({ timeout: WAIT });
    return page;
  }

  test("the owner reorders by dragging and by keyboard; a member sees it live and cannot", async () => {
    const ada = await registerUser(stage.node, "ada");
    const bea = await registerUser(stage.node, "bea");
    const { space } = await json(await stage.node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, ada.jar));
    for (const [name, kind] of [["announcements", "text"], ["off-topic", "text"], ["Lounge", "voice"]]) {
      expect((await stage.node.req(`/api/spaces/${space.id}/channels`, { method: "POST", json: { name, kind } }, ada.jar)).status).toBe(201);
    }
    await joinByInvite(stage.node, ada.jar, space.id, bea.jar);
    const path = `/s/${space.id}/${space.channels[0].id}`;
    const a = await open("ada", ada.jar, path);
    const b = await open("bea", bea.jar, path);
    await untilOrder("Ada's text channels", a, "text", ["general", "announcements", "off-topic"]);
    await untilOrder("Bea's text channels", b, "text", ["general", "announcements", "off-topic"]);

    // Bea is a member: nothing to drag, no grip, and Alt+↓ moves nothing.
    await untilOrder("Bea's voice channels", b, "voice", ["General", "Lounge"]);
    expect(await b.getByTestId("channel-sidebar").locator('[draggable="true"]').count()).toBe(0);
    expect(await b.getByTestId("channel-drag-handle").count()).toBe(0);
    await item(b, "general").focus();
    await b.keyboard.press("Alt+ArrowDown");
    expect(await order(b, "text")).toEqual(["general", "announcements", "off-topic"]);

    // Ada drags #off-topic by hand to above #general: a line shows where it will land.
    const from = (await row(a, "off-topic").boundingBox())!;
    const to = (await row(a, "general").boundingBox())!;
    await a.mouse.move(from.x + 40, from.y + from.height / 2);
    await a.mouse.down();
    await a.mouse.move(to.x + 40, to.y + 6, { steps: 8 });
    await row(a, "general").getByTestId("drop-indicator").waitFor({ timeout: WAIT });
    await a.getByTestId("channel-sidebar").screenshot({ path: artifactPath("channel-order-dragging.png") });
    await a.mouse.up();
    await untilOrder("Ada's order after the drag", a, "text", ["off-topic", "general", "announcements"]);
    await untilOrder("Bea's order, live", b, "text", ["off-topic", "general", "announcements"]);
    expect(await a.getByTestId("drop-indicator").count()).toBe(0);

    // Voice channels move among voice channels; a text channel dropped on them goes nowhere.
    await row(a, "Lounge").dragTo(row(a, "General"), { targetPosition: { x: 40, y: 4 } });
    await untilOrder("Bea's voice order, live", b, "voice", ["Lounge", "General"]);
    await row(a, "general").dragTo(row(a, "Lounge"), { targetPosition: { x: 40, y: 4 } });
    expect(await order(a, "text")).toEqual(["off-topic", "general", "announcements"]);
    expect(await order(a, "voice")).toEqual(["Lounge", "General"]);

    // The keyboard path: Alt+↑ twice takes #announcements to the top, and it keeps focus.
    const announcements = item(a, "announcements");
    await announcements.focus();
    await a.keyboard.press("Alt+ArrowUp");
    await until("focus to stay on #announcements", async () => expect(await a.evaluate(() => document.activeElement?.getAttribute("data-channel-name"))).toBe("announcements"));
    await a.keyboard.press("Alt+ArrowUp");
    await untilOrder("Ada's order after the keys", a, "text", ["announcements", "off-topic", "general"]);
    await untilOrder("Bea's order after the keys, live", b, "text", ["announcements", "off-topic", "general"]);
    await b.getByTestId("channel-sidebar").screenshot({ path: artifactPath("channel-order-member.png") });

    // The server refuses the next move: Ada's order goes back and a toast says why.
    await a.route("**/channels/reorder", (r) => r.fulfill({ status: 403, contentType: "application/json", body: JSON.stringify({ error: { code: "FORBIDDEN", message: "Not allowed" } }) }));
    await item(a, "general").focus();
    await a.keyboard.press("Alt+ArrowUp");
    await a.getByText("Couldn't reorder channels: Not allowed").waitFor({ timeout: WAIT });
    await untilOrder("Ada's order rolled back", a, "text", ["announcements", "off-topic", "general"]);
    await a.unroute("**/channels/reorder");

    // The order is the server's: it survives a reload.
    await a.reload();
    await untilOrder("Ada's order after reload", a, "text", ["announcements", "off-topic", "general"]);
    await untilOrder("Ada's voice order after reload", a, "voice", ["Lounge", "General"]);
    expect(stage.errors.filter((e) => !/Failed to load resource|WebSocket/.test(e))).toEqual([]);
  }, 120_000);
});
