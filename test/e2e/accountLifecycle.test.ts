/**
 * The Account page in Chromium (the data export has its own suite, accountExport): deletion is
 * scheduled with the password, which signs the user out, and signing in during the grace period
 * shows the choice, where keeping the account cancels it. Left on that choice until the account
 * is erased, the page lands on sign-in, where the password no longer works, and the refresh
 * token it had is refused.
 * Once a deletion is carried out, a DM with that account turns read-only on the other side's
 * open page at once, and stays so after a reload; the account shows only as "Deleted user",
 * never by its placeholder username, and without a presence dot.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { KyselyStore } from "../../src/server/store/store";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { CookieJar } from "../support/parley";
import { befriend } from "../support/social";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("account lifecycle e2e");

/** Light, then dark. */
async function shots(page: Page, name: string) {
  await page.screenshot({ path: artifactPath(`${name}.png`) });
  await page.emulateMedia({ colorScheme: "dark" });
  await settled(page);
  await page.screenshot({ path: artifactPath(`${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: "light" });
}

describe.skipIf(!enabled)("account lifecycle in Chromium", () => {
  // A short grace period, as the in-process suite uses; tests move the due date into the past to erase.
  const stage = browserStage({ ACCOUNT_DELETION_GRACE_HOURS: "1" });

  async function logIn(page: Page, login: string, password: string) {
    await page.getByLabel("Email or username").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  /** On the Account page: deletes with the password, and waits for the sign-in page that follows. */
  async function deleteAccount(page: Page, password: string) {
    await page.getByRole("button", { name: "Delete account…" }).click();
    const dialog = page.getByTestId("delete-account-dialog");
    await dialog.getByLabel("Password", { exact: true }).fill(password);
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor({ timeout: WAIT });
    await page.getByText("Your account will be deleted on").waitFor({ timeout: WAIT });
  }

  /** What the sweeper does once the grace period is over. */
  async function erase(userId: string) {
    await (stage.node.store as KyselyStore).db.updateTable("users").set({ deletion_due_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", userId).execute();
    expect(await stage.node.accountDeletion.sweep()).toContain(userId);
  }

  test("deleting from the Account page signs out, and signing in during the grace period keeps the account", async () => {
    const a = await stage.signedIn("keeper");
    const page = a.page;
    await page.goto(`${stage.base}/`);
    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: "Account" }).click();
    await page.getByTestId("delete-account-section").getByText("Nothing is erased for 1 hour:").waitFor({ timeout: WAIT });
    await page.screenshot({ path: artifactPath("account-page.png") });

    await page.getByRole("button", { name: "Delete account…" }).click();
    const dialog = page.getByTestId("delete-account-dialog");
    await dialog.getByLabel("Password", { exact: true }).fill("not my password");
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await dialog.getByText("That isn't your password.").waitFor({ timeout: WAIT });
    expect(await page.getByRole("dialog").getByText("Your account is deleted in 1 hour;").count()).toBe(1);
    await page.screenshot({ path: artifactPath("account-delete-dialog.png") });
    await page.keyboard.press("Escape");
    await deleteAccount(page, a.password);
    expect((await stage.node.store.accounts.userById(a.user.id))?.deletion_due_at).not.toBeNull();

    await logIn(page, a.user.username, a.password);
    await page.getByTestId("deletion-scheduled").waitFor({ timeout: WAIT });
    await shots(page, "account-deletion-scheduled");
    await page.getByRole("button", { name: "Keep my account" }).click();
    await page.getByRole("button", { name: "User menu" }).waitFor({ timeout: WAIT });
    await until("the deletion is cancelled", async () => expect((await stage.node.store.accounts.userById(a.user.id))?.deletion_due_at).toBeNull());
  }, 120_000);

  test("left signed in on the grace page past the grace period, the erased account's page lands on sign-in, its old refresh token is refused and its password no longer signs in", async () => {
    const a = await stage.signedIn("eraser");
    const page = a.page;
    // The page's clock can be moved on to its next refresh of the access token.
    await page.clock.install();
    await page.goto(`${stage.base}/settings/account`);
    await deleteAccount(page, a.password);
    await logIn(page, a.user.username, a.password);
    await page.getByTestId("deletion-scheduled").waitFor({ timeout: WAIT });
    const due = Date.parse((await stage.node.store.accounts.userById(a.user.id))!.deletion_due_at!);
    expect(due - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(due - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const refreshToken = (await a.ctx.cookies()).find((c) => c.name === "refresh_token")!.value;

    await erase(a.user.id);
    expect(await (stage.node.store as KyselyStore).db.selectFrom("sessions").select("id").where("user_id", "=", a.user.id).execute()).toEqual([]);
    // The page finds out at its next refresh (the access token lives 15 minutes), which is refused.
    await page.clock.fastForward("16:00");
    await page.waitForURL(/\/login/, { timeout: WAIT });
    await page.getByRole("button", { name: "Log in" }).waitFor({ timeout: WAIT });
    const old = new CookieJar();
    old.set("refresh_token", refreshToken);
    const refused = await stage.node.req("/api/auth/refresh", { method: "POST" }, old);
    expect(refused.status).toBe(401);
    await logIn(page, a.user.username, a.password);
    await page.getByText("That email/username and password don't match.").waitFor({ timeout: WAIT });
    await page.screenshot({ path: artifactPath("account-erased-sign-in.png") });
  }, 120_000);

  test("when the other side's deletion is carried out, an open DM with them says the account was deleted, names them only \"Deleted user\" and offers no composer, calls or reactions, live and after a reload", async () => {
    const [stay, leave] = [await stage.signedIn("stayer"), await stage.signedIn("leaver")];
    const dm = await befriend(stage.node, stay, leave);
    const said = async (jar: typeof stay.jar, content: string) =>
      ((await (await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { content, clientId: crypto.randomUUID() } }, jar)).json()) as { message: { id: string } }).message.id;
    const bye = await said(leave.jar, "goodbye for now");
    await said(stay.jar, "see you around");
    expect((await stage.node.req(`/api/messages/${bye}/reactions/${encodeURIComponent("👋")}`, { method: "PUT" }, stay.jar)).status).toBe(204);
    const page = stay.page;
    await page.goto(`${stage.base}/c/${dm}`);
    await page.getByTestId("message").filter({ hasText: "goodbye for now" }).waitFor({ timeout: WAIT });
    await page.getByTestId("composer").waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: "Start voice call" }).waitFor({ timeout: WAIT });

    // Scheduled, then past its grace period: the sweeper erases the account.
    expect((await stage.node.req("/api/account/deletion", { method: "POST", json: { password: leave.password } }, leave.jar)).status).toBe(202);
    await erase(leave.user.id);

    const readOnly = async (when: string) => {
      await page.getByTestId("composer-readonly").getByText("This account was deleted.").waitFor({ timeout: WAIT });
      expect(await page.getByTestId("composer").count(), when).toBe(0);
      expect(await page.getByRole("button", { name: "Send message" }).count(), when).toBe(0);
      // The history stays, now from "Deleted user".
      const kept = page.getByTestId("message").filter({ hasText: "goodbye for now" });
      await kept.getByTestId("author-name").filter({ hasText: "Deleted user" }).waitFor({ timeout: WAIT });
      // Its placeholder username is not shown as if it were a name.
      expect(await page.getByTestId("conversation-status").innerText(), when).toBe("Account deleted");
      expect(await page.getByText("@deleted-").count(), when).toBe(0);
      // The sidebar's DM entry names them the same way, without a presence dot; the header avatar has none either.
      const entry = page.getByTestId("conversation-list").getByTestId("conversation-item").filter({ hasText: "see you around" });
      await entry.filter({ hasText: "Deleted user" }).waitFor({ timeout: WAIT });
      expect(await entry.getByTestId("presence").count(), when).toBe(0);
      expect(await page.getByTestId("conversation").locator("header").getByTestId("presence").count(), when).toBe(0);
      // Nowhere on the page, not even in an attribute, does the placeholder username appear.
      expect(await page.content(), when).not.toContain("deleted-");
      // Nothing that could not work is offered: no calls, no notification settings, and on the
      // messages no reacting, replying, threads or edits (the server refuses each with PEER_DELETED).
      for (const name of ["Start voice call", "Start video call", /^Notifications/]) expect(await page.getByRole("button", { name }).count(), `${when}: ${name}`).toBe(0);
      for (const row of [kept, page.getByTestId("message").filter({ hasText: "see you around" })]) {
        await row.hover();
        for (const action of ["add-reaction", "reply-message", "open-thread", "edit-message"]) expect(await row.getByTestId(action).count(), `${when}: ${action}`).toBe(0);
      }
      // One's own message can still be deleted, which the server allows.
      expect(await page.getByTestId("message").filter({ hasText: "see you around" }).getByTestId("delete-message").count(), when).toBe(1);
      // The reaction from before stays to read, but clicking it takes nothing back.
      const chip = kept.getByTestId("reaction");
      expect(await chip.getAttribute("aria-disabled"), when).toBe("true");
      await chip.click({ force: true });
      await Bun.sleep(300);
      expect(await chip.getAttribute("aria-pressed"), when).toBe("true");
      await page.mouse.move(0, 0);
    };
    await readOnly("live");
    await shots(page, "dm-peer-deleted");
    await page.reload();
    await readOnly("after a reload");

    // Their profile card says so, and offers nothing to do with an account that is gone.
    await page.getByTestId("message").filter({ hasText: "goodbye for now" }).getByTestId("author-button").click();
    await page.getByTestId("profile-card-erased").waitFor({ timeout: WAIT });
    expect(await page.getByTestId("profile-card-username").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Add friend" }).count()).toBe(0);
    await shots(page, "profile-card-erased");

    // On a narrow screen the top bar offers no presence dot, calls or notification menu either.
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 390, height: 844 });
    const bar = page.getByRole("button", { name: "Open navigation" }).locator("..");
    await bar.getByTestId("conversation-title").filter({ hasText: "Deleted user" }).waitFor({ timeout: WAIT });
    for (const name of ["Start voice call", "Start video call", /^Notifications/]) expect(await page.getByRole("button", { name }).count(), `narrow: ${name}`).toBe(0);
    // The one dot left is the reader's own, on their user menu.
    expect(await bar.getByTestId("presence").count()).toBe(await bar.getByRole("button", { name: "User menu" }).getByTestId("presence").count());
    await page.screenshot({ path: artifactPath("dm-peer-deleted-narrow.png") });
    expect(stage.errors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  }, 120_000);
});
