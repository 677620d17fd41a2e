/**
 * Chat end to end: two users in two browser contexts of real Chromium, against a real node
 * serving the production bundle. Friends, live DMs, typing, "Seen", and catching up after
 * one side drops offline (nothing lost, nothing twice, the offline-typed message sent once).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Server } from "bun";
import { registerUser, startNode, type TestNode } from "../support/parley";
import { befriend } from "../support/social";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, launchBrowser, sessionCookies, until } from "../support/browser";

const enabled = browserAvailable("chat e2e");
const dist = join(import.meta.dir, "../../dist");
const T = WAIT;
/** Hooks get explicit time limits: `bun test` alone gives them 5 s, too little on a loaded machine. */
const HOOK = 60_000;

interface Row {
  id: string | null;
  clientId: string | null;
  status: string | null;
  text: string;
}

/** The message rows of the open conversation, in DOM order. */
function rows(page: Page): Promise<Row[]> {
  return page.$$eval('[data-testid="message-list"] [data-testid="message"]', (els) =>
    els.map((el) => ({
      id: el.getAttribute("data-message-id"),
      clientId: el.getAttribute("data-client-id"),
      status: el.getAttribute("data-status"),
      text: el.querySelector('[data-testid="message-content"]')?.textContent ?? el.textContent ?? "",
    })),
  );
}

