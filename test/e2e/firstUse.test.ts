/**
 * What a new user meets first, in Chromium against a node with PUBLIC_URL unset, opened at
 * 127.0.0.1: the username field's limit, the Log in button through a failed sign-in, invite links that point where the user is, the
 * voice channel joined with one click, and emoji drawn in colour.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { registerUser } from "../support/parley";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("first use e2e");
const T = WAIT;

describe.skipIf(!enabled)("first use in Chromium", () => {
  const stage = browserStage();

  const shot = async (page: Page, name: string) => {
    await settled(page);
    await page.screenshot({ path: artifactPath(name) });
  };

  test("the username field shows its limit and refuses a longer name with its inline message", async () => {
    const page = await stage.page(await stage.context(), "visitor");
    await page.goto(`${stage.base}/register`);
    const field = page.getByLabel("Username");
    const counter = page.getByTestId("register-form").getByTestId("field-counter");
    await counter.getByText("0/32").waitFor({ timeout: T });
    const long = "a_name_that_is_much_too_long_for_us";
    await field.fill(long);
    // Nothing is cut: the field keeps all 35 characters and says why they cannot be used.
    expect(await field.inputValue()).toBe(long);
    await counter.getByText("35/32").waitFor({ timeout: T });
    await page.getByText("At most 32 characters").waitFor({ timeout: T });
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Email").fill("longname@example.com");
    await page.getByLabel("Password", { exact: true }).fill("a very good password");
    await page.getByRole("button", { name: "Create account" }).click();
    await shot(page, "first-use-username-too-long.png");
    // Still on the form, focus on the field to fix.
    expect(new URL(page.url()).pathname).toBe("/register");
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe("username");
    await field.fill("a_name_that_fits");
    await counter.getByText("16/32").waitFor({ timeout: T });
    expect(await page.getByText("At most 32 characters").count()).toBe(0);
  }, 120_000);

  test("the Log in button keeps its colour while a sign-in is pending and after it failed, and the next try signs in", async () => {
    const u = await registerUser(stage.node);
    const page = await stage.page(await stage.context(), "returning");
    await page.goto(`${stage.base}/login`);
    const button = page.getByRole("button", { name: "Log in" });
    const look = () => button.evaluate((b) => ({ background: getComputedStyle(b).backgroundColor, disabled: (b as HTMLButtonElement).disabled }));
    await page.mouse.move(0, 0);
    const idle = await look();
    await page.getByLabel("Email or username").fill(u.user.username);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    // Held back, so the pending look can be read.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/api/auth/login", async (route) => {
      await held;
      await route.continue();
    });
    await button.click();
    await page.mouse.move(0, 0);
    await until("the sign-in pending", async () => expect(await button.getAttribute("aria-busy")).toBe("true"));
    // Its spinner runs on, so no settling: the colour must get there (past the transition) and stay.
    await until("the pending button in its usual colour", async () => expect(await look()).toEqual({ background: idle.background, disabled: true }), 3000);
    await Bun.sleep(300);
    expect(await look()).toEqual({ background: idle.background, disabled: true });
    release();
    await page.getByText("That email/username and password don't match").waitFor({ timeout: T });
    await settled(page);
    expect(await look()).toEqual(idle);
    await shot(page, "first-use-failed-login.png");
    await page.unroute("**/api/auth/login");
    await page.getByLabel("Password", { exact: true }).fill(u.password);
    await button.click();
    await page.waitForURL((url) => url.pathname !== "/login", { timeout: T });
  }, 120_000);

  test("with PUBLIC_URL unset, an invite link points at the address the user opened Parley at", async () => {
    expect(stage.node.config.publicUrlSet).toBe(false);
    const { page } = await stage.signedIn("linker_fu");
    await page.goto(`${stage.base}/`);
    await page.getByRole("button", { name: "Create a space" }).click();
    await page.getByLabel("Space name").fill("Lan Party");
    await page.getByRole("button", { name: "Create space" }).click();
    await until("the new space's #general", async () => (await page.getByTestId("channel-title").textContent()) === "general");
    await page.getByTestId("space-menu-button").click();
    await page.getByRole("menuitem", { name: "Invite people" }).click();
    const field = page.getByTestId("invite-link");
    await until("an invite link", async () => (await field.inputValue()).includes("/invite/"));
    expect(await field.inputValue()).toStartWith(`${stage.base}/invite/`);
    await page.keyboard.press("Escape");

    // A click on the voice channel joins its call at once; she is listed in it until she leaves.
    const voice = page.getByTestId("voice-channel-item");
    await voice.click({ force: true });
    const hangUp = page.getByRole("button", { name: "Hang up", exact: true });
    await hangUp.waitFor({ timeout: T });
    await page.getByTestId("voice-member").first().waitFor({ state: "attached", timeout: T });
    await shot(page, "first-use-voice-joined.png");
    await hangUp.click();
    await page.getByTestId("voice-member").first().waitFor({ state: "detached", timeout: T });
  }, 120_000);

  test("emoji in a DM are drawn in colour", async () => {
    const alice = await stage.signedIn("alice_fu");
    const bob = await stage.signedIn("bob_fu");
    const dm = await befriend(stage.node, alice, bob);
    const page = alice.page;
    await page.goto(`${stage.base}/c/${dm}`);
    await page.getByTestId("composer").fill("Party tonight 🎉🍕😀❤️👍");
    await page.getByTestId("composer").press("Enter");
    const sent = page.locator('[data-testid="message"][data-status="sent"]').getByText("Party tonight");
    await sent.waitFor({ timeout: T });
    await shot(page, "first-use-dm-emoji.png");
    // Count saturated pixels in the message: a monochrome or missing-glyph font draws none.
    const box = (await sent.boundingBox())!;
    const png = await page.screenshot({ clip: box });
    const colourful = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = new OffscreenCanvas(img.width, img.height);
      const g = c.getContext("2d")!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, img.width, img.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, gr, bl] = [d[i]!, d[i + 1]!, d[i + 2]!];
        if (Math.max(r, gr, bl) - Math.min(r, gr, bl) > 80) n++;
      }
      return n;
    }, png.toString("base64"));
    expect(colourful).toBeGreaterThan(50);
  }, 120_000);
});
