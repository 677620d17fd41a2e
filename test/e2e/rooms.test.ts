/**
 * Meetings (rooms by link) end to end in Chromium with fake devices: New meeting from the UI, its
 * link copied; a second user's pre-join screen with a live preview, joining with the camera off;
 * both decode each other (getStats), the room's call named after it with its chat; deleting the
 * meeting from My meetings ends the call for both; an unknown link says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { artifactPath, browserAvailable, launchBrowser, settled } from "../support/browser";
import { CallPages, button, cameras, expectDecoding, openAs, startCallServer, watchCameras, type CallServer } from "../support/calls";
import { registerUser } from "../support/parley";

const enabled = browserAvailable("rooms e2e");
const T = 30_000;
const HOOK = 60_000;
const pages = new CallPages();

beforeAll(async () => {
  if (enabled) pages.browser = await launchBrowser();
}, HOOK);
afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
}, HOOK);
afterAll(async () => {
  await pages.browser?.close();
}, HOOK);

/** Sum of packetsReceived over the inbound audio from `from`. */
function audioPackets(page: Page, from: string): Promise<number> {
  return page.evaluate(async (from) => {
    let total = 0;
    for (const p of window.__parleyCall?.peers() ?? []) {
      if (p.peer !== from) continue;
      (await p.pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") total += s.packetsReceived ?? 0;
      });
    }
    return total;
  }, from);
}

async function expectAudio(page: Page, what: string, from: string): Promise<void> {
  const end = Date.now() + T;
  let first: number | null = null;
  while (Date.now() < end) {
    const n = await audioPackets(page, from).catch(() => 0);
    if (first === null || n < first) first = n > 0 ? n : null;
    else if (n >= first + 20) return;
    await Bun.sleep(250);
  }
  throw new Error(`${what}: audio packets are not arriving`);
}

/** The preview <video> plays the camera: frames with a size, time moving on. */
async function expectLivePreview(page: Page): Promise<void> {
  const video = page.getByTestId("prejoin-preview");
  await video.waitFor({ timeout: T });
  const read = () => video.evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, t: v.currentTime, paused: v.paused }));
  const end = Date.now() + T;
  let first = await read();
  while (Date.now() < end) {
    const now = await read();
    if (first.w === 0) first = now;
    else if (now.w > 0 && !now.paused && now.t > first.t + 0.3) return;
    await Bun.sleep(200);
  }
  throw new Error(`the camera preview does not play (${JSON.stringify(first)})`);
}

