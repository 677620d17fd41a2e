/**
 * Where the reader left off, in Chromium: opening a conversation with unread messages puts a
 * "New messages" divider above the first of them (after the read mark, not before), and when
 * that is far back — 120 messages, beyond the first page — a bar jumps there, paging older
 * history in until the divider is on screen.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";
import { json } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, sessionCookies, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("unread e2e");

describe.skipIf(!enabled)("new messages divider in Chromium", () => {
  // 120 sends in a row: a budget that lets them through.
  const stage = browserStage({ WRITE_BURST: "500", WRITE_RATE_PER_SECOND: "100" });

  type User = Awaited<ReturnType<typeof registerUser>>;

  async function setup(a: string, b: string) {
    const reader = await registerUser(stage.node, a);
    const writer = await registerUser(stage.node, b);
    const dm = await befriend(stage.node, reader, writer);
    const send = async (who: User, content: string) =>
      (await json(await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content } }, who.jar))).message as { id: string };
    const read = async (messageId: string) => {
      const res = await stage.node.req(`/api/conversations/${dm}/read`, { method: "POST", json: { messageId } }, reader.jar);
      expect(res.status).toBe(204);
    };
    return { reader, dm, send: (content: string) => send(writer, content), reply: (content: string) => send(reader, content), read };
  }

  async function open(who: User, dm: string, name: string): Promise<Page> {
    const ctx = await stage.context({ viewport: { width: 1280, height: 720 } });
    await ctx.addCookies(sessionCookies(who.jar));
    const page = await stage.page(ctx, name);
    await page.goto(`${stage.base}/c/${dm}`);
    await page.getByTestId("message").first().waitFor({ timeout: WAIT });
    return page;
  }

  /** The text of the message right after the divider. */
  const afterDivider = (page: Page) =>
    page.evaluate(() => {
      const d = document.querySelector('[data-testid="unread-divider"]');
      return d?.nextElementSibling?.querySelector('[data-testid="message-content"]')?.textContent ?? null;
    });

  test("the divider sits above the first message after the read mark, with no jump bar when it is on screen", async () => {
    const { reader, dm, send, reply, read } = await setup("uma", "ugo");
    await reply("Morning");
    const old = await send("Already seen");
    await read(old.id);
    await send("First new one");
    await send("Second new one");
    await send("Third new one");

    const page = await open(reader, dm, "uma");
    await page.getByTestId("unread-divider").waitFor({ timeout: WAIT });
    expect(await afterDivider(page)).toBe("First new one");
    expect(await page.getByTestId("unread-divider").count()).toBe(1);
    expect(await page.getByTestId("jump-to-unread").count()).toBe(0);

    // Read while looking: the mark moves on, the divider stays where it was for this visit.
    await until("the conversation read", async () => {
      const { conversation } = await json(await stage.node.req(`/api/conversations/${dm}`, {}, reader.jar));
      expect(conversation.unreadCount).toBe(0);
    });
    expect(await afterDivider(page)).toBe("First new one");
    await settled(page);
    await page.screenshot({ path: artifactPath("unread-divider-desktop.png") });

    // Opened again with nothing unread: no divider.
    await page.reload();
    await page.getByTestId("message").first().waitFor({ timeout: WAIT });
    await page.getByTestId("message-content").filter({ hasText: "Third new one" }).waitFor({ timeout: WAIT });
    expect(await page.getByTestId("unread-divider").count()).toBe(0);
    expect(stage.errors).toEqual([]);
  }, 120_000);

  test("120 unread messages back: the bar pages older history in and brings the divider into view", async () => {
    const { reader, dm, send, reply } = await setup("vic", "val");
    await reply("See you later");
    for (let i = 0; i < 120; i++) await send(`news ${i}`);

    const page = await open(reader, dm, "vic");
    const bar = page.getByTestId("jump-to-unread");
    await bar.waitFor({ timeout: WAIT });
    expect(await bar.textContent()).toContain("120 new messages");
    expect(await page.getByTestId("unread-divider").count()).toBe(0);
    await settled(page);
    await page.screenshot({ path: artifactPath("unread-jump-bar-desktop.png") });

    await bar.getByRole("button", { name: /jump to first unread/i }).click();
    await page.getByTestId("unread-divider").waitFor({ timeout: WAIT });
    expect(await afterDivider(page)).toBe("news 0");
    await until("the divider on screen and the bar gone", async () => {
      expect(await page.getByTestId("unread-divider").isVisible()).toBe(true);
      const inView = await page.evaluate(() => {
        const d = document.querySelector('[data-testid="unread-divider"]')!.getBoundingClientRect();
        const list = document.querySelector('[data-testid="message-list"]')!.getBoundingClientRect();
        return d.top >= list.top && d.bottom <= list.bottom;
      });
      expect(inView).toBe(true);
      expect(await bar.count()).toBe(0);
    });
    await page.screenshot({ path: artifactPath("unread-jumped-desktop.png") });
    expect(stage.errors).toEqual([]);
  }, 120_000);
});
