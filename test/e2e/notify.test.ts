/**
 * New-message alerts in Chromium: a DM arriving while the tab is hidden plays the chime and
 * shows a desktop notification (sender as title, text as body); one arriving while the tab is
 * visible with that conversation open does neither (observed through support/alerts.ts).
 * Clicking a notification of a thread reply opens its conversation — a channel's page within its
 * space — with the thread open at that reply.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { clickNotification, instrument, recorded, setHidden } from "../support/alerts";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { befriend } from "../support/social";
import { joinByInvite, json } from "../support/spaces";
import { connectWs, type WsClient } from "../support/ws";
import { WAIT, artifactPath, browserAvailable, launchBrowser, sessionCookies, settled, until } from "../support/browser";

const enabled = browserAvailable("notify e2e");
const dist = join(import.meta.dir, "../../dist");
const HOOK = 60_000;

describe.skipIf(!enabled)("new-message alerts in Chromium", () => {
  let node: TestNode;
  let browser: Browser;
  let base: string;
  let ctx: BrowserContext | undefined;
  let bobSocket: WsClient | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    node = await startNode({}, { staticDir: dist });
    base = `http://127.0.0.1:${node.listen().port}`;
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    bobSocket?.close();
    await ctx?.close().catch(() => {});
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  test("a hidden tab chimes and notifies; a visible tab on that conversation does not", async () => {
    const alice = await registerUser(node, "alice_n");
    const bob = await registerUser(node, "bob_n");
    const conversationId = await befriend(node, alice, bob);
    // Bob online proves Alice's socket has had its hello, so live events reach her.
    bobSocket = await connectWs(base, bob.jar);
    await bobSocket.request({ type: "hello" });
    const say = async (content: string) => {
      const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: content, content } }, bob.jar);
      expect(res.status).toBe(201);
    };

    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.grantPermissions(["notifications"], { origin: base });
    await ctx.addCookies(sessionCookies(alice.jar));
    await ctx.addInitScript(instrument);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}/messages`);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);
    await item.locator('[data-presence="online"]').first().waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => Notification.permission)).toBe("granted");
    // Audio starts suspended until a gesture; a real user has clicked somewhere by now.
    await page.mouse.click(640, 400);

    await setHidden(page, true);
    await say("psst, are you there?");
    await until("a desktop notification", async () => (await recorded(page)).notes.length > 0);
    await until("the chime", async () => (await recorded(page)).tones.length > 0);
    const first = await recorded(page);
    expect(first.notes).toEqual([{ title: "bob_n", body: "psst, are you there?", tag: conversationId }]);
    expect(first.tones).toEqual([880, 1318.5]);

    await setHidden(page, false);
    await item.first().click();
    await page.waitForURL(`**/c/${conversationId}`, { timeout: WAIT });
    await say("you are looking right at it");
    // onMessage decides on the alert before the row renders.
    await page.getByTestId("message-content").filter({ hasText: "you are looking right at it" }).waitFor({ timeout: WAIT });
    expect(await recorded(page)).toEqual(first);

    // The same open conversation, but hidden again: alerts come back.
    await Bun.sleep(800);
    await setHidden(page, true);
    await say("still there?");
    await until("a second notification", async () => (await recorded(page)).notes.length > 1);
    await until("a second chime", async () => (await recorded(page)).tones.length > 2);
    expect((await recorded(page)).notes[1]).toEqual({ title: "bob_n", body: "still there?", tag: conversationId });
    expect(errors).toEqual([]);
  }, 120_000);

  test("clicking the notification of a thread reply opens the thread at that reply, in a DM and in a space channel", async () => {
    const alice = await registerUser(node, "alice_nt");
    const bob = await registerUser(node, "bob_nt");
    const dm = await befriend(node, alice, bob);
    const space = (await json(await node.req("/api/spaces", { method: "POST", json: { name: "Trail club" } }, bob.jar))).space;
    await joinByInvite(node, bob.jar, space.id, alice.jar);
    const channel: string = space.channels[0].id;
    const say = async (conversationId: string, content: string, threadId?: string): Promise<string> => {
      const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, threadId } }, bob.jar);
      expect(res.status).toBe(201);
      return (await json(res)).message.id;
    };
    const dmRoot = await say(dm, "Packing list");
    const channelRoot = await say(channel, "Saturday's route");

    const tctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await tctx.grantPermissions(["notifications"], { origin: base });
      await tctx.addCookies(sessionCookies(alice.jar));
      await tctx.addInitScript(instrument);
      const page = await tctx.newPage();
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${base}/friends`);
      await page.getByTestId("open-search").waitFor({ timeout: WAIT });
      // The page's socket has had its hello once a message sent now reaches the list.
      await say(dm, "are you around?");
      await page.locator(`[data-testid="conversation-item"][data-conversation-id="${dm}"]`).filter({ hasText: "are you around?" }).waitFor({ timeout: WAIT });
      await setHidden(page, true);

      const checks: Array<[string, string, string, string, string]> = [
        [dm, dmRoot, "tent pegs and a stove", "bob_nt replied in a thread", `/c/${dm}?thread=${dmRoot}`],
        [channel, channelRoot, "@alice_nt the ridge is closed, take the valley", "bob_nt replied in a thread in #general", `/s/${space.id}/${channel}?thread=${channelRoot}`],
      ];
      for (const [conversationId, root, content, title, path] of checks) {
        const before = (await recorded(page)).notes.length;
        const reply = await say(conversationId, content, root);
        await until("the reply's notification", async () => expect((await recorded(page)).notes.length).toBe(before + 1));
        expect((await recorded(page)).notes[before]).toEqual({ title, body: content, tag: conversationId });
        await clickNotification(page, before);
        await page.waitForURL(`${base}${path}`, { timeout: WAIT });
        const row = page.getByTestId("thread-panel").locator(`[data-testid="message"][data-message-id="${reply}"]`);
        await until("the reply marked in the open thread", async () => expect(await row.getAttribute("data-search-target")).toBe(""));
      }
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        // The app follows the system's scheme on its change event: wait for it, then for the colours' transitions.
        await page.waitForFunction((dark) => document.documentElement.classList.contains("dark") === dark, scheme === "dark");
        await settled(page);
        await page.screenshot({ path: artifactPath(`notify-thread-channel-${scheme}.png`) });
      }
    } finally {
      await tctx.close();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
