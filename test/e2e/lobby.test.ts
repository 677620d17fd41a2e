/**
 * Meetings with guests and a lobby, end to end in Chromium with fake devices: a visitor who is
 * not signed in joins by link under a name; a locked meeting's knockers wait until the host
 * admits (they then decode) or denies them (they are told so); someone the host removed goes
 * back through the lobby; the host's participants panel shows who is muted, asks them to unmute
 * and mutes them; End call for all ends it for everyone. The pre-join and lobby screens are captured at desktop and phone width.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { artifactPath, horizontalOverflow, settled, until } from "../support/browser";
import { button, callStage, cameras, expectDecoding, openAs, watchCameras, type OpenPage, type TestUser, type Viewport } from "../support/calls";

const T = 30_000;
const PHONE: Viewport = { width: 390, height: 844 };
const stage = callStage("lobby e2e");

/** A meeting made over the API by `host`; its slug. */
async function meeting(host: TestUser, name: string): Promise<string> {
  const res = await stage.node.req("/api/rooms", { method: "POST", json: { name } }, host.jar);
  return ((await res.json()) as { room: { slug: string } }).room.slug;
}

/** `u` opens the meeting's link and joins from the pre-join screen (`watch`: its cameras counted, see watchCameras). */
async function joinFromPreJoin(u: TestUser, slug: string, viewport?: Viewport, watch = false): Promise<OpenPage> {
  const P = stage.pages.track(await openAs(stage.browser, stage.base, u, `/r/${slug}`, viewport));
  if (watch) {
    await watchCameras(P.ctx);
    await P.page.reload();
  }
  await P.page.getByRole("button", { name: "Join now" }).click({ timeout: T });
  return P;
}

