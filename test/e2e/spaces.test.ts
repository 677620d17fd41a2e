/**
 * Spaces end to end, in real Chromium against a real node serving the production bundle: Ada
 * creates a space and copies an invite link; Bea, a visitor with no account, opens it, sees the
 * preview, registers, comes back, accepts and lands in #general. They chat both ways, Ada
 * deletes a message, creates a channel Bea sees appear, and Bea (a member) is not offered what
 * her role cannot do; a post in another channel marks it unread for her. Unusable invites
 * (expired, revoked, unknown) say why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { freePort, registerUser, startNode, type TestNode } from "../support/parley";
import { json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, launchBrowser, sessionCookies, settled, until } from "../support/browser";

const enabled = browserAvailable("spaces e2e");
const dist = join(import.meta.dir, "../../dist");
const T = WAIT;
/** Hooks get explicit time limits: `bun test` alone gives them 5 s, too little on a loaded machine. */
const HOOK = 60_000;

/** Reads `read` until it gives `expected` (the page updates asynchronously), failing with the last value seen. */
const untilText = (what: string, read: () => Promise<string | null>, expected: string) => until(what, async () => expect(await read()).toBe(expected));

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByTestId("composer");
  await box.fill(text);
  await box.press("Enter");
}

const message = (page: Page, text: string) => page.getByTestId("message-list").getByTestId("message-content").filter({ hasText: text });
const channelItem = (page: Page | Locator, name: string) => page.locator(`[data-testid="channel-item"][data-channel-name="${name}"]`);

/** Wait for running animations (a drawer sliding in) to finish, so screenshots show the end state. */

async function menuItems(page: Page): Promise<string[]> {
  await page.getByTestId("space-menu-button").click();
  await page.getByRole("menu").waitFor();
  const items = await page.getByRole("menu").getByRole("menuitem").allTextContents();
  await page.keyboard.press("Escape");
  return items.map((t) => t.trim());
}

