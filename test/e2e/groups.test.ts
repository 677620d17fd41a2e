/**
 * Group conversations end to end, in Chromium against a real node serving the production
 * bundle: Alice starts a group with her friends Bob and Carol from the sidebar, names it and
 * writes; Bob sees it appear and the message arrive live; a rename reaches Bob; Carol leaves
 * through the UI and drops out of Alice's member count; Alice adds her back with the picker.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("groups e2e");
const T = WAIT;

describe.skipIf(!enabled)("group conversations in Chromium", () => {
  const stage = browserStage({ WS_RATE_PER_SECOND: "200", WS_BURST: "400" });

  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name) });

  const sidebar = (page: Page) => page.getByRole("complementary", { name: "Sidebar" });
  const item = (page: Page, id: string) => sidebar(page).locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
  const memberCount = (page: Page) => page.getByTestId("conversation-status").getAttribute("data-member-count");

  test("create, message, rename, leave and add back, live for every member", async () => {
    const alice = await stage.signedIn("alice_g");
    const bob = await stage.signedIn("bob_g");
    const carol = await stage.signedIn("carol_g");
    await befriend(stage.node, alice, bob);
    await befriend(stage.node, alice, carol);
    const [a, b, c] = [alice.page, bob.page, carol.page];
    for (const p of [a, b, c]) await p.goto(`${stage.base}/messages`);
    // Everyone is online before Alice opens the picker, so it shows their presence.
    await a.locator('[data-testid="conversation-item"]').nth(1).waitFor({ timeout: T });

    // Alice opens "New group" from the direct-messages sidebar and picks both friends.
    await sidebar(a).getByRole("button", { name: "New group" }).click();
    const dialog = a.getByRole("dialog", { name: "New group" });
    await dialog.waitFor({ timeout: T });
    await dialog.locator('[data-testid="friend-option"][data-username="bob_g"] [data-presence="online"]').waitFor({ timeout: T });
    const create = dialog.getByRole("button", { name: "Create group" });
    expect(await create.isDisabled()).toBe(true);
    // The search narrows the list; what was picked stays picked.
    await dialog.getByLabel("Search friends").fill("car");
    await until("only Carol to be offered", async () => expect(await dialog.getByTestId("friend-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-username")))).toEqual(["carol_g"]));
    await dialog.getByRole("checkbox", { name: "carol_g" }).check();
    await dialog.getByLabel("Search friends").fill("");
    await dialog.getByRole("checkbox", { name: "bob_g" }).check();
    await dialog.getByLabel("Group name (optional)").fill("Weekend plans");
    await dialog.getByTestId("picker-count").getByText("2 selected").waitFor({ timeout: T });
    await shot(a, "groups-create-dialog-desktop.png");

    // A refusal from the server is shown in the dialog, which stays open with the choices kept.
    await a.route("**/api/conversations", (route) =>
      route.fulfill({ status: 403, contentType: "application/json", body: JSON.stringify({ error: { code: "FORBIDDEN", message: "You can only add friends to a group" } }) }),
    );
    await create.click();
    const error = dialog.getByTestId("group-error");
    await error.getByText("You can only add friends to a group").waitFor({ timeout: T });
    expect(await error.getAttribute("data-error-code")).toBe("FORBIDDEN");
    await shot(a, "groups-create-error-desktop.png");
    await a.unroute("**/api/conversations");

    // Created for real: Alice lands in the group.
    await create.click();
    await dialog.waitFor({ state: "detached", timeout: T });
    await until("Alice's address to be the group", () => expect(a.url()).toMatch(/\/c\/[^/]+$/));
    const groupId = (await a.getByTestId("conversation").getAttribute("data-conversation-id"))!;
    expect(a.url()).toBe(`${stage.base}/c/${groupId}`);
    await a.getByTestId("conversation-title").getByText("Weekend plans").waitFor({ timeout: T });
    expect(await memberCount(a)).toBe("3");
    await a.getByTestId("conversation-status").getByText("3 members").waitFor();
    await a.getByTestId("composer").fill("Hello group!");
    await a.getByTestId("composer").press("Enter");
    await a.locator('[data-testid="message"][data-status="sent"]').getByText("Hello group!").waitFor({ timeout: T });

    // Bob: the group appears live in his sidebar with the message, and opens on a click.
    const bobItem = item(b, groupId);
    await bobItem.getByText("Weekend plans").waitFor({ timeout: T });
    await bobItem.getByText("alice_g: Hello group!").waitFor({ timeout: T });
    await bobItem.click();
    await b.getByTestId("message-content").filter({ hasText: "Hello group!" }).waitFor({ timeout: T });
    expect(await memberCount(b)).toBe("3");

    // Alice renames it from the header menu; Bob's header and sidebar follow.
    await a.getByRole("button", { name: "Group options" }).click();
    await a.getByRole("menuitem", { name: "Rename group" }).click();
    const rename = a.getByRole("dialog", { name: "Rename group" });
    await rename.getByLabel("Group name").fill("Trip crew");
    await rename.getByRole("button", { name: "Save" }).click();
    await rename.waitFor({ state: "detached", timeout: T });
    await a.getByTestId("conversation-title").getByText("Trip crew").waitFor({ timeout: T });
    await b.getByTestId("conversation-title").getByText("Trip crew").waitFor({ timeout: T });
    await bobItem.getByText("Trip crew", { exact: true }).waitFor({ timeout: T });
    // The rename is a line in both timelines, drawn as a system line, not as a message.
    const systemLine = (p: Page, text: string) => p.locator('[data-testid="message"][data-kind="system"]').filter({ hasText: text });
    for (const p of [a, b]) await systemLine(p, "alice_g renamed the group to “Trip crew”").waitFor({ timeout: T });
    await a.locator('[data-testid="group-member"][data-username="carol_g"]').waitFor({ timeout: T });
    await shot(a, "groups-conversation-desktop.png");

    // Carol leaves through the UI, after confirming; she is taken away and the group is gone.
    const carolItem = item(c, groupId);
    await carolItem.click();
    await c.getByTestId("conversation-title").getByText("Trip crew").waitFor({ timeout: T });
    await c.getByRole("button", { name: "Group options" }).click();
    await c.getByRole("menuitem", { name: "Leave group" }).click();
    const confirm = c.getByRole("dialog", { name: "Leave Trip crew?" });
    await confirm.waitFor({ timeout: T });
    await shot(c, "groups-leave-confirm-desktop.png");
    await confirm.getByRole("button", { name: "Leave group" }).click();
    await until("Carol to be taken off the group's page", () => expect(new URL(c.url()).pathname).toBe("/messages"));
    await until("the group to leave Carol's lists", async () => (await c.locator(`[data-conversation-id="${groupId}"]`).count()) === 0);

    // Alice and Bob see two members now.
    await until("Alice's member count to drop", async () => (await memberCount(a)) === "2");
    await a.getByTestId("conversation-status").getByText("2 members").waitFor();
    await a.locator('[data-testid="group-member"][data-username="carol_g"]').waitFor({ state: "detached", timeout: T });
    await until("Bob's member count to drop", async () => (await memberCount(b)) === "2");
    for (const p of [a, b]) await systemLine(p, "carol_g left the group").waitFor({ timeout: T });

    // Alice adds Carol back: the picker offers only friends not already in the group.
    await a.getByRole("button", { name: "Add friends to group" }).click();
    const add = a.getByRole("dialog", { name: "Add friends" });
    await add.waitFor({ timeout: T });
    expect(await add.getByTestId("friend-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-username")))).toEqual(["carol_g"]);
    await add.getByRole("checkbox", { name: "carol_g" }).check();
    await add.getByRole("button", { name: "Add to group" }).click();
    await add.waitFor({ state: "detached", timeout: T });
    await until("Alice's member count back to three", async () => (await memberCount(a)) === "3");
    await carolItem.getByText("Trip crew", { exact: true }).waitFor({ timeout: T });
    await until("Bob's member count back to three", async () => (await memberCount(b)) === "3");
    await systemLine(b, "alice_g added carol_g").waitFor({ timeout: T });
    await shot(b, "groups-system-lines-desktop.png");
    expect(await horizontalOverflow(a)).toBeLessThanOrEqual(0);

    // Phone width: the group's controls move into the top bar's menu; nothing overflows.
    await a.setViewportSize({ width: 375, height: 812 });
    await a.getByRole("button", { name: "Open navigation" }).waitFor({ timeout: T });
    await a.getByRole("button", { name: "Group options" }).click();
    await a.getByRole("menuitem", { name: "Members" }).click();
    await a.getByRole("dialog", { name: "Members" }).locator('[data-testid="group-member"][data-username="carol_g"]').waitFor({ timeout: T });
    await settled(a);
    await shot(a, "groups-members-mobile.png");
    await a.keyboard.press("Escape");
    await a.getByRole("dialog", { name: "Members" }).waitFor({ state: "detached", timeout: T });
    await shot(a, "groups-conversation-mobile.png");
    expect(await horizontalOverflow(a)).toBeLessThanOrEqual(0);

    expect(stage.errors.filter((e) => !/401|403|Failed to load resource|WebSocket/.test(e))).toEqual([]);
  }, 120_000);
});