describe.skipIf(!enabled)("meetings in Chromium", () => {
  let srv: CallServer;
  beforeAll(async () => {
    srv = await startCallServer();
  }, HOOK);
  afterAll(() => srv?.node.dispose(), HOOK);

  test("a meeting made with New meeting is joined by link from the pre-join screen with the camera off; both decode each other, the call is named after the room with its chat; deleting it in My meetings ends the call for both", async () => {
    const host = await registerUser(srv.node);
    const guest = await registerUser(srv.node);
    const H = pages.track(await openAs(pages.browser, srv.base, host, "/"));
    await H.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: srv.base });

    await H.page.getByTestId("new-meeting-button").click({ timeout: T });
    const dialog = H.page.getByRole("dialog", { name: "New meeting" });
    await dialog.getByLabel("Meeting name").fill("Design review");
    await settled(H.page);
    await H.page.screenshot({ path: artifactPath("new-meeting-dialog.png") });
    await dialog.getByRole("button", { name: "Create meeting" }).click();
    const ready = H.page.getByRole("dialog", { name: "Your meeting is ready" });
    const link = await ready.getByTestId("meeting-link").inputValue({ timeout: T });
    expect(link).toMatch(new RegExp(`^${srv.base}/r/[a-z]{3}-[a-z]{4}-[a-z]{3}$`));
    await ready.getByRole("button", { name: "Copy" }).click();
    await ready.getByRole("button", { name: "Copied" }).waitFor({ timeout: T });
    expect(await H.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await settled(H.page);
    await H.page.screenshot({ path: artifactPath("new-meeting-ready.png") });
    const path = new URL(link).pathname;

    // The host goes in from the dialog, through the pre-join screen.
    await ready.getByRole("button", { name: "Join now" }).click();
    await H.page.waitForURL(`**${path}`);
    await expectLivePreview(H.page);
    await H.page.getByRole("button", { name: /Join/ }).click();
    await H.page.getByRole("dialog", { name: /Design review/ }).waitFor({ timeout: T });

    // The visitor opens the link: the room, a live preview, their name; camera off, then Join.
    const G = pages.track(await openAs(pages.browser, srv.base, guest, path));
    // Counts camera/microphone openings: the call must take over the preview's, not open its own.
    await watchCameras(G.ctx);
    await G.page.reload();
    await expect(G.page.getByTestId("prejoin-room-name").textContent({ timeout: T })).resolves.toBe("Design review");
    await expectLivePreview(G.page);
    // A new account's display name is its username.
    expect(await G.page.getByTestId("prejoin-self-name").textContent()).toBe(guest.user.username);
    await G.page.getByTestId("prejoin-live").filter({ hasText: "1 person is in this meeting" }).waitFor({ timeout: T });
    await settled(G.page);
    await G.page.screenshot({ path: artifactPath("prejoin-desktop.png") });
    await button(G.page, "Turn off camera").click();
    await G.page.getByTestId("prejoin-camera-off").waitFor({ timeout: T });
    await G.page.getByRole("button", { name: /Join/ }).click();

    await expectDecoding(G.page, "the visitor receives the host's camera", "main", T, 10, host.user.id);
    await expectAudio(H.page, "the host receives the visitor's microphone", guest.user.id);
    await expectAudio(G.page, "the visitor receives the host's microphone", host.user.id);
    expect((await cameras(G.page)).opened).toBe(1);
    // The visitor's camera is off: the host sees it so, and the visitor's own tile agrees.
    await H.page.locator(`[data-participant="${guest.user.id}"] [aria-label$="camera is off"]`).waitFor({ timeout: T });
    await G.page.getByRole("img", { name: "Your camera is off" }).waitFor({ timeout: T });
    for (const P of [H.page, G.page]) expect(await P.getByRole("dialog", { name: /Design review/ }).locator("h2").first().textContent()).toBe("Design review");
    await H.page.screenshot({ path: artifactPath("meeting-call-host.png") });

    // The call's chat is the room's conversation.
    await button(G.page, "Open chat").click();
    await G.page.getByTestId("call-chat-input").fill("hello from the meeting");
    await G.page.getByTestId("call-chat-input").press("Enter");
    await button(H.page, "Open chat").click();
    // Under the visitor's name, though they joined by the link and are no member of the room's conversation.
    await H.page.getByTestId("call-chat-line").filter({ hasText: "hello from the meeting" }).getByText(guest.user.username).waitFor({ timeout: T });

    // The host deletes the meeting from My meetings in another tab: the call ends for both.
    const list = await H.ctx.newPage();
    await list.goto(`${srv.base}/meetings`);
    const row = list.getByTestId("meeting-row").filter({ hasText: "Design review" });
    await row.waitFor({ timeout: T });
    await settled(list);
    await list.screenshot({ path: artifactPath("my-meetings.png") });
    await row.getByRole("button", { name: "Delete Design review" }).click();
    await list.getByRole("dialog").getByRole("button", { name: "Delete meeting" }).click();
    for (const P of [H.page, G.page]) await P.locator('[data-testid="call-ended"][data-reason="room-deleted"]').waitFor({ timeout: T });
    await G.page.getByText("This meeting link is invalid or was deleted").waitFor({ timeout: T });
    await list.getByTestId("meeting-row").first().waitFor({ state: "detached", timeout: T });
  }, 180_000);

  test("a tile whose camera has sent no picture yet shows the person's avatar, not a black box, until the first frame arrives", async () => {
    const host = await registerUser(srv.node);
    const member = await registerUser(srv.node);
    const res = await srv.node.req("/api/rooms", { method: "POST", json: { name: "Slow camera" } }, host.jar);
    const path = `/r/${((await res.json()) as { room: { slug: string } }).room.slug}`;
    const H = pages.track(await openAs(pages.browser, srv.base, host, path));
    await H.page.getByRole("button", { name: "Join now" }).click({ timeout: T });
    const M = pages.track(await openAs(pages.browser, srv.base, member, path));
    // The member's camera is a canvas that paints nothing until window.paint(): a live track without frames.
    await M.ctx.addInitScript(() => {
      const md = navigator.mediaDevices;
      const open = md.getUserMedia.bind(md);
      md.getUserMedia = async (c) => {
        const stream = await open(c);
        if (!c?.video) return stream;
        const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 180 });
        const track = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
        (window as unknown as { paint: () => void }).paint = () =>
          setInterval(() => {
            const g = canvas.getContext("2d")!;
            g.fillStyle = `hsl(${Date.now() % 360} 80% 50%)`;
            g.fillRect(0, 0, 320, 180);
            track.requestFrame();
          }, 66);
        stream.getVideoTracks().forEach((t) => (stream.removeTrack(t), t.stop()));
        stream.addTrack(track);
        return stream;
      };
    });
    await M.page.reload();
    await M.page.getByRole("button", { name: "Join now" }).click({ timeout: T });
    await expectAudio(H.page, "the host hears the member", member.user.id);

    const tile = H.page.locator(`[data-testid="call-tile"][data-participant="${member.user.id}"]`);
    await tile.getByTestId("tile-waiting-picture").waitFor({ timeout: T });
    expect(await tile.getByTestId("remote-video").getAttribute("class")).toMatch(/\binvisible\b/);
    await M.page.evaluate(() => (window as unknown as { paint: () => void }).paint());
    await tile.getByTestId("tile-waiting-picture").waitFor({ state: "detached", timeout: T });
    expect(await tile.getByTestId("remote-video").getAttribute("class")).not.toMatch(/\binvisible\b/);
  }, 120_000);

  test("the pre-join screen and My meetings fit a phone; an unknown meeting link says it is invalid or was deleted", async () => {
    const host = await registerUser(srv.node);
    const visitor = await registerUser(srv.node);
    const res = await srv.node.req("/api/rooms", { method: "POST", json: { name: "Weekly sync" } }, host.jar);
    const { room } = (await res.json()) as { room: { slug: string } };
    const M = pages.track(await openAs(pages.browser, srv.base, visitor, `/r/${room.slug}`, { width: 390, height: 844 }));
    await expectLivePreview(M.page);
    expect(await M.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await M.page.getByRole("button", { name: /Join/ }).waitFor({ timeout: T });
    await settled(M.page);
    await M.page.screenshot({ path: artifactPath("prejoin-mobile.png"), fullPage: true });

    const L = pages.track(await openAs(pages.browser, srv.base, host, "/meetings", { width: 390, height: 844 }));
    await L.page.getByTestId("meeting-row").filter({ hasText: "Weekly sync" }).waitFor({ timeout: T });
    expect(await L.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await settled(L.page);
    await L.page.screenshot({ path: artifactPath("my-meetings-mobile.png") });

    await M.page.goto(`${srv.base}/r/zzz-zzzz-zzz`);
    await M.page.getByText("This meeting link is invalid or was deleted").waitFor({ timeout: T });
    await M.page.screenshot({ path: artifactPath("meeting-invalid-mobile.png") });
  }, 120_000);
});
