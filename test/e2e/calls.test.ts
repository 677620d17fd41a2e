/**
 * 1:1 calls end to end: two (or three) users in separate Chromium contexts with fake camera,
 * microphone and screen, against a real node serving the production bundle. A call only
 * counts as working when the RECEIVING page's getStats() shows video frames being decoded.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";
import { SCREEN_CAPTURE_FLAGS, artifactPath, horizontalOverflow, until } from "../support/browser";
import {
  button,
  callStage,
  connect,
  expectDecoding,
  expectPip,
  expectRecordingFile,
  expectSystemLine,
  framesDecoded,
  openAs,
  rawFrame,
  ring,
  localCandidateTypes,
  selectedLocalCandidateType,
  signalLog,
  staysSilent,
  untilPeerConnection,
  watchForText,
} from "../support/calls";

const T = 20_000;
const MOBILE = { width: 375, height: 812 };
const stage = callStage("calls e2e", { flags: SCREEN_CAPTURE_FLAGS, turn: true });
const shot = (p: Page, name: string) => p.screenshot({ path: artifactPath(name) });

describe.skipIf(!stage.enabled)("1:1 calls in Chromium", () => {
  test("an audio+video call connects with video decoding both ways; mute shows on the other side; picture in picture plays the other person; hang up logs the call", async () => {
    const { A, B } = await stage.pair();
    await ring(A.page, B.page);
    await B.page.getByText("Incoming video call").waitFor({ state: "visible", timeout: T });
    await shot(B.page, "call-incoming.png");
    await button(B.page, "Accept").click();
    await expectDecoding(B.page, "callee receives the caller");
    await expectDecoding(A.page, "caller receives the callee");
    await A.page.getByTestId("quality-indicator").first().waitFor();
    await button(A.page, "Mute microphone").click();
    await B.page.getByRole("img", { name: / is muted$/ }).waitFor({ timeout: T });
    const duration = B.page.getByTestId("call-duration");
    await until("the call duration on the callee's page", async () => expect(await duration.textContent()).toMatch(/^\d+:\d\d$/));
    await Bun.sleep(2500); // a quality sample or two
    await shot(A.page, "call-active-desktop.png");
    // Picture in picture plays the other person's video, live, and closes again.
    await button(B.page, "Picture in picture").click();
    await expectPip(B.page, "remote-video", T);
    await button(B.page, "Picture in picture").click();
    await until("the picture-in-picture window closes", () => B.page.evaluate(() => document.pictureInPictureElement === null), T);
    await button(A.page, "Hang up").click();
    await B.page.getByText("Call ended", { exact: true }).waitFor({ timeout: T });
    await expectSystemLine(A.page, /^Video call ended · \d+:\d\d/);
  }, 90_000);

  test("turning the camera off shows on the other side; turned back on, video decodes again", async () => {
    const { A, B, a } = await stage.pair();
    await connect(A.page, B.page);
    const cameraOff = B.page.getByRole("img", { name: `${a.user.username}'s camera is off` });
    expect(await cameraOff.count()).toBe(0);
    await button(A.page, "Turn off camera").click();
    await cameraOff.waitFor({ timeout: T });
    await until("the remote video to be hidden", async () => expect(await B.page.getByTestId("remote-video").getAttribute("class")).toMatch(/\binvisible\b/));
    await button(A.page, "Turn on camera").click();
    await cameraOff.waitFor({ state: "detached", timeout: T });
    await expectDecoding(B.page, "the camera after turning it back on");
  }, 90_000);

  test("declining tells the caller and logs a declined call", async () => {
    const { A, B } = await stage.pair();
    await ring(A.page, B.page);
    await button(B.page, "Decline").click();
    await A.page.getByText(/declined the call/).waitFor({ timeout: T });
    await expectSystemLine(B.page, /^Declined video call/);
  }, 90_000);

  test("cancelling stops the ringing on the other side and leaves a missed call", async () => {
    const { A, B } = await stage.pair();
    await ring(A.page, B.page);
    await button(A.page, "Cancel call").click();
    await button(B.page, "Accept").waitFor({ state: "detached", timeout: T });
    await B.page.getByText(/^Missed call from /).waitFor({ timeout: T });
    await expectSystemLine(B.page, /^Missed video call from /);
  }, 90_000);

  test("calling someone who is in another call says they're busy", async () => {
    const { A, B, b } = await stage.pair();
    await connect(A.page, B.page);
    const c = await registerUser(stage.node);
    const cConv = await befriend(stage.node, c, b);
    const C = await stage.open(c, `/c/${cConv}`);
    await button(C.page, "Start video call").click({ timeout: T });
    await C.page.getByText("They're in another call").waitFor({ timeout: T });
    await expectDecoding(B.page, "the ongoing call is undisturbed");
  }, 90_000);

  test("reloading the page mid-call (callee, then caller) resumes it within the grace period and video decodes again", async () => {
    const { A, B } = await stage.pair();
    await connect(A.page, B.page);
    const callId = await A.page.evaluate(() => window.__parleyCall?.callId ?? null);
    expect(callId).toBeTruthy();
    for (const [gone, stayed] of [
      [B.page, A.page],
      [A.page, B.page],
    ] as const) {
      // The page that stays shows "Reconnecting…" while the other is away.
      const sawReconnecting = await watchForText(stayed, "Reconnecting…");
      const reloaded = Date.now();
      await gone.reload();
      // The server ends a call whose participant is gone for 10 s. The reloaded page holds the
      // same call again only once the server answered its call:resume with it (which also stops
      // the grace timer), so that must happen within the 10 s.
      await until("the reloaded page to resume the call", async () => (await gone.evaluate(() => window.__parleyCall?.callId ?? null)) === callId, 10_000);
      expect(Date.now() - reloaded).toBeLessThan(10_000);
      // Resumed, the call is no longer on a clock: video flowing again both ways proves it works.
      await expectDecoding(gone, "the reloaded page receives again");
      await expectDecoding(stayed, "the page that stayed receives again");
      expect(await sawReconnecting()).toBe(true);
    }
  }, 120_000);

  test("a shared screen decodes on the other side, shown large", async () => {
    const { A, B } = await stage.pair();
    await connect(A.page, B.page);
    await button(A.page, "Share screen").click();
    await B.page.getByTestId("screen-video").waitFor({ timeout: T });
    await expectDecoding(B.page, "the screen share", "screen");
    await button(A.page, "Stop sharing").click();
    await B.page.getByTestId("screen-video").waitFor({ state: "detached", timeout: T });
    await expectDecoding(B.page, "the camera after the share");
  }, 90_000);

  test("in-call chat lines go through the call's conversation (and the call works at phone width)", async () => {
    const { A, B } = await stage.pair({ bViewport: MOBILE });
    await connect(A.page, B.page);
    await shot(B.page, "call-active-mobile.png");
    expect(await horizontalOverflow(B.page)).toBeLessThanOrEqual(0);
    await button(A.page, "Open chat").click();
    const input = A.page.getByTestId("call-chat-input");
    await A.page.getByPlaceholder("Send a message").waitFor({ timeout: T });
    await input.fill("hello from the call");
    await input.press("Enter");
    await button(B.page, "Open chat").click();
    await B.page.getByTestId("call-chat-line").filter({ hasText: "hello from the call" }).waitFor({ timeout: T });
    await shot(B.page, "call-chat-mobile.png");
  }, 90_000);

  test("recording produces a non-empty WebM file", async () => {
    const { A, B } = await stage.pair();
    await connect(A.page, B.page);
    await button(A.page, "Start recording").click();
    await A.page.getByTestId("recording-indicator").waitFor();
    await Bun.sleep(3000);
    await shot(A.page, "call-recording.png");
    await expectRecordingFile(A.page);
    await expectDecoding(B.page, "the call goes on after recording");
  }, 90_000);

  test("switching the camera replaces the track without renegotiating, and frames keep flowing", async () => {
    const log = signalLog(stage.node);
    const { A, B } = await stage.pair();
    await connect(A.page, B.page);
    // Set-up offers may trail the first frames; count from once no offer came for 3 s.
    let settled = -1;
    await until("the call's signaling to settle", async () => {
      const n = log.offers();
      await Bun.sleep(3000);
      settled = n;
      return log.offers() === n;
    });
    expect(settled).toBeGreaterThan(0);
    const senderTrack = () =>
      A.page.evaluate(() => window.__parleyCall?.peers()[0]?.pc.getSenders().find((s) => s.track?.kind === "video")?.track?.id ?? null);
    const before = await senderTrack();
    expect(before).toBeTruthy();
    await button(A.page, "Devices").click();
    // The menu lists the cameras once the (asynchronous) device enumeration has answered.
    const cameras = A.page.getByRole("group", { name: "Camera" }).getByRole("menuitemradio");
    await cameras.first().waitFor({ timeout: T });
    expect(await cameras.count()).toBeGreaterThan(0);
    // Chromium's fake device has one camera: picking it again opens a fresh track (same path as another camera).
    await cameras.last().click();
    await until("the sender's video track to be replaced", async () => {
      const now = await senderTrack();
      return now !== null && now !== before;
    });
    await expectDecoding(B.page, "the other side after the camera switch");
    await Bun.sleep(1000); // negotiationneeded would have fired by now
    log.stop();
    expect(log.offers()).toBe(settled);
  }, 90_000);

  test("a third user cannot inject signaling into the call", async () => {
    const { A, B, b } = await stage.pair();
    await connect(A.page, B.page);
    const eve = await registerUser(stage.node);
    const E = stage.pages.track(await openAs(stage.browser, stage.base, eve, "/"));
    const callId = await A.page.evaluate(() => window.__parleyCall?.callId ?? null);
    expect(callId).toBeTruthy();
    const offer = await rawFrame(E.page, { type: "rtc:offer", callId, to: b.user.id, channel: "main", sdp: "v=0 evil" });
    expect(offer).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    const ice = await rawFrame(E.page, { type: "rtc:ice", callId, to: b.user.id, channel: "main", candidate: null });
    expect(ice).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    await expectDecoding(B.page, "the call is undisturbed");
    await expectDecoding(A.page, "the call is undisturbed");
  }, 90_000);
});

describe.skipIf(!stage.enabled)("ringing timeout", () => {
  test("an unanswered call times out and the missed call shows in the DM", async () => {
    const srv = await stage.server({ CALL_RING_SECONDS: "3" });
    const { A, B } = await stage.pair({ srv });
    // The ring lasts 3 s; a loaded machine may show it late, so watch for it instead of racing it.
    const sawRinging = await watchForText(B.page, "Incoming video call");
    await button(A.page, "Start video call").click({ timeout: T });
    await A.page.getByText(/didn't answer/).waitFor({ timeout: T });
    await B.page.getByText(/^Missed call from /).waitFor({ timeout: T });
    expect(await sawRinging()).toBe(true);
    await expectSystemLine(B.page, /^Missed video call from /);
    await expectSystemLine(A.page, /^Missed video call from /);
  }, 90_000);
});

describe.skipIf(!stage.canRelay)("relay-only calls through coturn", () => {
  const secret = "turn-secret-for-the-e2e-suite";

  test("with RTC_FORCE_RELAY the call connects over a relay candidate and video decodes", async () => {
    const srv = await stage.relayServer(secret);
    const { A, B } = await stage.pair({ srv });
    await connect(A.page, B.page);
    for (const [P, who] of [
      [A.page, "caller"],
      [B.page, "callee"],
    ] as const) {
      // Decoding means a pair was selected; its stats are read until they name it.
      await until(`the ${who}'s selected candidate pair`, async () => (await selectedLocalCandidateType(P)) !== null);
      expect(await selectedLocalCandidateType(P)).toBe("relay");
    }
    // The control for the wrong-secret test below: here relay candidates are gathered and seen.
    expect(await localCandidateTypes(A.page)).toContain("relay");
  }, 90_000);

  test("with a wrong TURN secret on the node no relay candidate is gathered and the relay-only call does not connect", async () => {
    const srv = await stage.relayServer(secret, { nodeSecret: "not-the-secret-coturn-knows" });
    const log = signalLog(srv.node);
    const { A, B } = await stage.pair({ srv });
    await ring(A.page, B.page);
    await button(B.page, "Accept").click();
    // Silence only means something once both sides are really trying: each has its peer connection.
    await untilPeerConnection(B.page, "the callee's peer connection");
    await untilPeerConnection(A.page, "the caller's peer connection");
    // Gathering finished (coturn refused the allocation) on both sides, having found nothing to send.
    for (const P of [A.page, B.page]) await until("ICE gathering to complete", () => P.evaluate(() => window.__parleyCall?.peers().every((p) => p.pc.iceGatheringState === "complete")).then((done) => done === true));
    expect(await staysSilent(B.page, 10_000)).toBe(true);
    expect(await framesDecoded(A.page)).toBe(0);
    const candidates = log.signals.flatMap((s) => (s.type === "rtc:ice" && s.candidate ? [s.candidate.candidate] : []));
    log.stop();
    expect(candidates.filter((c) => / typ relay\b/.test(c ?? ""))).toEqual([]);
    // The pages' own view: no local relay candidate in either peer connection's stats.
    for (const P of [A.page, B.page]) expect(await localCandidateTypes(P)).not.toContain("relay");
  }, 90_000);
});