describe.skipIf(!enabled)("spaces in Chromium", () => {
  let node: TestNode;
  let browser: Browser;
  let base: string;
  let offset = 0;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    // Invite links are built from PUBLIC_URL, so it must be where the browser finds the node.
    node = await startNode({ PORT: String(port), PUBLIC_URL: base, WS_RATE_PER_SECOND: "200", WS_BURST: "400" }, { staticDir: dist, clock: () => Date.now() + offset });
    node.listen();
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name) });

  async function context(name: string, colorScheme: "light" | "dark" = "light") {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(`${name}: ${String(e)}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`${name}: ${m.text()}`));
    return { ctx, page };
  }

  test("create, invite a visitor who registers and joins, chat, channels, roles and unread", async () => {
    // Ada, signed in with session cookies, creates a space through the UI.
    const ada = await registerUser(node, "ada");
    const { ctx: ctxA, page: a } = await context("ada");
    await ctxA.addCookies(sessionCookies(ada.jar));
    await a.goto(`${base}/`);
    await a.getByRole("button", { name: "Create a space" }).click();
    await a.getByLabel("Space name").fill("Book Club");
    await a.getByRole("button", { name: "Create space" }).click();
    await until("Ada to land in #general", async () => (await a.getByTestId("channel-title").textContent()) === "general");
    const [, , spaceId, generalId] = new URL(a.url()).pathname.split("/");
    await untilText("the space's name in Ada's sidebar", () => a.getByTestId("space-name").textContent(), "Book Club");
    await a.locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`).waitFor();

    // The invite dialog makes a link; Copy copies it (we read it from the dialog's field).
    await a.getByTestId("space-menu-button").click();
    await a.getByRole("menuitem", { name: "Invite people" }).click();
    const field = a.getByTestId("invite-link");
    await until("an invite link", async () => (await field.inputValue()).startsWith(`${base}/invite/`));
    const link = await field.inputValue();
    await a.getByRole("button", { name: "Copy" }).click();
    await a.getByRole("button", { name: "Copied" }).waitFor();
    await untilText("the invite's summary", () => a.getByTestId("invite-summary").textContent(), "This link expires in 7 days.");
    await shot(a, "spaces-invite-dialog.png");
    await a.getByRole("button", { name: "Done" }).click();

    // Bea has no account: the link shows where it leads, then sends her to register and back.
    const { page: b } = await context("bea", "dark");
    await b.goto(link);
    await b.getByTestId("invite-preview").waitFor({ timeout: T });
    await untilText("the previewed space's name", () => b.getByTestId("invite-space-name").textContent(), "Book Club");
    await untilText("the previewed member count", () => b.getByTestId("invite-member-count").textContent(), "1 member");
    await b.getByRole("button", { name: "Log in to join" }).waitFor();
    await shot(b, "spaces-invite-visitor.png");
    await b.getByRole("button", { name: "Register to join" }).click();
    await until("the register page to remember the invite", () => expect(new URL(b.url()).searchParams.get("next")).toBe(new URL(link).pathname));
    await b.getByLabel("Email").fill("bea@example.com");
    await b.getByLabel("Username").fill("bea");
    await b.getByLabel("Password", { exact: true }).fill("a very good password");
    await b.getByRole("button", { name: "Create account" }).click();
    await b.getByRole("button", { name: "Accept invite" }).click({ timeout: T });
    await until("Bea to land in #general", () => new URL(b.url()).pathname === `/s/${spaceId}/${generalId}`);
    await until("Bea's #general", async () => (await b.getByTestId("channel-title").textContent()) === "general");

    // They chat both ways, live; each sees the other in the member list.
    await send(a, "Welcome, Bea!");
    await message(b, "Welcome, Bea!").waitFor({ timeout: T });
    await send(b, "Thanks Ada, happy to be here");
    await message(a, "Thanks Ada, happy to be here").waitFor({ timeout: T });
    await a.locator('[data-testid="member-row"][data-username="bea"]').waitFor({ timeout: T });
    await b.locator('[data-testid="member-row"][data-username="ada"][data-role="owner"]').waitFor({ timeout: T });
    await send(b, "oops, wrong channel");
    await message(a, "oops, wrong channel").waitFor({ timeout: T });
    await shot(a, "spaces-desktop.png");
    await shot(b, "spaces-desktop-dark.png");

    // Ada (the owner) deletes Bea's message; both see it go.
    const row = a.locator('[data-testid="message"]').filter({ hasText: "oops, wrong channel" });
    await row.hover();
    await row.getByTestId("delete-message").click();
    await a.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    for (const p of [a, b]) await p.locator('[data-testid="message"][data-deleted="true"]').getByText("Message deleted").waitFor({ timeout: T });
    // Bea may delete her own messages only (her own row offers it, so the rows are rendered; Ada's does not).
    const own = b.locator('[data-testid="message"]').filter({ hasText: "Thanks Ada" });
    await own.hover();
    await own.getByTestId("delete-message").waitFor({ state: "visible", timeout: T });
    expect(await own.getByTestId("delete-message").count()).toBe(1);
    expect(await b.locator('[data-testid="message"]').filter({ hasText: "Welcome, Bea!" }).getByTestId("delete-message").count()).toBe(0);

    // Ada creates a channel; it appears for Bea.
    await a.getByTestId("space-menu-button").click();
    await a.getByRole("menuitem", { name: "Create channel" }).click();
    await a.getByLabel("Channel name").fill("Game Night");
    await a.getByRole("button", { name: "Create channel" }).click();
    await until("Ada in #game-night", async () => (await a.getByTestId("channel-title").textContent()) === "game-night");
    await channelItem(b, "game-night").waitFor({ timeout: T });
    // …and renames it; Bea sees the new name.
    await channelItem(a, "game-night").hover();
    await a.getByRole("button", { name: "Edit game-night" }).click();
    await a.getByRole("dialog").getByLabel("Channel name").fill("Board Games");
    await a.getByRole("dialog").getByRole("button", { name: "Save" }).click();
    await channelItem(b, "board-games").waitFor({ timeout: T });
    await untilText("Ada's title renamed", () => a.getByTestId("channel-title").textContent(), "board-games");

    // Bea is a member: no settings, no channel creation; she may invite and leave. (Ada, the
    // owner, is offered the button — it exists — and Bea's sidebar is rendered: board-games, above.)
    expect(await menuItems(b)).toEqual(["Invite people", "Leave space"]);
    await a.getByRole("button", { name: "Create text channel" }).waitFor({ timeout: T });
    expect(await b.getByRole("button", { name: "Create text channel" }).count()).toBe(0);
    expect(await menuItems(a)).toEqual(["Invite people", "Space settings", "Create channel"]);

    // A post in #board-games marks it unread for Bea (she is in #general); opening it clears the mark.
    expect(await channelItem(b, "board-games").getAttribute("data-unread")).toBe("false");
    await send(a, "Anyone up for chess tonight?");
    await untilText("the unread mark on #board-games", () => channelItem(b, "board-games").getAttribute("data-unread"), "true");
    expect(await channelItem(b, "general").getAttribute("data-unread")).toBe("false");
    await shot(b, "spaces-unread-dark.png");
    await channelItem(b, "board-games").click();
    await message(b, "Anyone up for chess tonight?").waitFor({ timeout: T });
    await untilText("the mark to clear", () => channelItem(b, "board-games").getAttribute("data-unread"), "false");
    // The server agrees it was read: after a reload nothing is unread. (The mark clears in the page
    // at once and reaches the server over the socket: reload only once the server reports it.)
    await until("the server to count #board-games read for Bea", async () => {
      const unread = await b.evaluate(async () => {
        const { spaces } = (await (await fetch("/api/spaces")).json()) as { spaces: Array<{ channels: Array<{ name: string; unreadCount?: number }> }> };
        return spaces.flatMap((s) => s.channels).find((c) => c.name === "board-games")?.unreadCount;
      });
      expect(unread).toBe(0);
    });
    await channelItem(b, "general").click();
    await b.reload();
    await b.getByTestId("message-list").getByText("Welcome, Bea!").waitFor({ timeout: T });
    // The sidebar renders from the server's list, unread counts included: read it as it comes.
    expect(await channelItem(b, "board-games").getAttribute("data-unread")).toBe("false");

    // Presence is private by default: Ada (not a friend) sees Bea offline until Bea shares it with her spaces.
    // (Ada's member list is rendered from the server's answer, presences included; Bea is online throughout.)
    const beaDot = a.locator('[data-testid="member-row"][data-username="bea"] [data-testid="presence"]');
    await beaDot.waitFor({ timeout: T });
    expect(await beaDot.getAttribute("data-presence")).toBe("offline");
    await b.getByRole("button", { name: "User menu" }).click();
    await b.getByRole("menuitem", { name: "Edit profile" }).click();
    await b.getByRole("radio", { name: /Friends and members of my spaces/ }).check();
    await b.getByRole("button", { name: "Save changes" }).click();
    await b.getByText("Profile updated").waitFor({ timeout: T });
    await a.reload();
    await untilText("Bea to look online to Ada", () => beaDot.getAttribute("data-presence"), "online");

    // Phone width: the rail and channels live in the drawer; nothing overflows sideways.
    await b.setViewportSize({ width: 375, height: 812 });
    // The shell switches layouts on a media-query event: go on once the phone layout is in.
    await b.getByRole("button", { name: "Open navigation" }).waitFor({ timeout: T });
    await b.getByTestId("composer").waitFor();
    await shot(b, "spaces-mobile-dark.png");
    await b.getByRole("button", { name: "Open navigation" }).click();
    await b.getByRole("dialog").getByTestId("space-rail").waitFor();
    await b.getByRole("dialog").getByTestId("channel-sidebar").waitFor();
    await settled(b);
    await shot(b, "spaces-mobile-drawer-dark.png");
    expect(await horizontalOverflow(b)).toBeLessThanOrEqual(0);
    await channelItem(b.getByRole("dialog"), "general").click();
    await b.getByRole("dialog").waitFor({ state: "detached" });
    await b.getByRole("button", { name: "Show member list" }).click();
    await b.getByRole("dialog").locator('[data-testid="member-row"][data-username="ada"]').waitFor();
    await settled(b);
    await shot(b, "spaces-mobile-members-dark.png");
    await b.keyboard.press("Escape");
    await b.getByRole("dialog").waitFor({ state: "detached", timeout: T });
    await b.setViewportSize({ width: 1280, height: 800 });

    // Ada's settings: a bad icon is refused with a clear message; a real one shows in the rail.
    await a.getByTestId("space-menu-button").click();
    await a.getByRole("menuitem", { name: "Space settings" }).click();
    await a.getByTestId("space-settings").waitFor();
    await a.getByTestId("icon-input").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image at all") });
    await a.getByText("isn't an image we can use").waitFor({ timeout: T });
    const png = await a.evaluate(() => {
      const c = document.createElement("canvas");
      c.width = c.height = 96;
      const g = c.getContext("2d")!;
      const grad = g.createLinearGradient(0, 0, 96, 96);
      grad.addColorStop(0, "#f59e0b");
      grad.addColorStop(1, "#db2777");
      g.fillStyle = grad;
      g.fillRect(0, 0, 96, 96);
      g.fillStyle = "#fff";
      g.font = "bold 44px sans-serif";
      g.fillText("BC", 18, 64);
      return c.toDataURL("image/png").split(",")[1]!;
    });
    await a.getByTestId("icon-input").setInputFiles({ name: "icon.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
    await a.locator(`[data-testid="space-item"][data-space-id="${spaceId}"] img`).waitFor({ timeout: T });
    await b.locator(`[data-testid="space-item"][data-space-id="${spaceId}"] img`).waitFor({ timeout: T });
    // Joins are announced until Ada turns it off; the server keeps her choice.
    const announce = a.getByRole("checkbox", { name: "Announce new members" });
    expect(await announce.isChecked()).toBe(true);
    await announce.click();
    await a.getByText("New members will join quietly").waitFor({ timeout: T });
    const stored = await a.evaluate(async (id) => ((await (await fetch(`/api/spaces/${id}`)).json()) as { space: { joinMessages: boolean } }).space.joinMessages, spaceId);
    expect([stored, await announce.isChecked()]).toEqual([false, false]);
    await shot(a, "spaces-settings.png");
    await a.getByRole("tab", { name: "Members" }).click();
    await a.locator('[data-testid="manage-member-row"][data-username="bea"]').getByRole("button", { name: "Ban" }).waitFor();
    expect(await a.locator('[data-testid="manage-member-row"][data-username="ada"]').getByRole("button").count()).toBe(0);
    await a.getByRole("tab", { name: "Invites" }).click();
    await a.locator(`[data-testid="invite-row"][data-code="${new URL(link).pathname.split("/").pop()}"]`).waitFor();
    await shot(a, "spaces-settings-invites.png");
    await a.getByRole("link", { name: "Home" }).click();
    await a.getByRole("navigation", { name: "Main" }).waitFor();
    await shot(a, "spaces-home.png");

    expect(errors.filter((e) => !/Failed to load resource|WebSocket/.test(e))).toEqual([]);
  }, 120_000);

  test("an expired, revoked or unknown invite says so clearly", async () => {
    const owner = await registerUser(node, "olga");
    const { space } = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Closed Club" } }, owner.jar));
    const invite = async (body: object) => (await json(await node.req(`/api/spaces/${space.id}/invites`, { method: "POST", json: body }, owner.jar))).invite.code as string;
    const expiring = await invite({ expiresInSeconds: 60 });
    const revoked = await invite({});
    expect((await node.req(`/api/invites/${revoked}`, { method: "DELETE" }, owner.jar)).status).toBe(204);
    offset += 61_000;

    const { page } = await context("visitor");
    const cases: Array<[string, string, string]> = [
      [expiring, "INVITE_EXPIRED", "This invite has expired"],
      [revoked, "INVITE_REVOKED", "This invite was revoked"],
      ["nope12345", "NOT_FOUND", "Invite not found"],
    ];
    for (const [code, errorCode, title] of cases) {
      await page.goto(`${base}/invite/${code}`);
      const box = page.getByTestId("invite-error");
      await box.waitFor({ timeout: T });
      await untilText(`the ${errorCode} code`, () => box.getAttribute("data-code"), errorCode);
      await untilText(`the ${errorCode} title`, () => page.getByRole("heading", { level: 1 }).textContent(), title);
      if (errorCode === "INVITE_EXPIRED") await shot(page, "spaces-invite-expired.png");
    }
  }, 90_000);
});
