/**
 * The admin console in Chromium: a user reports a message from its menu; the instance admin
 * opens the console from the user menu, finds the report, finds the user and disables them —
 * the user's open page is signed out at once, and signing in again says the account is
 * disabled. Every tab is screenshotted.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { WAIT, artifactPath, browserAvailable } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("admin console e2e");
const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(name), fullPage: true });
const tab = (page: Page, name: string) => page.getByRole("navigation", { name: "Admin console" }).getByRole("link", { name });

describe.skipIf(!enabled)("admin console", () => {
  const stage = browserStage();

  test("the admin finds a reported message and its reporter, disables the user, and the user's open page is signed out", async () => {
    // The first account is the instance's admin.
    const admin = await stage.signedIn("ada_admin");
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
});
