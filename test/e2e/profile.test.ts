/**
 * Profile and settings in Chromium, driven by the keyboard where a user would: edit the
 * display name, upload and remove an avatar (served by the app itself), switch the theme,
 * and see this device marked on the sessions page.
 */
import { describe, expect, test } from "bun:test";
import { WAIT, artifactPath, browserAvailable, until } from "../support/browser";
import { browserStage } from "../support/stage";
import { befriend } from "../support/social";

const enabled = browserAvailable("profile e2e");
/** A 2×2 PNG, opaque purple. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGOsaGhgYGBgYmBgYGBgAAAO0gE1JqQyOwAAAABJRU5ErkJggg==", "base64");

describe.skipIf(!enabled)("profile and settings in Chromium", () => {
  const stage = browserStage();

  test("edit the name, upload and remove an avatar, switch theme, and find this device among sessions", async () => {
    const u = await stage.signedIn("pia", { colorScheme: "light" });
    const { page } = u;
    // A friend watches the DM list: the new name and avatar reach it live.
    const friend = await stage.signedIn("quinn");
    await befriend(stage.node, u, friend);
    await friend.page.goto(`${stage.base}/messages`);
    await friend.page.locator('[data-testid="conversation-item"]').getByText("pia", { exact: true }).first().waitFor({ timeout: WAIT });
    await page.goto(`${stage.base}/`);

    // Open the menu from the keyboard and choose Edit profile.
    const trigger = page.getByRole("button", { name: "User menu" }).first();
    await trigger.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Edit profile" }).waitFor({ timeout: WAIT });
    await page.getByRole("menuitem", { name: "Edit profile" }).press("Enter");
    const dialog = page.getByRole("dialog", { name: "Edit profile" });
    await dialog.waitFor({ timeout: WAIT });

    // A file that is not an image is refused with a clear message.
    await dialog.getByTestId("avatar-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just text, honestly") });
    await dialog.getByText("isn't an image we can use").waitFor({ timeout: WAIT });

    await dialog.getByTestId("avatar-input").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
    const img = dialog.locator(`img[src^="/api/users/${u.user.id}/avatar/"]`);
    await img.waitFor({ timeout: WAIT });
    await until("the avatar to render", () => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth === 2));
    await dialog.getByLabel("Display name").fill("Pia Sørensen");
    await page.screenshot({ path: artifactPath("profile-dialog-desktop.png") });
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "hidden", timeout: WAIT });
    await page.getByText("Pia Sørensen").first().waitFor({ timeout: WAIT });
    const seen = friend.page.locator('[data-testid="conversation-item"]');
    await seen.getByText("Pia Sørensen").first().waitFor({ timeout: WAIT });
    await seen.locator(`img[src^="/api/users/${u.user.id}/avatar/"]`).first().waitFor({ timeout: WAIT });
    // The sidebar shows the uploaded avatar too, and it survives a reload.
    await page.reload();
    await page.locator(`img[src^="/api/users/${u.user.id}/avatar/"]`).first().waitFor({ timeout: WAIT });

    // Remove it again: initials come back.
    await trigger.click();
    await page.getByRole("menuitem", { name: "Edit profile" }).click();
    await dialog.getByRole("button", { name: "Remove" }).click();
    await until("the avatar to be gone", async () => (await page.locator(`img[src^="/api/users/"]`).count()) === 0);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden", timeout: WAIT });
    const me = (await (await stage.node.req("/api/users/me", {}, u.jar)).json()) as { user: { avatarUrl: string | null; displayName: string } };
    expect(me.user).toMatchObject({ avatarUrl: null, displayName: "Pia Sørensen" });

    // Theme: dark from the menu, and it sticks across a reload.
    await trigger.click();
    await page.getByRole("menuitemradio", { name: /Dark/ }).click();
    await until("the dark theme", () => page.evaluate(() => document.documentElement.classList.contains("dark")));
    await page.reload();
    await until("the dark theme after reload", () => page.evaluate(() => document.documentElement.classList.contains("dark")));

    // Sessions: this device is marked.
    await trigger.click();
    await page.getByRole("menuitem", { name: "Sessions" }).click();
    await page.locator('[data-testid="session-row"][data-current]').getByText("This device").waitFor({ timeout: WAIT });
    await page.screenshot({ path: artifactPath("sessions-dark-desktop.png") });
    expect(stage.errors.filter((e) => !/Failed to load resource.*(415|400)/.test(e))).toEqual([]);
  });
});
