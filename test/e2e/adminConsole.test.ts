/**
 * The admin console in Chromium: a user reports a message from its menu; the instance admin
 * opens the console from the user menu, finds the report, finds the user and disables them —
 * the user's open page is signed out at once, and signing in again says the account is
 * disabled. Every tab is screenshotted. Reports also come from a thread's replies and from a
 * call's chat, and name the guest who wrote a room guest's line; accounts disabled, waiting for deletion or erased carry a badge in every list and
 * the Users list filters by them.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { KyselyStore } from "../../src/server/store/store";
import { befriend } from "../support/social";
import { CookieJar } from "../support/parley";
import { connectWs } from "../support/ws";
import { joinByInvite } from "../support/spaces";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("admin console e2e");
const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name), fullPage: true });
const dark = async (page: Page, name: string) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await settled(page);
  await shot(page, name);
  await page.emulateMedia({ colorScheme: "light" });
};
const tab = (page: Page, name: string) => page.getByRole("navigation", { name: "Admin console" }).getByRole("link", { name });

describe.skipIf(!enabled)("admin console", () => {
  const stage = browserStage();
  // The first account registered is the instance's admin, whichever test asks first.
  let first: ReturnType<typeof stage.signedIn> | undefined;
  const theAdmin = () => (first ??= stage.signedIn("ada_admin"));

  test("the admin finds a reported message and its reporter, disables the user, and the user's open page is signed out", async () => {
    const admin = await theAdmin();
    const tess = await stage.signedIn("tess");
    const rex = await stage.signedIn("rex");
    const dm = await befriend(stage.node, tess, rex);
    await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { content: "you will regret this", clientId: "threat" } }, rex.jar);

    // Tess reports Rex's message from its toolbar.
    const t = tess.page;
    await t.goto(`${stage.base}/c/${dm}`);
    const row = t.locator('[data-testid="message"]').filter({ hasText: "you will regret this" });
    await row.waitFor({ timeout: WAIT });
    await row.hover();
    await row.getByTestId("report-message").click();
    const dialog = t.getByTestId("report-dialog");
    await dialog.getByLabel("Reason").fill("A threat against me");
    await shot(t, "admin-report-dialog.png");
    await dialog.getByRole("button", { name: "Report" }).click();
    await t.getByText("Reported to the admins").waitFor({ timeout: WAIT });

    // The admin opens the console from the user menu.
    const a = admin.page;
    await a.goto(stage.base);
    await a.getByRole("button", { name: "User menu" }).click();
    await a.getByRole("menuitem", { name: "Admin console" }).click();
    await a.waitForURL(/\/admin$/);
    await a.getByTestId("admin-user").first().waitFor({ timeout: WAIT });
    await shot(a, "admin-users.png");

    await tab(a, "Reports").click();
    const report = a.getByTestId("admin-report").filter({ hasText: "you will regret this" });
    await report.waitFor({ timeout: WAIT });
    expect(await report.innerText()).toContain("A threat against me");
    await shot(a, "admin-reports.png");

    // Finds Tess and disables her; her open page is signed out.
    await tab(a, "Users").click();
    await a.getByRole("searchbox", { name: "Search users" }).fill("tess");
    await a.getByRole("button", { name: "Search", exact: true }).click();
    const tessRow = a.locator(`[data-testid="admin-user"][data-username="${tess.user.username}"]`);
    await tessRow.waitFor({ timeout: WAIT });
    expect(await a.getByTestId("admin-user").count()).toBe(1);
    await tessRow.getByRole("button", { name: "Disable" }).click();
    await a.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
    await tessRow.getByText("Disabled").waitFor({ timeout: WAIT });
    await shot(a, "admin-user-disabled.png");

    await t.waitForURL(/\/login/, { timeout: WAIT });
    await t.getByLabel("Email or username").fill(tess.user.username);
    await t.getByLabel("Password", { exact: true }).fill(tess.password);
    await t.getByRole("button", { name: "Log in" }).click();
    await t.getByText("This account has been disabled by the instance's admins").waitFor({ timeout: WAIT });
    await shot(t, "admin-disabled-login.png");

    // The rest of the console: spaces, settings, metrics, the audit log with the disabling in it.
    await stage.node.req("/api/spaces", { method: "POST", json: { name: "Rex's corner" } }, rex.jar);
    await tab(a, "Spaces").click();
    await a.getByTestId("admin-space").filter({ hasText: "Rex's corner" }).waitFor({ timeout: WAIT });
    await shot(a, "admin-spaces.png");
    await tab(a, "Settings").click();
    await a.getByTestId("admin-settings").waitFor({ timeout: WAIT });
    await shot(a, "admin-settings.png");
    await tab(a, "Metrics").click();
    await a.getByTestId("admin-metrics").waitFor({ timeout: WAIT });
    expect(Number(await a.getByTestId("metric-Connections").innerText())).toBeGreaterThanOrEqual(1);
    await shot(a, "admin-metrics.png");
    await tab(a, "Audit log").click();
    await a.locator('[data-testid="audit-row"][data-kind="admin.user_disabled"]').waitFor({ timeout: WAIT });
    await a.locator('[data-testid="audit-row"][data-kind="login.disabled"]').waitFor({ timeout: WAIT });
    await shot(a, "admin-audit.png");
    const download = a.waitForEvent("download");
    await a.getByRole("link", { name: "Export CSV" }).click();
    expect((await download).suggestedFilename()).toMatch(/^parley-audit-\d{4}-\d\d-\d\d\.csv$/);

    // Anyone else gets no console.
    const r = rex.page;
    await r.goto(`${stage.base}/admin`);
    await r.getByText("Only the instance's admins may see this").waitFor({ timeout: WAIT });
    expect(stage.errors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  }, 180_000);

  test("reports from a thread's replies, a call's chat and a room guest (named) reach the console, and disabled, scheduled and erased accounts carry badges the Users list filters by", async () => {
    const admin = await theAdmin();
    const [vera, walt, gina, otto] = [await stage.signedIn("vera"), await stage.signedIn("walt"), await stage.signedIn("gina"), await stage.signedIn("otto")];
    const post = async (path: string, json: unknown, jar: typeof vera.jar) => {
      const res = await stage.node.req(path, { method: "POST", json }, jar);
      expect(res.status, path).toBeLessThan(300);
      return res.status === 204 ? {} : ((await res.json()) as Record<string, any>);
    };
    const { space } = await post("/api/spaces", { name: "Night shift" }, walt.jar);
    const [text, voice] = space.channels as Array<{ id: string }>;
    await joinByInvite(stage.node, walt.jar, space.id, vera.jar);
    const { message: root } = await post(`/api/conversations/${text!.id}/messages`, { content: "a thread root", clientId: "root" }, walt.jar);
    await post(`/api/conversations/${text!.id}/messages`, { content: "a nasty reply", clientId: "reply", threadId: root.id }, walt.jar);

    // Vera reports the reply from the thread panel.
    const v = vera.page;
    const dialog = v.getByTestId("report-dialog");
    await v.goto(`${stage.base}/s/${space.id}/${text!.id}?thread=${root.id}`);
    const reply = v.getByTestId("thread-panel").getByTestId("message").filter({ hasText: "a nasty reply" });
    await reply.waitFor({ timeout: WAIT });
    await reply.hover();
    await reply.getByTestId("report-message").click();
    await dialog.getByLabel("Reason").fill("Nasty, in a thread");
    await dialog.getByRole("button", { name: "Report" }).click();
    await v.getByText("Reported to the admins").waitFor({ timeout: WAIT });

    // Then from the chat of a call in the voice channel.
    await v.locator(`[data-testid="voice-channel-item"][data-channel-id="${voice!.id}"]`).click();
    await v.getByRole("button", { name: "Hang up" }).waitFor({ timeout: WAIT });
    await v.getByRole("button", { name: "Open chat" }).click();
    await post(`/api/conversations/${voice!.id}/messages`, { content: "said during the call", clientId: "in-call" }, walt.jar);
    const line = v.getByTestId("call-chat-line").filter({ hasText: "said during the call" });
    await line.waitFor({ timeout: WAIT });
    await line.hover();
    await line.getByTestId("report-message").click();
    await dialog.getByLabel("Reason").fill("Said in the call");
    await shot(v, "call-chat-report-dialog.png");
    await dark(v, "call-chat-report-dialog-dark.png");
    await dialog.getByRole("button", { name: "Report" }).click();
    await dialog.waitFor({ state: "detached", timeout: WAIT });
    await v.getByRole("button", { name: "Hang up" }).click();

    // And a guest's line in a room's call chat (guests have no account: the report keeps their name).
    const { room } = await post("/api/rooms", { name: "Open house", allowGuests: true }, vera.jar);
    const guestJar = new CookieJar();
    await post(`/api/rooms/${room.slug}/guests`, { name: "Gail Guest" }, guestJar);
    const gs = await connectWs(stage.base, guestJar);
    await gs.request({ type: "hello" });
    const { message: byGuest } = await gs.request({ type: "message:send", conversationId: room.conversationId, clientId: "guest-line", content: "a guest's rude line" });
    gs.close();
    await post(`/api/messages/${byGuest.id}/report`, { reason: "Rude guest" }, vera.jar);

    // Otto is disabled, Gina's deletion is scheduled (she owns a space), Walt is erased.
    await post("/api/spaces", { name: "Gina's garden" }, gina.jar);
    await post(`/api/admin/users/${otto.user.id}/disable`, undefined, admin.jar);
    for (const u of [gina, walt]) await post("/api/account/deletion", { password: u.password }, u.jar);
    await (stage.node.store as KyselyStore).db.updateTable("users").set({ deletion_due_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", walt.user.id).execute();
    expect(await stage.node.accountDeletion.sweep()).toContain(walt.user.id);

    const a = admin.page;
    const badge = (row: ReturnType<Page["locator"]>, state: string) => row.locator(`[data-testid="account-state"][data-state="${state}"]`);
    await a.goto(`${stage.base}/admin?tab=reports`);
    for (const [content, reason] of [
      ["a nasty reply", "Nasty, in a thread"],
      ["said during the call", "Said in the call"],
    ] as const) {
      const report = a.getByTestId("admin-report").filter({ hasText: content });
      await report.waitFor({ timeout: WAIT });
      expect(await report.innerText()).toContain(reason);
      // Its author is erased: named as such, with a badge.
      expect(await report.innerText()).toContain(`@${vera.user.username} reported a message by a deleted user`);
      await badge(report, "deleted").waitFor({ timeout: WAIT });
    }
    const guestReport = a.getByTestId("admin-report").filter({ hasText: "a guest's rude line" });
    await guestReport.waitFor({ timeout: WAIT });
    expect(await guestReport.innerText()).toContain(`@${vera.user.username} reported a message by the guest “Gail Guest”`);
    await shot(a, "admin-reports-states.png");
    await dark(a, "admin-reports-states-dark.png");

    await tab(a, "Users").click();
    const row = (id: string) => a.locator(`[data-testid="admin-user"][data-user-id="${id}"]`);
    await badge(row(walt.user.id), "deleted").waitFor({ timeout: WAIT });
    await badge(row(gina.user.id), "deleting").waitFor({ timeout: WAIT });
    await badge(row(otto.user.id), "disabled").waitFor({ timeout: WAIT });
    expect(await row(vera.user.id).getByTestId("account-state").count()).toBe(0);
    // An erased account has nothing left to act on.
    expect(await row(walt.user.id).getByRole("button").count()).toBe(0);
    await shot(a, "admin-users-states.png");
    await dark(a, "admin-users-states-dark.png");
    for (const [state, user] of [
      ["deleting", gina],
      ["deleted", walt],
      ["disabled", otto],
    ] as const) {
      await a.getByLabel("Show accounts").selectOption(state);
      await until(`only ${state} accounts are listed`, async () => {
        const shown = await a.getByTestId("admin-user").evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-user-id"), r.querySelector("[data-testid=account-state]")?.getAttribute("data-state")]));
        expect(shown.map(([id]) => id)).toContain(user.user.id);
        expect(shown.every(([, s]) => s === state)).toBe(true);
      });
    }

    await tab(a, "Spaces").click();
    await badge(a.getByTestId("admin-space").filter({ hasText: "Gina's garden" }), "deleting").waitFor({ timeout: WAIT });
    await shot(a, "admin-spaces-states.png");
    await tab(a, "Audit log").click();
    const disabling = a.locator('[data-testid="audit-row"][data-kind="admin.user_disabled"]').filter({ has: a.locator(`[data-account-id="${otto.user.id}"]`) });
    await badge(disabling, "disabled").waitFor({ timeout: WAIT });
    await shot(a, "admin-audit-states.png");
    await dark(a, "admin-audit-states-dark.png");
    expect(stage.errors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  }, 180_000);
});
