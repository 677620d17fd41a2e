/**
 * A meeting that grows past nine people in Chromium, through the embedded SFU: the grid at 2, 5
 * and 9 tiles (screenshots) and its second page. Two people send a camera from a page of their
 * own (fake devices, the small camera); the others are in the call from a socket with no media
 * (their tiles show their avatar), so the machine runs three pages, not ten. It counts only by
 * the viewer's getStats(): camera frames decoded from the one on its page, none from the one on
 * the other page (whose voice it still receives) but while its picture-in-picture window plays
 * them, or once it turns to that page.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { artifactPath, settled, until } from "../support/browser";
import { smallCameraFlag } from "../support/camera";
import { button, callStage, expectFlowFromAll, expectPip, flowByPeer, openAs, type TestUser } from "../support/calls";
import { connectWs, type WsClient } from "../support/ws";

const T = 90_000;
const VIEWPORT = { width: 1024, height: 640 };
// Past two people a room's call goes through the SFU, where a tile's size (or its absence) picks what is forwarded.
const stage = callStage("sfu grid e2e", { flags: ["--allow-loopback-in-peer-connection", smallCameraFlag()], env: { MESH_MAX: "2" } });

/** `u` opens the meeting and joins from its pre-join screen. */
async function joinPage(u: TestUser, path: string): Promise<Page> {
  const { page } = stage.pages.track(await openAs(stage.browser, stage.base, u, path, VIEWPORT));
  await button(page, "Join now").click({ timeout: T });
  await page.getByRole("dialog", { name: /Call with/ }).waitFor({ timeout: T });
  return page;
}

/** `u` in the call from a socket: no camera, no microphone, a tile with their avatar. */
async function joinSocket(u: TestUser, conversationId: string): Promise<WsClient> {
  const ws = await connectWs(stage.base, u.jar);
  await ws.request({ type: "hello" });
  const reply = await ws.request({ type: "call:join", conversationId, media: { audio: false, video: false } });
  expect(reply.ok).toBe(true);
  return ws;
}

async function expectTiles(page: Page, n: number): Promise<void> {
  await until(`${n} tiles`, async () => (await page.getByTestId("call-grid").getAttribute("data-count")) === String(n), T);
}

/** True once `from`'s camera sent `page` no new frame for 2 s while their microphone kept arriving. */
async function cameraStopped(page: Page, from: string): Promise<boolean> {
  const before = (await flowByPeer(page))[from];
  await Bun.sleep(2000);
  const after = (await flowByPeer(page))[from];
  return !!before && !!after && after.video === before.video && after.audio > before.audio;
}

describe.skipIf(!stage.enabled)("a meeting's grid past nine people in Chromium", () => {
  test("the grid takes 2, 5 and 9 tiles; a tenth person goes to a second page, whose camera is not forwarded to the viewer (their voice is) but while the picture-in-picture window features them, or once the viewer turns to that page", async () => {
    const users = await stage.users(10);
    const res = await stage.node.req("/api/rooms", { method: "POST", json: { name: "Crowd" } }, users[0].jar);
    const { room } = (await res.json()) as { room: { slug: string; conversationId: string } };
    const path = `/r/${room.slug}`;
    const sockets: WsClient[] = [];
    try {
      const viewer = await joinPage(users[0], path);
      const first = await joinPage(users[1], path);
      await expectTiles(viewer, 2);
      await expectFlowFromAll(viewer, "the viewer decodes the first camera", [users[1].user.id], T);
      await settled(viewer);
      await viewer.screenshot({ path: artifactPath("call-grid-2.png") });

      for (const u of users.slice(2, 5)) sockets.push(await joinSocket(u, room.conversationId));
      await expectTiles(viewer, 5);
      await expectFlowFromAll(viewer, "five: the viewer decodes the first camera through the SFU", [users[1].user.id], T);
      await settled(viewer);
      await viewer.screenshot({ path: artifactPath("call-grid-5.png") });

      for (const u of users.slice(5, 9)) sockets.push(await joinSocket(u, room.conversationId));
      await expectTiles(viewer, 9);
      expect(await viewer.getByRole("navigation", { name: "Grid pages" }).count()).toBe(0);
      await settled(viewer);
      await viewer.screenshot({ path: artifactPath("call-grid-9.png") });

      // The tenth sends a camera and a microphone, and lands on the viewer's second page.
      const tenth = users[9].user.id;
      await joinPage(users[9], path);
      await viewer.getByText("Page 1 of 2").waitFor({ timeout: T });
      await expectTiles(viewer, 9);
      expect(await viewer.locator(`[data-testid="call-tile"][data-participant="${tenth}"]`).count()).toBe(0);
      await until("the tenth's voice arrives", async () => ((await flowByPeer(viewer))[tenth]?.audio ?? 0) > 0, T);
      await until("the tenth's camera not forwarded to the viewer", () => cameraStopped(viewer, tenth), T);
      await expectFlowFromAll(viewer, "the first camera still decodes", [users[1].user.id], T);
      await settled(viewer);
      await viewer.screenshot({ path: artifactPath("call-grid-10-page-1.png") });

      // Picture in picture features the tenth, the one voice left: their camera is forwarded for
      // the window though their tile is on the other page, and stops again once it closes.
      for (const P of [viewer, first]) await button(P, "Mute microphone").click();
      await button(viewer, "Picture in picture").click();
      await expectPip(viewer, tenth, T);
      await button(viewer, "Picture in picture").click();
      await until("the picture-in-picture window closes", () => viewer.evaluate(() => document.pictureInPictureElement === null), T);
      await until("the tenth's camera not forwarded once the window closed", () => cameraStopped(viewer, tenth), T);

      await button(viewer, "Next page").click();
      await viewer.getByText("Page 2 of 2").waitFor({ timeout: T });
      await viewer.locator(`[data-testid="call-tile"][data-participant="${tenth}"]`).waitFor({ timeout: T });
      await expectFlowFromAll(viewer, "the tenth's camera decodes on the page turned to", [tenth], T);
      await settled(viewer);
      await viewer.screenshot({ path: artifactPath("call-grid-10-page-2.png") });
    } finally {
      for (const ws of sockets) ws.close();
    }
  }, 420_000);
});
