/**
 * Crowded calls through the embedded SFU in Chromium (fake devices, a small camera, a context
 * per user, pages opened one at a time): a group DM call that grows past MESH_MAX. It counts
 * only when every page's getStats() shows camera frames decoded and microphone packets received
 * from every other participant.
 */
import { describe, test } from "bun:test";
import type { Page } from "playwright-core";
import { artifactPath, until } from "../support/browser";
import { smallCameraFlag } from "../support/camera";
import { button, callStage, expectFlowFromAll, expectViaSfu, groupConversation, type OpenPage, type TestUser } from "../support/calls";

/** Generous: five pages encode and decode at once on a small, shared machine. */
const T = 90_000;
const VIEWPORT = { width: 960, height: 600 };
// MESH_MAX is the default (4): the fifth person moves a call to the SFU.
const stage = callStage("sfu crowd e2e", { flags: ["--allow-loopback-in-peer-connection", smallCameraFlag()] });

interface InCall {
  user: TestUser;
  page: Page;
}

/** Every page receives camera and microphone from every other one (one page at a time, all senders at once). */
async function expectAllReceiveAll(people: InCall[], what: string): Promise<void> {
  for (const me of people) {
    const others = people.filter((p) => p !== me).map((p) => p.user.user.id);
    await expectFlowFromAll(me.page, `${what}: ${me.user.user.username}`, others, T);
  }
}

/** Passes once each remote participant of `page` comes over a connection of its own. */
async function throughMesh(page: Page, others: number): Promise<void> {
  const pcs = await page.evaluate(() => {
    const all = window.__parleyCall?.peers() ?? [];
    return { peers: all.length, pcs: new Set(all.map((p) => p.pc)).size };
  });
  if (pcs.peers !== others || pcs.pcs !== others) throw new Error(JSON.stringify(pcs));
}

describe.skipIf(!stage.enabled)("crowded calls through the SFU in Chromium", () => {
  test("3 users in mesh all decode each other; a 5th joiner moves the call to the SFU and all 5 decode all 4 others", async () => {
    const users = await stage.users(5);
    const conv = await groupConversation(stage, users, "five");
    const open: OpenPage[] = [];
    for (const u of users) open.push(await stage.open(u, `/c/${conv}`, { viewport: VIEWPORT }));
    const people: InCall[] = users.map((user, i) => ({ user, page: open[i]!.page }));
    const [A, B, C, D, E] = people.map((p) => p.page) as [Page, Page, Page, Page, Page];

    await button(A, "Start video call").click({ timeout: T });
    for (const P of [B, C, D, E]) await button(P, "Accept").waitFor({ timeout: T });
    await button(B, "Accept").click();
    await button(C, "Accept").click();
    // D and E come later, from the group's "in progress" banner.
    await button(D, "Decline").click();
    await button(E, "Decline").click();
    for (const P of [A, B, C]) await until("a mesh of three", () => throughMesh(P, 2), T);
    await expectAllReceiveAll(people.slice(0, 3), "three in a mesh");

    const joinFromBanner = (P: Page) => P.getByTestId("live-call").getByRole("button", { name: "Join" }).click({ timeout: T });
    await joinFromBanner(D);
    for (const P of [A, B, C, D]) await until("a mesh of four", () => throughMesh(P, 3), T);
    await expectFlowFromAll(D, "the fourth receives the mesh", people.slice(0, 3).map((p) => p.user.user.id), T);

    // The fifth is past MESH_MAX: everyone follows the call onto the SFU.
    await joinFromBanner(E);
    for (const P of [A, B, C, D, E]) await until("the call through the SFU", () => expectViaSfu(P, 4), T);
    await expectAllReceiveAll(people, "five through the SFU");
    await E.screenshot({ path: artifactPath("sfu-crowd-5.png") });
  }, 420_000);
});
