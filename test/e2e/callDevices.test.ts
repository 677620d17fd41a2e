/**
 * 1:1 calls across several devices of one user (separate sign-ins in separate Chromium
 * contexts): the caller's other devices show the outgoing call and can cancel it; the callee's
 * devices all ring and the first to accept wins.
 */
import { describe, expect, test } from "bun:test";
import { CookieJar } from "../support/parley";
import { befriend } from "../support/social";
import { artifactPath } from "../support/browser";
import { button, callStage, expectDecoding, ring, type TestUser } from "../support/calls";

const T = 20_000;
const MOBILE = { width: 375, height: 812 };
const stage = callStage("call devices e2e");

describe.skipIf(!stage.enabled)("calls with several devices", () => {
  /** Another sign-in (its own session) of the same account: a second device. */
  async function secondDevice(u: TestUser & { password: string }): Promise<TestUser> {
    const jar = new CookieJar();
    const res = await stage.node.req("/api/auth/login", { method: "POST", json: { login: u.user.username, password: u.password } }, jar);
    expect(res.status).toBe(200);
    return { ...u, jar };
  }

  /** Friends a (on two devices) and b, all on their DM. */
  async function setup(a2Viewport?: { width: number; height: number }) {
    const [a, b] = await stage.users(2);
    const conv = await befriend(stage.node, a, b);
    const path = `/c/${conv}`;
    const [A1, A2, B] = await Promise.all([stage.open(a, path), stage.open(await secondDevice(a), path, { viewport: a2Viewport }), stage.open(b, path)]);
    return { a, b, A1, A2, B, banner: A2.page.getByTestId("call-elsewhere") };
  }

  test("the caller's other device shows the outgoing call, and cancelling there stops the ringing", async () => {
    const { b, A1, A2, B, banner } = await setup();
    await ring(A1.page, B.page);
    await banner.waitFor({ timeout: T });
    expect(await banner.textContent()).toContain(`Calling ${b.user.username}…`);
    // Passive: no call screen, no camera, and no second call can be started from here.
    expect(await A2.page.evaluate(() => window.__parleyCall?.peers().length ?? 0)).toBe(0);
    expect(await button(A2.page, "Start video call").isDisabled()).toBe(true);
    await A2.page.screenshot({ path: artifactPath("call-elsewhere-desktop.png"), animations: "disabled" });
    await button(A2.page, "Cancel call").click();
    await button(B.page, "Accept").waitFor({ state: "detached", timeout: T });
    await B.page.getByText(/^Missed call from /).waitFor({ timeout: T });
    await A1.page.getByText("Call cancelled").waitFor({ timeout: T });
    await banner.waitFor({ state: "detached", timeout: T });
    expect(await button(A2.page, "Start video call").isDisabled()).toBe(false);
  }, 90_000);

  test("a reloaded other device shows the outgoing call again; answered on the calling device, it goes away", async () => {
    const { A1, A2, B, banner } = await setup(MOBILE);
    await ring(A1.page, B.page);
    await banner.waitFor({ timeout: T });
    await A2.page.reload();
    // From hello's `call` this time, not from a call:ringing event.
    await banner.waitFor({ timeout: T });
    await A2.page.screenshot({ path: artifactPath("call-elsewhere-mobile.png"), animations: "disabled" });
    await button(B.page, "Accept").click();
    await expectDecoding(A1.page, "the calling device receives the callee");
    await banner.waitFor({ state: "detached", timeout: T });
    // Dismissed quietly: no call screen and no "call ended" notice on the device that was not in it.
    expect(await button(A2.page, "Hang up").count()).toBe(0);
    expect(await A2.page.getByTestId("call-ended").count()).toBe(0);
    await button(A1.page, "Hang up").click();
    await B.page.getByText("Call ended", { exact: true }).waitFor({ timeout: T });
  }, 90_000);

  test("with two devices ringing, the first to accept wins and the other stops ringing", async () => {
    const [a, b] = await stage.users(2);
    const conv = await befriend(stage.node, a, b);
    const path = `/c/${conv}`;
    const [A, B1, B2] = await Promise.all([stage.open(a, path), stage.open(b, path), stage.open(await secondDevice(b), path)]);
    await ring(A.page, B1.page);
    await button(B2.page, "Accept").waitFor({ timeout: T });
    await button(B1.page, "Accept").click();
    await B2.page.getByText("Answered on another device").waitFor({ timeout: T });
    // It was ringing (Accept shown, above); it must stop: the button goes away.
    await button(B2.page, "Accept").waitFor({ state: "detached", timeout: T });
    await expectDecoding(B1.page, "the answering device receives");
    await expectDecoding(A.page, "the caller receives");
  }, 90_000);
});