/** A browser context with no session: a visitor. */
async function visitor(path: string, viewport: Viewport = { width: 1280, height: 800 }): Promise<OpenPage> {
  const mobile = viewport.width < 640;
  const ctx = await stage.browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${stage.base}${path}`);
  return stage.pages.track({ ctx, page, errors });
}

async function openPeople(P: Page): Promise<void> {
  await button(P, "Show participants").click({ timeout: T });
}

/** The pre-join preview plays the camera: frames with a size, time moving on. */
async function expectLivePreview(page: Page): Promise<void> {
  const video = page.getByTestId("prejoin-preview");
  const read = () => video.evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, t: v.currentTime, paused: v.paused }));
  const first = await (await video.waitFor({ timeout: T }), read());
  await until("the camera preview plays", async () => {
    const now = await read();
    return now.w > 0 && !now.paused && now.t > first.t + 0.3;
  });
}

/** The host's lobby prompt in the call view (participants panel closed) for `id`. */
const prompt = (P: Page, id: string) => P.locator(`[data-testid="lobby-prompt"][data-waiter="${id}"]`);
const lobby = (P: Page, status: string, reason = "locked") => P.locator(`[data-testid="lobby"][data-status="${status}"][data-reason="${reason}"]`);

describe.skipIf(!stage.enabled)("meeting guests and the lobby in Chromium", () => {
  test("the host allows guests; a visitor who is not signed in joins by link from the pre-join screen under a name and both decode; removed, the guest is told so and joining again waits until the host admits them", async () => {
    const [host] = await stage.users(1);
    const slug = await meeting(host, "Open house");
    const H = await joinFromPreJoin(host, slug);
    await openPeople(H.page);
    // Our own row is named "You" but its avatar is drawn from our name (it once showed a "Y").
    const selfAvatar = H.page.locator('[data-testid="participant-row"][data-participant="self"] .rounded-full').first();
    await expect(selfAvatar.textContent({ timeout: T })).resolves.toBe(host.user.username[0]!.toUpperCase());
    // A visitor who opened the link before the host allowed guests sees the change without reloading.
    const G = await visitor(`/r/${slug}`);
    await G.page.getByText("The host does not allow guests in this meeting").waitFor({ timeout: T });
    await H.page.getByText("Allow guests").click({ timeout: T });
    await until("guests are allowed", () => H.page.getByRole("switch", { name: "Allow guests" }).isChecked());
    await button(H.page, "Hide participants").click();
    await expect(G.page.getByTestId("prejoin-room-name").textContent({ timeout: T })).resolves.toBe("Open house");
    await expectLivePreview(G.page);
    await G.page.getByLabel("Your name").fill("Visiting Vera");
    await settled(G.page);
    await G.page.screenshot({ path: artifactPath("guest-prejoin-desktop.png") });
    await G.page.getByRole("button", { name: "Join as guest" }).click();
    await expectDecoding(G.page, "the guest receives the host", "main", T, 10, host.user.id);
    await expectDecoding(H.page, "the host receives the guest", "main", T, 10);
    const guestId = await H.page.locator('[data-testid="call-tile"][data-participant^="g-"]').getAttribute("data-participant", { timeout: T });
    // The guest's call is named after the room, as the host's is.
    await G.page.getByRole("dialog", { name: /Open house/ }).waitFor({ timeout: T });
    await G.page.screenshot({ path: artifactPath("guest-call-guest.png") });

    // The call's chat: the guest's message reaches the host under the guest's name, the host's
    // reaches the guest under the host's, and the guest's own shows once, as theirs.
    await button(G.page, "Open chat").click();
    await G.page.getByTestId("call-chat-input").fill("hello from Vera");
    await G.page.getByTestId("call-chat-input").press("Enter");
    await button(H.page, "Open chat").click();
    const fromGuest = H.page.getByTestId("call-chat-line").filter({ hasText: "hello from Vera" });
    await fromGuest.getByText("Visiting Vera").waitFor({ timeout: T });
    await H.page.getByTestId("call-chat-input").fill("welcome in");
    await H.page.getByTestId("call-chat-input").press("Enter");
    await G.page.getByTestId("call-chat-line").filter({ hasText: "welcome in" }).getByText(host.user.username).waitFor({ timeout: T });
    await until("the guest's own line shows once, as theirs", async () =>
      expect(await G.page.getByTestId("call-chat-line").allInnerTexts()).toEqual(["You:\nhello from Vera", `${host.user.username}\nwelcome in`]),
    );
    expect(await G.page.getByTestId("call-chat-failed").count()).toBe(0);
    await button(H.page, "Close chat").last().click();

    await openPeople(H.page);
    // The guest's row says so in full beside the host's actions (it was cut off after a short name).
    const note = H.page.locator(`[data-testid="participant-row"][data-participant="${guestId}"] [data-testid="participant-note"]`);
    expect(await note.textContent({ timeout: T })).toBe("Guest");
    expect(await note.evaluate((e) => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().width > 0)).toBe(true);
    await H.page.getByRole("button", { name: "Remove Visiting Vera" }).click({ timeout: T });
    await G.page.locator('[data-testid="call-ended"][data-reason="removed"]').waitFor({ timeout: T });
    await G.page.getByText("The host removed you from this meeting").waitFor({ timeout: T });
    await G.page.getByLabel("Your name").fill("Someone Else");
    await G.page.getByRole("button", { name: "Join as guest" }).click();
    await lobby(G.page, "waiting", "removed").waitFor({ timeout: T });
    await button(H.page, "Hide participants").click();
    await prompt(H.page, guestId!).getByRole("button", { name: /^Admit/ }).click({ timeout: T });
    await expectDecoding(G.page, "the re-admitted guest receives the host", "main", T, 10, host.user.id);
    await expectDecoding(H.page, "the host receives the re-admitted guest", "main", T, 10, guestId!);

    const M = await visitor(`/r/${slug}`, PHONE);
    await expectLivePreview(M.page);
    expect(await horizontalOverflow(M.page)).toBeLessThanOrEqual(0);
    await M.page.getByLabel("Your name").fill("Phone Visitor");
    await settled(M.page);
    await M.page.screenshot({ path: artifactPath("guest-prejoin-phone.png"), fullPage: true });
  }, 180_000);

  test("in a locked meeting a knocker asks to join it by name and waits in the lobby with their camera on until the host admits them, then both decode on that same camera; another the host denies is told so and their camera is let go; leaving the call lets it go too", async () => {
    const [host, admitted, denied] = await stage.users(3);
    const slug = await meeting(host, "Board meeting");
    const H = await joinFromPreJoin(host, slug, undefined, true);
    await openPeople(H.page);
    await H.page.getByText("Lock meeting").click({ timeout: T });
    await until("the meeting shows locked", () => H.page.getByRole("switch", { name: "Lock meeting" }).isChecked());
    await button(H.page, "Hide participants").click();

    const A = await joinFromPreJoin(admitted, slug, undefined, true);
    await expect(lobby(A.page, "waiting").getByTestId("lobby-title").textContent({ timeout: T })).resolves.toBe("Asking to join Board meeting…");
    await A.page.getByTestId("lobby-preview").waitFor({ timeout: T });
    await A.page.screenshot({ path: artifactPath("lobby-waiting-desktop.png") });
    await prompt(H.page, admitted.user.id).waitFor({ timeout: T });
    await settled(H.page);
    await H.page.screenshot({ path: artifactPath("lobby-host-prompt-desktop.png") });
    await H.page.setViewportSize(PHONE);
    await settled(H.page);
    await H.page.screenshot({ path: artifactPath("lobby-host-prompt-phone.png") });
    await prompt(H.page, admitted.user.id).getByRole("button", { name: /^Admit/ }).click();
    await expectDecoding(A.page, "the admitted one receives the host", "main", T, 10, host.user.id);
    await expectDecoding(H.page, "the host receives the admitted one", "main", T, 10, admitted.user.id);
    // The call took over the preview's camera: no second capture.
    expect(await cameras(A.page)).toEqual({ opened: 1, live: 1 });

    const D = await joinFromPreJoin(denied, slug, PHONE, true);
    await lobby(D.page, "waiting").waitFor({ timeout: T });
    await D.page.screenshot({ path: artifactPath("lobby-waiting-phone.png") });
    // From the participants panel this time.
    await openPeople(H.page);
    const row = H.page.locator(`[data-testid="lobby-row"][data-waiter="${denied.user.id}"]`);
    await row.waitFor({ timeout: T });
    await H.page.screenshot({ path: artifactPath("lobby-host-panel-phone.png") });
    await row.getByRole("button", { name: /^Deny/ }).click();
    await lobby(D.page, "denied").getByRole("alert").getByText("You can't join this call").waitFor({ timeout: T });
    await D.page.screenshot({ path: artifactPath("lobby-denied-phone.png") });
    await until("the denied one's camera is let go", async () => (await cameras(D.page)).live === 0);
    await row.waitFor({ state: "detached", timeout: T });
    // Back on the pre-join screen, the preview opens the camera again.
    await lobby(D.page, "denied").getByRole("button", { name: "Close" }).click();
    await expectLivePreview(D.page);

    for (const P of [A.page, H.page]) {
      await button(P, "Hang up").click({ timeout: T });
      await P.getByTestId("meeting-left").waitFor({ timeout: T });
      await until("a camera is let go on leaving the call", async () => (await cameras(P)).live === 0);
    }
  }, 180_000);

  test("a member the host removes is told so, and asking to join again waits in the lobby until the host admits them", async () => {
    const [host, member] = await stage.users(2);
    const slug = await meeting(host, "Standup");
    const H = await joinFromPreJoin(host, slug);
    const B = await joinFromPreJoin(member, slug);
    await expectDecoding(B.page, "the member receives the host", "main", T, 10, host.user.id);
    await openPeople(H.page);
    await H.page.getByRole("button", { name: /^Remove / }).click({ timeout: T });
    await B.page.locator('[data-testid="call-ended"][data-reason="removed"]').waitFor({ timeout: T });
    await B.page.getByTestId("meeting-removed").waitFor({ timeout: T });
    await B.page.screenshot({ path: artifactPath("removed-notice.png") });
    await B.page.getByRole("button", { name: "Ask to join again" }).click();
    await B.page.getByRole("button", { name: "Join now" }).click({ timeout: T });
    await lobby(B.page, "waiting", "removed").waitFor({ timeout: T });
    await B.page.screenshot({ path: artifactPath("removed-lobby.png") });
    await button(H.page, "Hide participants").click();
    await prompt(H.page, member.user.id).getByRole("button", { name: /^Admit/ }).click({ timeout: T });
    await expectDecoding(B.page, "the re-admitted member receives the host", "main", T, 10, host.user.id);
    await expectDecoding(H.page, "the host receives the re-admitted member", "main", T, 10, member.user.id);
  }, 180_000);

  test("on the pre-join screen a member picks a camera from the device menu and turns the microphone off; they show as muted in the host's participants panel; asked to unmute, they do, and muted by the host their microphone goes off; End call for all ends it for both", async () => {
    const [host, member] = await stage.users(2);
    const name = member.user.username;
    const slug = await meeting(host, "Town hall");
    const H = await joinFromPreJoin(host, slug);
    const B = stage.pages.track(await openAs(stage.browser, stage.base, member, `/r/${slug}`));
    // The pre-join device menu lists the fake camera and microphone, the ones in use checked, in reach of a click (not clipped by the preview); picking the camera again keeps the preview live.
    await expectLivePreview(B.page);
    await button(B.page, "Devices").click({ timeout: T });
    const devices = B.page.getByRole("menu", { name: "Devices" });
    for (const kind of ["Camera", "Microphone"]) await devices.getByRole("group", { name: kind }).getByRole("menuitemradio", { checked: true }).waitFor({ timeout: T });
    await B.page.screenshot({ path: artifactPath("prejoin-devices-menu.png") });
    await devices.getByRole("group", { name: "Camera" }).getByRole("menuitemradio").first().click();
    await devices.waitFor({ state: "detached", timeout: T });
    await expectLivePreview(B.page);
    await button(B.page, "Turn off microphone").click({ timeout: T });
    await button(B.page, "Turn on microphone").waitFor({ timeout: T });
    await B.page.getByRole("button", { name: "Join now" }).click();
    await expectDecoding(H.page, "the host receives the member", "main", T, 10, member.user.id);
    await button(B.page, "Unmute microphone").waitFor({ timeout: T });

    await openPeople(H.page);
    const row = H.page.locator(`[data-testid="participant-row"][data-participant="${member.user.id}"]`);
    await row.getByRole("img", { name: `${name} is muted` }).waitFor({ timeout: T });
    await row.getByRole("button", { name: `Ask ${name} to unmute` }).click();
    const asked = B.page.getByRole("alert").filter({ hasText: "The host asks you to unmute" });
    await asked.getByRole("button", { name: "Unmute" }).click({ timeout: T });
    await asked.waitFor({ state: "detached", timeout: T });
    await button(B.page, "Mute microphone").waitFor({ timeout: T });
    await row.getByRole("img", { name: `${name} is muted` }).waitFor({ state: "detached", timeout: T });
    await H.page.screenshot({ path: artifactPath("host-panel-unmuted.png") });

    await row.getByRole("button", { name: `Mute ${name}` }).click();
    await button(B.page, "Unmute microphone").waitFor({ timeout: T });
    await B.page.getByText("The host muted you").waitFor({ timeout: T });
    await row.getByRole("img", { name: `${name} is muted` }).waitFor({ timeout: T });
    await row.getByRole("button", { name: `Ask ${name} to unmute` }).waitFor({ timeout: T });

    // End call for all: the call ends on both pages, the member told the host did it.
    await button(H.page, "Close participants").click();
    await button(H.page, "End call for all").click({ timeout: T });
    for (const P of [H.page, B.page]) await P.locator('[data-testid="call-ended"][data-reason="ended-by-host"]').waitFor({ timeout: T });
    await B.page.getByText("The host ended the call").waitFor({ timeout: T });
  }, 180_000);
});
