/**
 * Rich messages in Chromium, two users in a DM: markdown drawn (code with colours, spoiler,
 * safe links only, no injected element or script), a reaction picked in the emoji picker
 * shows live on the other side with its count and who reacted, a click on the chip joins it,
 * an edit shows live with "(edited)", a delete leaves "Message deleted".
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { instrument, recorded, setHidden } from "../support/alerts";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";
import { json } from "../support/spaces";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("rich messages e2e");

const RICH = [
  "**Release** is _almost_ ready ~~tomorrow~~ today, see `build.ts` :tada:",
  "```ts",
  "const answer: number = 42; // the answer",
  "export function greet(name: string) { return `hi ${name}`; }",
  "```",
  "> quoted wisdom",
  "- first",
  "- second",
  "",
  "||the butler did it|| · [docs](https://example.com/docs) · [bad](javascript:window.__xss=1)",
].join("\n");

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByTestId("composer");
  await box.fill(text);
  await box.press("Enter");
}

const row = (page: Page, text: string) => page.locator('[data-testid="message-list"] [data-testid="message"]', { hasText: text }).last();

describe.skipIf(!enabled)("rich messages in Chromium", () => {
  const stage = browserStage();

  test("markdown renders safely, reactions and edits show live on the other side", async () => {
    const alice = await stage.signedIn("alice_rich");
    const bob = await stage.signedIn("bob_rich");
    const dm = await befriend(stage.node, alice, bob);
    await Promise.all([alice.page.goto(`${stage.base}/c/${dm}`), bob.page.goto(`${stage.base}/c/${dm}`)]);
    await Promise.all([alice.page.getByTestId("composer").waitFor({ timeout: WAIT }), bob.page.getByTestId("composer").waitFor({ timeout: WAIT })]);

    await send(alice.page, RICH);
    await send(alice.page, "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>");
    await send(alice.page, "🎉🚀");

    const rich = row(bob.page, "Release");
    await rich.waitFor({ timeout: WAIT });
    expect(await rich.locator("strong").first().textContent()).toBe("Release");
    expect(await rich.locator("em").first().textContent()).toBe("almost");
    expect(await rich.locator("s").first().textContent()).toBe("tomorrow");
    await until("the :tada: shortcode drawn as the emoji", async () => expect(await rich.locator("p").first().textContent()).toContain("today, see build.ts 🎉"));
    const code = rich.getByTestId("code-block");
    expect(await code.getAttribute("data-lang")).toBe("ts");
    await until("the code coloured", async () => expect(await code.locator(".hljs-keyword").count()).toBeGreaterThan(0));
    expect(await rich.locator("blockquote").textContent()).toBe("quoted wisdom");
    expect(await rich.locator("ul > li").allTextContents()).toEqual(["first", "second"]);
    const links = await rich.locator("a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.getAttribute("rel"), a.getAttribute("target")]));
    expect(links).toEqual([["https://example.com/docs", "noopener noreferrer", "_blank"]]);
    expect(await rich.textContent()).toContain("[bad](javascript:window.__xss=1)");

    const spoiler = rich.getByTestId("spoiler");
    expect(await spoiler.getAttribute("data-revealed")).toBeNull();
    await spoiler.click();
    expect(await spoiler.getAttribute("data-revealed")).toBe("true");

    const hostile = row(bob.page, "onerror");
    await hostile.waitFor({ timeout: WAIT });
    expect(await hostile.locator("img, script").count()).toBe(0);
    expect(await bob.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await row(bob.page, "🎉🚀").getByTestId("jumbo-emoji").waitFor({ timeout: WAIT });

    // Bob reacts through the picker; Alice sees the chip live, with who reacted.
    await rich.hover();
    await rich.getByTestId("add-reaction").click();
    const picker = bob.page.getByTestId("emoji-picker");
    await picker.locator("[data-cell]").first().waitFor({ timeout: WAIT });
    await settled(bob.page);
    await bob.page.screenshot({ path: artifactPath("rich-picker.png") });
    await picker.getByTestId("emoji-search").fill("party popper");
    await picker.locator('[data-emoji-id="tada"]').waitFor({ timeout: WAIT });
    await bob.page.screenshot({ path: artifactPath("rich-picker-search.png") });
    await picker.getByTestId("emoji-search").press("Enter");
    await picker.waitFor({ state: "detached", timeout: WAIT });

    const aliceRich = row(alice.page, "Release");
    const chip = aliceRich.locator('[data-testid="reaction"][data-emoji="🎉"]');
    await chip.waitFor({ timeout: WAIT });
    expect(await chip.getByTestId("reaction-count").textContent()).toBe("1");
    expect(await chip.getAttribute("aria-pressed")).toBe("false");
    await chip.hover();
    const tip = chip.getByTestId("reaction-tooltip");
    await until("the tooltip shown", async () => expect(await tip.isVisible()).toBe(true));
    expect(await tip.textContent()).toContain("bob_rich reacted with :tada:");
    await alice.page.screenshot({ path: artifactPath("rich-reaction-tooltip.png") });

    // Alice joins it with a click: Bob's count goes to 2 live.
    await chip.click();
    const bobChip = rich.locator('[data-testid="reaction"][data-emoji="🎉"]');
    await until("bob sees two", async () => expect(await bobChip.getByTestId("reaction-count").textContent()).toBe("2"));
    expect(await bobChip.getAttribute("aria-pressed")).toBe("true");

    // Alice edits; Bob sees the new text with "(edited)".
    const plain = "see you at noon";
    await send(alice.page, plain);
    const sent = row(alice.page, plain);
    await sent.waitFor({ timeout: WAIT });
    await until("sent", async () => expect(await sent.getAttribute("data-status")).toBe("sent"));
    const mine = alice.page.locator(`[data-testid="message"][data-message-id="${await sent.getAttribute("data-message-id")}"]`);
    await mine.hover();
    await mine.getByTestId("edit-message").click();
    const box = mine.getByTestId("edit-box");
    await box.fill("see you at **one** instead");
    await box.press("Enter");
    const edited = row(bob.page, "instead");
    await edited.getByTestId("edited").waitFor({ timeout: WAIT });
    expect(await edited.locator("strong").textContent()).toBe("one");
    expect(await edited.getByTestId("edited").getAttribute("title")).toMatch(/^Edited /);
    await settled(bob.page);
    await bob.page.screenshot({ path: artifactPath("rich-conversation-light.png") });
    await bob.page.emulateMedia({ colorScheme: "dark" });
    await settled(bob.page);
    await bob.page.screenshot({ path: artifactPath("rich-conversation-dark.png") });

    // And deletes it: Bob keeps the place, marked deleted.
    await mine.hover();
    await mine.getByTestId("delete-message").click();
    await alice.page.getByRole("button", { name: "Delete", exact: true }).click();
    await row(bob.page, "Message deleted").getByTestId("deleted-placeholder").waitFor({ timeout: WAIT });
    expect(stage.errors).toEqual([]);
  }, 180_000);

  test("@ suggests the group's members; a mention is highlighted for the one named and alerts them in a muted group", async () => {
    const cleo = await stage.signedIn("cleo_rich");
    const dan = await stage.signedIn("dan_rich");
    const eli = await registerUser(stage.node, "eli_rich");
    // A friend of Cleo's outside the group is never offered.
    const fay = await registerUser(stage.node, "fay_rich");
    await befriend(stage.node, cleo, dan);
    await befriend(stage.node, cleo, eli);
    await befriend(stage.node, cleo, fay);
    const { conversation: group } = await json(await stage.node.req("/api/conversations", { method: "POST", json: { memberIds: [dan.user.id, eli.user.id], name: "trio" } }, cleo.jar));
    expect((await stage.node.req(`/api/conversations/${group.id}/notify-level`, { method: "PUT", json: { level: "mentions" } }, dan.jar)).status).toBe(204);
    await dan.ctx.grantPermissions(["notifications"], { origin: stage.base });
    await dan.ctx.addInitScript(instrument);
    await dan.page.goto(`${stage.base}/friends`);
    await dan.page.mouse.click(640, 400); // a user's gesture lets audio start
    await setHidden(dan.page, true);

    await cleo.page.goto(`${stage.base}/c/${group.id}`);
    const box = cleo.page.getByTestId("composer");
    await box.waitFor({ timeout: WAIT });
    await box.pressSequentially("ping @");
    const list = cleo.page.getByTestId("mention-suggestions");
    await list.waitFor({ timeout: WAIT });
    expect(await list.locator("[role=option]").evaluateAll((os) => os.map((o) => o.getAttribute("data-username")))).toEqual(["dan_rich", "eli_rich"]);
    await box.pressSequentially("d");
    await until("one left", async () => expect(await list.locator("[role=option]").count()).toBe(1));
    await settled(cleo.page);
    await cleo.page.screenshot({ path: artifactPath("rich-mention-suggest.png") });
    await box.press("Enter");
    expect(await box.inputValue()).toBe("ping @dan_rich ");
    await box.pressSequentially("look");
    await box.press("Enter");

    await until("the mention notifies Dan through the mute", async () => expect((await recorded(dan.page)).notes).toEqual([{ title: "cleo_rich in trio", body: "ping @dan_rich look", tag: group.id }]));
    await setHidden(dan.page, false);
    await dan.page.goto(`${stage.base}/c/${group.id}`);
    const toDan = dan.page.locator('[data-testid="message"][data-mentions-me="true"]');
    await toDan.waitFor({ timeout: WAIT });
    expect(await toDan.getByTestId("mention").getAttribute("data-me")).toBe("true");
    const cleoSees = cleo.page.locator('[data-testid="message"]', { hasText: "ping @dan_rich" });
    await cleoSees.getByTestId("mention").waitFor({ timeout: WAIT });
    expect(await cleoSees.getAttribute("data-mentions-me")).toBeNull();

    // A plain message in the muted group stays quiet.
    await setHidden(dan.page, true);
    const before = (await recorded(dan.page)).notes.length;
    await box.fill("no names here");
    await box.press("Enter");
    await dan.page.locator('[data-testid="message"]', { hasText: "no names here" }).waitFor({ state: "attached", timeout: WAIT });
    await Bun.sleep(500);
    expect((await recorded(dan.page)).notes.length).toBe(before);
    expect(stage.errors).toEqual([]);
  }, 180_000);
});