async function register(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/register`);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill("a very good password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText(`@${username}`).first().waitFor({ timeout: T });
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByTestId("composer");
  await box.fill(text);
  await box.press("Enter");
}

describe.skipIf(!enabled)("chat in Chromium", () => {
  let node: TestNode;
  let server: Server<unknown>;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    node = await startNode({ WS_RATE_PER_SECOND: "200", WS_BURST: "400" }, { staticDir: dist });
    server = node.listen();
    base = `http://127.0.0.1:${server.port}`;
    browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await node?.dispose();
  }, HOOK);

  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name) });

  async function user(name: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(`${name}: ${String(e)}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`${name}: ${m.text()}`));
    await register(page, base, name);
    return { ctx, page };
  }

  /** A user registered over the API, signed in to a fresh context by copying the session cookies. */
  async function apiUser(name: string, colorScheme: "light" | "dark" = "light") {
    const u = await registerUser(node, name);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    contexts.push(ctx);
    await ctx.addCookies(sessionCookies(u.jar));
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(`${name}: ${String(e)}`));
    return { ...u, ctx, page };
  }

  test("friends, a live DM, typing, seen, and catching up after going offline", async () => {
    const { page: a } = await user("alice");
    const { ctx: ctxB, page: b } = await user("bob");

    // Alice: a wrong username says so; then she finds Bob by search and adds him.
    await a.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Friends" }).click();
    await a.getByRole("tab", { name: "Add friend" }).click();
    await a.getByLabel("Username").fill("nobody_here");
    await a.getByRole("button", { name: "Send friend request" }).click();
    await a.getByText("No user with that name").waitFor({ timeout: T });
    await a.getByLabel("Search people by name").fill("bo");
    await a.locator('[data-testid="search-result"][data-username="bob"]').getByRole("button", { name: "Add bob" }).click();
    await a.locator('[data-testid="search-result"][data-username="bob"]').getByText("Request sent").waitFor({ timeout: T });

    // Bob sees the request arrive live (badge, Pending tab) and accepts it.
    await b.getByTestId("pending-badge").waitFor({ timeout: T });
    await b.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Friends/ }).click();
    await b.getByRole("tab", { name: /Pending/ }).click();
    const request = b.locator('[data-testid="incoming-request"][data-username="alice"]');
    await request.waitFor({ timeout: T });
    await shot(b, "chat-friends-pending-desktop.png");
    await request.getByRole("button", { name: "Accept alice" }).click();

    // Both see each other online.
    await b.getByRole("tab", { name: "Online" }).click();
    await b.locator('[data-testid="friend-row"][data-username="alice"] [data-presence="online"]').waitFor({ timeout: T });
    await a.getByRole("tab", { name: "Online" }).click();
    await a.locator('[data-testid="friend-row"][data-username="bob"] [data-presence="online"]').waitFor({ timeout: T });
    await shot(a, "chat-friends-desktop.png");

    // Alice opens the DM and writes; Bob sees it live in his sidebar and opens it.
    await a.locator('[data-testid="friend-row"][data-username="bob"]').getByRole("button", { name: "Message bob" }).click();
    await a.getByTestId("conversation").waitFor({ timeout: T });
    const conversationId = (await a.getByTestId("conversation").getAttribute("data-conversation-id"))!;
    expect(conversationId).toBeTruthy();
    await until("Alice's address to be the DM", () => expect(a.url()).toBe(`${base}/c/${conversationId}`));
    await send(a, "Hi Bob! 👋");
    const item = b.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);
    await item.getByTestId("unread-badge").waitFor({ timeout: T });
    await until("the unread count in Bob's title", async () => (await b.title()).startsWith("(1) "));
    await item.click();
    await b.getByTestId("message-content").filter({ hasText: "Hi Bob! 👋" }).waitFor({ timeout: T });
    await until("Bob's unread badge to clear", async () => (await item.getByTestId("unread-badge").count()) === 0);

    // "Seen" appears for Alice once Bob has the DM open.
    await a.getByTestId("seen").waitFor({ timeout: T });

    // Bob types: Alice sees it; he sends: Alice gets it and the indicator goes.
    await b.getByTestId("composer").pressSequentially("Hey Al", { delay: 30 });
    await a.getByTestId("typing").getByText("bob is typing…").waitFor({ timeout: T });
    await b.getByTestId("composer").pressSequentially("ice!", { delay: 30 });
    await b.getByTestId("composer").press("Enter");
    await a.getByTestId("message-content").filter({ hasText: "Hey Alice!" }).waitFor({ timeout: T });
    await until("the typing line to clear", async () => (await a.getByTestId("typing").textContent()) === "");
    await shot(a, "chat-dm-desktop.png");

    // Bob drops offline: he is told, Alice sends five, Bob writes one that must wait.
    await ctxB.setOffline(true);
    await b.getByTestId("reconnecting-banner").waitFor({ timeout: T });
    for (let i = 1; i <= 5; i++) await send(a, `while you were away ${i}`);
    await until("Alice's five to be acknowledged", async () => (await rows(a)).filter((r) => r.text.startsWith("while you were away") && r.status === "sent").length === 5);
    await send(b, "typed while offline");
    await b.locator('[data-testid="message"][data-status="pending"]').getByText("typed while offline").waitFor({ timeout: T });
    await shot(b, "chat-reconnecting-desktop.png");
    expect((await rows(b)).some((r) => r.text.startsWith("while you were away"))).toBe(false);

    // Back online: Bob has all five, in order, none twice; his message went out once.
    await ctxB.setOffline(false);
    await until("Bob to catch up", async () => (await rows(b)).filter((r) => r.text.startsWith("while you were away")).length === 5);
    await until("Bob's offline message to be sent", async () => (await rows(b)).some((r) => r.text === "typed while offline" && r.status === "sent"));
    await b.getByTestId("reconnecting-banner").waitFor({ state: "detached", timeout: T });
    const bRows = await rows(b);
    const ids = bRows.map((r) => r.id);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(bRows.filter((r) => r.text.startsWith("while you were away")).map((r) => r.text)).toEqual([1, 2, 3, 4, 5].map((i) => `while you were away ${i}`));
    // Both sides come to hold the same conversation (Alice gets Bob's message live)…
    await until("Alice to hold the same conversation as Bob", async () => expect((await rows(a)).map((r) => r.id)).toEqual(ids));
    await Bun.sleep(500); // …and a duplicate would arrive right behind the first
    const aRows = await rows(a);
    expect(aRows.filter((r) => r.text === "typed while offline")).toHaveLength(1);
    expect(new Set(aRows.map((r) => r.id)).size).toBe(aRows.length);
    expect(aRows.map((r) => r.id)).toEqual(ids);

    // A reload shows the same history from the server.
    await b.reload();
    await until("Bob's history after a reload", async () => (await rows(b)).map((r) => r.id).join() === ids.join());

    // Phone width: the conversation still works and nothing overflows sideways.
    await a.setViewportSize({ width: 375, height: 812 });
    // The shell switches layouts on a media-query event: measure only once the phone layout is in.
    await a.getByRole("button", { name: "Open navigation" }).waitFor({ timeout: T });
    await a.getByTestId("composer").waitFor();
    await send(a, "from my phone");
    await b.getByTestId("message-content").filter({ hasText: "from my phone" }).waitFor({ timeout: T });
    await shot(a, "chat-dm-mobile.png");
    expect(await horizontalOverflow(a)).toBeLessThanOrEqual(0);
    await a.goto(`${base}/friends`);
    await a.getByRole("button", { name: "Open navigation" }).waitFor({ timeout: T });
    await a.locator('[data-testid="friend-row"][data-username="bob"]').waitFor({ timeout: T });
    await shot(a, "chat-friends-mobile.png");
    expect(await horizontalOverflow(a)).toBeLessThanOrEqual(0);

    expect(errors.filter((e) => !/401|Failed to load resource|ERR_INTERNET_DISCONNECTED|WebSocket/.test(e))).toEqual([]);
  }, 120_000);

  test("a send the server refuses shows Not sent with Retry; Retry sends it once, same clientId", async () => {
    const carol = await apiUser("carol");
    const dave = await apiUser("dave");
    const conversationId = await befriend(node, carol, dave);
    // Carol's socket goes through a proxy that refuses the first send of one message.
    let refused = 0;
    await carol.page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((raw) => {
        const f = JSON.parse(String(raw));
        if (f.type === "message:send" && f.content === "refused once" && refused++ === 0) {
          ws.send(JSON.stringify({ replyTo: f.id, ok: false, error: { code: "FORBIDDEN", message: "Not allowed right now" } }));
          return;
        }
        server.send(raw);
      });
    });
    await carol.page.goto(`${base}/c/${conversationId}`);
    await dave.page.goto(`${base}/c/${conversationId}`);
    await carol.page.getByTestId("composer").waitFor({ timeout: T });
    await dave.page.getByTestId("composer").waitFor({ timeout: T });

    await send(carol.page, "refused once");
    const failed = carol.page.locator('[data-testid="message"][data-status="failed"]');
    await failed.getByText("Not sent: Not allowed right now").waitFor({ timeout: T });
    const clientId = await failed.getAttribute("data-client-id");
    await shot(carol.page, "chat-failed-desktop.png");
    await failed.getByRole("button", { name: "Retry" }).click();
    await until("the retried message to be sent", async () => (await rows(carol.page)).some((r) => r.text === "refused once" && r.status === "sent"));
    const sent = (await rows(carol.page)).filter((r) => r.text === "refused once");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.clientId).toBe(clientId);
    await dave.page.getByTestId("message-content").filter({ hasText: "refused once" }).waitFor({ timeout: T });
    // A duplicate would reach Dave before anything Carol sends later: once her next message is
    // there, whatever "refused once" produced is there too.
    await send(carol.page, "after the retry");
    await dave.page.getByTestId("message-content").filter({ hasText: "after the retry" }).waitFor({ timeout: T });
    expect((await rows(dave.page)).filter((r) => r.text === "refused once")).toHaveLength(1);
    expect(refused).toBe(2);
  }, 90_000);

  test("scrolling up pages in older history, in order, none twice", async () => {
    const erin = await apiUser("erin_h");
    const finn = await apiUser("finn_h", "dark");
    const conversationId = await befriend(node, erin, finn);
    const total = 130;
    for (let i = 0; i < total; i++) {
      const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: `h-${i}`, content: `history ${i}` } }, i % 3 ? erin.jar : finn.jar);
      expect(res.status).toBe(201);
    }
    const page = finn.page;
    await page.goto(`${base}/c/${conversationId}`);
    await until("the newest page", async () => (await rows(page)).length >= 50);
    // The newest message is in view at the bottom.
    await page.getByTestId("message-content").filter({ hasText: `history ${total - 1}` }).waitFor({ state: "visible", timeout: T });
    expect((await rows(page)).length).toBeLessThan(total);
    const list = page.getByTestId("message-list");
    await until(
      "all history to load",
      async () => {
        await list.evaluate((el) => el.scrollTo({ top: 0 }));
        return (await page.getByText("This is the beginning of your direct message history").count()) > 0;
      },
      30_000,
    );
    const expected = Array.from({ length: total }, (_, i) => `history ${i}`);
    // The marker says the last page was fetched; read the rows until they hold it all.
    await until("every message in the list", async () => expect((await rows(page)).map((r) => r.text)).toEqual(expected));
    await shot(page, "chat-history-dark-desktop.png");
    const all = await rows(page);
    expect(all.map((r) => r.text)).toEqual(expected);
    expect(new Set(all.map((r) => r.id)).size).toBe(total);
    expect(all.map((r) => r.id)).toEqual(all.map((r) => r.id!).sort());
    // The unread count went to zero once Finn looked (his sidebar lists the DM, so its badge would be there).
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);
    await item.waitFor({ timeout: T });
    await until("Finn's unread badge to clear", async () => (await item.getByTestId("unread-badge").count()) === 0 && (await page.getByTestId("unread-badge").count()) === 0);
  }, 90_000);
});
