/**
 * Group calls end to end: three users in separate Chromium contexts with fake devices, in a
 * mesh. A group DM call rings everyone; it only counts as working when every page's getStats()
 * shows video frames decoded from each of the other two.
 */
import { describe, expect, test } from "bun:test";
import { SCREEN_CAPTURE_FLAGS, artifactPath, until } from "../support/browser";
import { button, callStage, expectDecoding, expectOnlySpeaker, expectPip, expectRecordingFile, watchForText } from "../support/calls";

const T = 30_000;
const stage = callStage("group calls e2e", { flags: SCREEN_CAPTURE_FLAGS });

describe.skipIf(!stage.enabled)("group calls in Chromium", () => {
  test("a group DM call rings every member; the two who answer and the caller all decode each other; hands, reactions and a shared screen reach everyone, the screen featured above a strip of cameras (one member at phone width); a recording downloads as WebM; a reload shows as reconnecting to the others and resumes", async () => {
    const {
      users: [a, b, c],
      pages: [A, B, C],
    } = await stage.group(3, { name: "trio", viewports: { 2: { width: 390, height: 844 } } });
    await button(A.page, "Start video call").click({ timeout: T });
    await Promise.all([B, C].map((P) => button(P.page, "Accept").waitFor({ timeout: T })));
    await button(B.page, "Accept").click();
    await button(C.page, "Accept").click();
    const users = { a, b, c };
    const views = { a: A.page, b: B.page, c: C.page };
    for (const [me, page] of Object.entries(views)) {
      for (const [other, u] of Object.entries(users)) {
        if (other !== me) await expectDecoding(page, `${me} receives ${other}`, "main", T, 10, u.user.id);
      }
    }
    await A.page.getByTestId("call-grid").waitFor({ timeout: T });
    expect(await A.page.getByTestId("call-tile").count()).toBe(3);
    await A.page.screenshot({ path: artifactPath("group-call-grid-3.png") });

    await button(A.page, "Reactions").click();
    await A.page.getByRole("menuitemcheckbox", { name: "Raise hand" }).click();
    for (const P of [B.page, C.page]) await P.locator(`[data-participant="${a.user.id}"] [aria-label$="raised a hand"]`).waitFor({ timeout: T });
    // Counted on the participants button too, for when that tile is on another page of the grid.
    for (const P of [B.page, C.page]) await button(P, "Show participants").getByText("1", { exact: true }).waitFor({ timeout: T });
    await button(B.page, "Reactions").click();
    await B.page.getByRole("menuitem", { name: "React with 🎉" }).click();
    for (const P of [A.page, C.page]) await P.locator(`[data-participant="${b.user.id}"] [data-testid="reaction"]`).filter({ hasText: "🎉" }).first().waitFor({ state: "attached", timeout: T });
    await A.page.screenshot({ path: artifactPath("group-call-hand-reaction.png") });
    await C.page.screenshot({ path: artifactPath("group-call-mobile.png") });
    // A phone's narrow bar fits the screen, keeping screen share, add, record and picture-in-picture under "More options".
    const bar = (await C.page.getByRole("group", { name: "Call controls" }).boundingBox())!;
    expect(bar.x).toBeGreaterThanOrEqual(0);
    expect(bar.x + bar.width).toBeLessThanOrEqual(390);
    await button(C.page, "More options").click();
    const more = C.page.getByRole("menu", { name: "More options" });
    expect(await more.getByRole("menuitem").allTextContents()).toEqual(expect.arrayContaining(["Share screen", "Add people", "Start recording"]));
    await more.getByRole("menuitem", { name: "Add people" }).click();
    await C.page.getByRole("menu", { name: "Add people" }).getByText("Everyone in the group is here or being rung.").waitFor({ timeout: T });
    await C.page.screenshot({ path: artifactPath("group-call-mobile-more.png") });
    await button(C.page, "More options").click();
    await C.page.getByRole("menu", { name: "Add people" }).waitFor({ state: "detached", timeout: T });

    // A screen share is a track on the links that exist: every receiver decodes it, shown large.
    await button(A.page, "Share screen").click();
    for (const P of [B.page, C.page]) {
      await P.getByTestId("screen-video").waitFor({ timeout: T });
      await expectDecoding(P, "the shared screen", "screen", T, 10, a.user.id);
    }
    // The screen is the featured tile; everyone's camera goes on in a strip below it, smaller.
    const strip = B.page.getByTestId("call-strip");
    for (const u of [a, c]) await strip.locator(`[data-participant="${u.user.id}"]`).waitFor({ timeout: T });
    expect(await strip.getByTestId("call-tile").count()).toBe(3);
    const screenBox = (await B.page.getByTestId("screen-video").boundingBox())!;
    const stripTile = (await strip.locator(`[data-participant="${c.user.id}"]`).boundingBox())!;
    expect(screenBox.height).toBeGreaterThan(2 * stripTile.height);
    await expectDecoding(B.page, "a camera in the strip", "main", T, 10, c.user.id);
    await B.page.screenshot({ path: artifactPath("group-call-screen-share.png") });
    await C.page.screenshot({ path: artifactPath("group-call-screen-share-mobile.png") });
    // The sharer is told so without covering any tile's link quality (a pill over the stage hid the top of the tiles).
    const sharing = (await A.page.getByTestId("sharing-indicator").boundingBox({ timeout: T }))!;
    for (const q of await A.page.getByTestId("quality-indicator").all()) {
      const box = (await q.boundingBox())!;
      const apart = box.x >= sharing.x + sharing.width || sharing.x >= box.x + box.width || box.y >= sharing.y + sharing.height || sharing.y >= box.y + box.height;
      expect(apart).toBe(true);
    }
    await button(A.page, "Stop sharing").click();
    await B.page.getByTestId("screen-video").waitFor({ state: "detached", timeout: T });

    // Recording works in a group call as in a 1:1 one: a WebM file, and the call goes on.
    await button(A.page, "Start recording").click();
    await A.page.getByTestId("recording-indicator").waitFor({ timeout: T });
    await Bun.sleep(3000);
    await expectRecordingFile(A.page);
    await expectDecoding(B.page, "b still receives a after the recording", "main", T, 10, a.user.id);

    // B reloads mid-call: the others see B's tile reconnecting; within the grace period the page takes its place again and media flows both ways.
    const sawReconnecting = await watchForText(A.page, "Reconnecting…", `[data-testid="call-tile"][data-participant="${b.user.id}"]`);
    await B.page.reload();
    await expectDecoding(B.page, "the reloaded page receives a", "main", T, 10, a.user.id);
    await expectDecoding(B.page, "the reloaded page receives c", "main", T, 10, c.user.id);
    await expectDecoding(A.page, "a receives the reloaded page", "main", T, 10, b.user.id);
    expect(await sawReconnecting()).toBe(true);
    expect(await A.page.locator(`[data-participant="${b.user.id}"]`).getByText("Reconnecting…").count()).toBe(0);
  }, 180_000);

  test("the active speaker follows the one fake microphone that is unmuted, on every other page, and into the picture-in-picture window", async () => {
    const {
      users: [a, b, c],
      pages: [A, B, C],
    } = await stage.group(3, { name: "speakers" });
    await button(A.page, "Start video call").click({ timeout: T });
    for (const P of [B, C]) await button(P.page, "Accept").click({ timeout: T });
    for (const P of [A, B, C]) await P.page.getByTestId("call-grid").waitFor({ timeout: T });
    const ids = { a: a.user.id, b: b.user.id, c: c.user.id };
    const pages = { a: A.page, b: B.page, c: C.page };
    await button(B.page, "Mute microphone").click();
    await button(C.page, "Mute microphone").click();
    await expectOnlySpeaker(pages, ids, "a", T);
    await B.page.screenshot({ path: artifactPath("group-call-active-speaker.png") });
    // Picture in picture plays the one speaking, live.
    await button(B.page, "Picture in picture").click();
    await expectPip(B.page, ids.a, T);
    // The turn passes to Cat: the highlight follows her, and so does the open window.
    await button(A.page, "Mute microphone").click();
    await button(C.page, "Unmute microphone").click();
    await expectOnlySpeaker(pages, ids, "c", T);
    await expectPip(B.page, ids.c, T);
    await button(B.page, "Picture in picture").click();
    await until("the picture-in-picture window closes", () => B.page.evaluate(() => document.pictureInPictureElement === null), T);
  }, 180_000);
});
