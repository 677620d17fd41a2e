/**
 * The emoji picker's skin tones and recents in Chromium: a tone chosen in the picker is the
 * tone of the reaction that goes out (the other user sees that emoji), the emoji picked come
 * back first in a "Frequently used" row, newest first, and both the tone and the recents are
 * still there after a reload.
 */
import { describe, expect, test } from "bun:test";
import type { Locator, Page } from "playwright-core";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { befriend } from "../support/social";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("emoji picker e2e");

const message = (page: Page, text: string) => page.locator('[data-testid="message-list"] [data-testid="message"]', { hasText: text }).last();

async function openPicker(page: Page, row: Locator): Promise<Locator> {
  await row.hover();
  await row.getByTestId("add-reaction").first().click(); // the hover toolbar's (the chips row has one too)
  const picker = page.getByTestId("emoji-picker");
  await picker.locator("[data-cell]").first().waitFor({ timeout: WAIT });
  return picker;
}

/** Searches and clicks the emoji with this id (the click, not Enter, so the cell itself is tested). */
async function pick(picker: Locator, query: string, id: string): Promise<void> {
  await picker.getByTestId("emoji-search").fill(query);
  await picker.locator(`[data-emoji-id="${id}"]`).first().click();
  await picker.waitFor({ state: "detached", timeout: WAIT });
}

const recents = (picker: Locator) => picker.locator('section[aria-label="Frequently used"] [data-emoji-id]');

describe.skipIf(!enabled)("the emoji picker in Chromium", () => {
  const stage = browserStage();

  test("a chosen skin tone is the reaction sent, and picked emoji come back first as recents after a reload", async () => {
    const ana = await stage.signedIn("ana_emoji");
    const ben = await stage.signedIn("ben_emoji");
    const dm = await befriend(stage.node, ana, ben);
    const url = `${stage.base}/c/${dm}`;
    await Promise.all([ana.page.goto(url), ben.page.goto(url)]);
    const box = ben.page.getByTestId("composer");
    await box.waitFor({ timeout: WAIT });
    await box.fill("tone test");
    await box.press("Enter");
    const row = message(ana.page, "tone test");
    await row.waitFor({ timeout: WAIT });

    // A first-time picker has no recents and the default tone.
    let picker = await openPicker(ana.page, row);
    expect(await picker.locator('section[aria-label="Frequently used"]').count()).toBe(0);
    expect(await picker.getByTestId("skin-tone").textContent()).toBe("✋");
    await picker.getByTestId("skin-tone").click();
    await picker.getByRole("radio", { name: "Tone 3" }).click();
    expect(await picker.getByTestId("skin-tone").textContent()).toBe("✋🏽");
    await picker.getByTestId("emoji-search").fill("thumbs up");
    const thumbs = picker.locator('[data-emoji-id="+1"]').first();
    expect(await thumbs.textContent()).toBe("👍🏽");
    await settled(ana.page);
    await ana.page.screenshot({ path: artifactPath("emoji-picker-tone.png") });
    await thumbs.click();
    await picker.waitFor({ state: "detached", timeout: WAIT });

    // The toned emoji is the reaction: on Ana's message row and live on Ben's.
    await row.locator('[data-testid="reaction"][data-emoji="👍🏽"]').waitFor({ timeout: WAIT });
    const bens = message(ben.page, "tone test").locator('[data-testid="reaction"][data-emoji="👍🏽"]');
    await bens.waitFor({ timeout: WAIT });
    expect(await bens.getByTestId("reaction-count").textContent()).toBe("1");
    expect(await message(ben.page, "tone test").locator('[data-testid="reaction"][data-emoji="👍"]').count()).toBe(0);

    // Recents: the thumbs in its tone first; an emoji without tones picked next goes before it.
    picker = await openPicker(ana.page, row);
    expect(await recents(picker).evaluateAll((cells) => cells.map((c) => [c.getAttribute("data-emoji-id"), c.textContent]))).toEqual([["+1", "👍🏽"]]);
    await pick(picker, "party popper", "tada");
    await row.locator('[data-testid="reaction"][data-emoji="🎉"]').waitFor({ timeout: WAIT });

    await ana.page.reload();
    await row.waitFor({ timeout: WAIT });
    picker = await openPicker(ana.page, row);
    await until("recents after the reload", async () =>
      expect(await recents(picker).evaluateAll((cells) => cells.map((c) => [c.getAttribute("data-emoji-id"), c.textContent]))).toEqual([
        ["tada", "🎉"],
        ["+1", "👍🏽"],
      ]),
    );
    expect(await picker.getByTestId("skin-tone").textContent()).toBe("✋🏽");
    // The recents row comes first in the grid.
    expect(await picker.locator('[data-cell="0"]').getAttribute("data-emoji-id")).toBe("tada");
    await settled(ana.page);
    await ana.page.screenshot({ path: artifactPath("emoji-picker-recents.png") });
    await ana.page.emulateMedia({ colorScheme: "dark" });
    await settled(ana.page);
    await ana.page.screenshot({ path: artifactPath("emoji-picker-recents-dark.png") });

    // Picking a recent one already reacted with keeps it (the chip is the place to take it back).
    await recents(picker).nth(1).click();
    await picker.waitFor({ state: "detached", timeout: WAIT });
    await Bun.sleep(300);
    expect(await row.locator('[data-testid="reaction"][data-emoji="👍🏽"] [data-testid="reaction-count"]').textContent()).toBe("1");
    expect(stage.errors).toEqual([]);
  }, 180_000);
});
