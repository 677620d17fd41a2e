/**
 * Account mail end to end in Chromium, mail through a real SMTP server (smtp-server): register →
 * mail → follow the link → the banner goes; forgot password → mail → new password → every other
 * session is signed out. And the outbox an instance admin reads when there is no SMTP server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { WAIT, artifactPath, browserAvailable, horizontalOverflow, settled } from "../support/browser";
import { browserStage } from "../support/stage";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";

const enabled = browserAvailable("account mail e2e");

const shot = async (page: Page, name: string) => {
  await settled(page);
  await page.screenshot({ path: artifactPath(name) });
};

async function register(page: Page, base: string, email: string, username: string, password: string) {
  await page.goto(`${base}/register`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

describe.skipIf(!enabled)("account mail through SMTP in Chromium", () => {
  // A real SMTP server, up before the stage's node reads SMTP_URL.
  let sink: SmtpSink = null as unknown as SmtpSink;
  const ready = startSmtpSink().then((s) => (sink = s));
  beforeAll(() => ready);
  afterAll(() => sink?.close());
  // The registration that hides taken addresses: the client signs in after a 202, or says to check the mail.
  const env: Record<string, string> = { HIDE_REGISTERED_EMAILS: "true" };
  beforeAll(async () => {
    env.SMTP_URL = (await ready).url;
  });
  const stage = browserStage(env, { publicUrl: true });

  test("register → verification mail → open its link → the banner is gone, in this tab too", async () => {
    const ctx = await stage.context();
    const page = await stage.page(ctx, "fay");
    await register(page, stage.base, "fay@example.com", "fay", "a very good password");
    const banner = page.getByTestId("verify-email-banner");
    await banner.getByText("Verify your email.").waitFor({ timeout: WAIT });
    await shot(page, "verify-email-banner.png");

    // Resend: a second mail; then the newest link is the one followed.
    await banner.getByRole("button", { name: "Resend" }).click();
    await banner.getByText("Sent — check your inbox.").waitFor({ timeout: WAIT });
    const mail = await sink.next("fay@example.com", 1);
    const link = sink.link(mail, "/verify-email");
    expect(link.startsWith(`${stage.base}/verify-email?token=`)).toBe(true);

    const tab = await stage.page(ctx, "fay-mail");
    await tab.goto(link);
    await tab.getByText("Your email address is verified. Thank you!").waitFor({ timeout: WAIT });
    await shot(tab, "verify-email-done.png");
    // The first tab hears of it live (me:updated) and drops the banner without a reload.
    await banner.waitFor({ state: "detached", timeout: WAIT });
    await tab.getByRole("button", { name: "Continue" }).click();
    await tab.getByText("@fay").first().waitFor({ timeout: WAIT });
    expect(await tab.getByTestId("verify-email-banner").count()).toBe(0);

    // The link was spent.
    await tab.goto(link);
    await tab.getByText(/already used or replaced/).waitFor({ timeout: WAIT });
  }, 120_000);

  test("forgot password → mail → new password → the other browser is signed out; the old password no longer works", async () => {
    const gus = await stage.signedIn("gus");
    await gus.page.goto(stage.base);
    await gus.page.getByText("@gus").first().waitFor({ timeout: WAIT });

    const ctx = await stage.context();
    const page = await stage.page(ctx, "gus-forgot");
    await page.goto(`${stage.base}/login`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByLabel("Email").fill(gus.user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByTestId("reset-requested").waitFor({ timeout: WAIT });
    await shot(page, "forgot-password-sent.png");

    const mail = await sink.next(gus.user.email, 1);
    expect(mail.subject).toBe("Reset your Parley password");
    await page.goto(sink.link(mail, "/reset-password"));
    await page.getByLabel("New password", { exact: true }).fill("an even better password");
    await shot(page, "reset-password.png");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("You were signed out everywhere.", { exact: false }).waitFor({ timeout: WAIT });

    // The session that was open elsewhere ends (its socket closes with 4401; the refresh fails).
    await gus.page.getByLabel("Email or username").waitFor({ timeout: WAIT });

    await page.getByTestId("reset-done").click();
    await page.getByLabel("Email or username").fill(gus.user.username);
    await page.getByLabel("Password", { exact: true }).fill(gus.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText(/don't match/i).first().waitFor({ timeout: WAIT });
    await page.getByLabel("Password", { exact: true }).fill("an even better password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("@gus").first().waitFor({ timeout: WAIT });
    // Following the reset link proved the address too.
    expect(await page.getByTestId("verify-email-banner").count()).toBe(0);
  }, 120_000);

  test("registering an address that has an account says to check the mail, and the owner is told", async () => {
    const hal = await stage.signedIn("hal");
    const page = await stage.page(await stage.context({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }), "not-hal");
    await register(page, stage.base, hal.user.email, "hal_again", "someone else's password");
    await page.getByTestId("register-check-mail").waitFor({ timeout: WAIT });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await shot(page, "register-check-mail-mobile.png");
    expect((await sink.next(hal.user.email, 1)).subject).toBe("You already have a Parley account");
  }, 120_000);

  test("changing the email from its settings page: the new address's link makes it the account's, verified", async () => {
    const kim = await stage.signedIn("kim");
    await kim.page.goto(stage.base);
    await kim.page.getByRole("button", { name: "User menu" }).click();
    await kim.page.getByRole("menuitem", { name: "Email", exact: true }).click();
    await kim.page.getByLabel("New email").fill("kim.new@example.com");
    await kim.page.getByLabel("Current password", { exact: true }).fill(kim.password);
    await kim.page.getByRole("button", { name: "Send link" }).click();
    await kim.page.getByText("Check kim.new@example.com").waitFor({ timeout: WAIT });
    await shot(kim.page, "change-email-sent.png");
    await kim.page.getByTestId("current-email").getByText(kim.user.email).waitFor();

    const tab = await stage.page(kim.ctx, "kim-mail");
    await tab.goto(sink.link(await sink.next("kim.new@example.com"), "/verify-email"));
    await tab.getByText("Your email address is verified. Thank you!").waitFor({ timeout: WAIT });
    // The settings page follows live (me:updated).
    await kim.page.getByTestId("current-email").getByText("kim.new@example.com").waitFor({ timeout: WAIT });
    await kim.page.getByTestId("current-email").getByText("Verified").waitFor();
    expect((await sink.next(kim.user.email, 1)).subject).toBe("Your Parley email address changed");
  }, 120_000);

  test("no page error was logged", () => {
    expect(stage.errors.filter((e) => !/401|Failed to load resource/.test(e))).toEqual([]);
  });
});

describe.skipIf(!enabled)("the mail outbox in Chromium (no SMTP server)", () => {
  const stage = browserStage({}, { publicUrl: true });

  test("the first account reads the outbox from its menu; mail links in it work; others have no entry and are refused", async () => {
    const admin = await stage.signedIn("ida");
    const other = await stage.signedIn("jon");
    await admin.page.goto(stage.base);
    await admin.page.getByRole("button", { name: "User menu" }).click();
    await admin.page.getByRole("menuitem", { name: "Mail outbox" }).click();
    const mails = admin.page.getByTestId("outbox-message");
    await mails.filter({ hasText: other.user.email }).first().waitFor({ timeout: WAIT });
    await shot(admin.page, "mail-outbox.png");
    const text = await mails.filter({ hasText: other.user.email }).first().innerText();
    const link = text.match(/http\S+\/verify-email\?token=\S+/)![0];

    await other.page.goto(link);
    await other.page.getByText("Your email address is verified. Thank you!").waitFor({ timeout: WAIT });
    await other.page.goto(stage.base);
    await other.page.getByRole("button", { name: "User menu" }).click();
    await other.page.getByRole("menuitem", { name: "Sessions" }).waitFor();
    expect(await other.page.getByRole("menuitem", { name: "Mail outbox" }).count()).toBe(0);
    await other.page.goto(`${stage.base}/admin/outbox`);
    await other.page.getByText("Only the instance's admins may see this").waitFor({ timeout: WAIT });
  }, 120_000);
});
