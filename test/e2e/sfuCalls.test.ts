/**
 * Group calls through the embedded SFU, end to end: Chromium pages with fake devices (one
 * browser, a context per user) in a group DM call. Past MESH_MAX the server moves the call to
 * its SFU and every page follows; it only counts as working when the receiving pages'
 * getStats() show frames decoded. The SFU also names the active speaker from the RFC 6464
 * audio levels the publishers send.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { SCREEN_CAPTURE_FLAGS, artifactPath, browserAvailable, launchBrowser, until } from "../support/browser";
import { CallPages, button, expectDecoding, expectOnlySpeaker, expectViaSfu, groupConversation, startCallServer, watchForText, type CallServer, type OpenPage } from "../support/calls";
import { LINK_CONNECT_MS } from "../../src/client/rtc/transports/sfu-watch";
import { smallCameraFlag } from "../support/camera";
import { registerUser } from "../support/parley";
import { stallFirstSubscribeDtls } from "../support/sfu-faults";

const enabled = browserAvailable("sfu calls e2e");
/** Generous: several pages encode and decode at once on a small, shared machine. */
const T = 60_000;
const HOOK = 60_000;
const pages = new CallPages();

beforeAll(async () => {
  if (enabled) pages.browser = await launchBrowser([...SCREEN_CAPTURE_FLAGS, "--allow-loopback-in-peer-connection", smallCameraFlag()]);
}, HOOK);
afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
}, HOOK);
afterAll(async () => {
  await pages.browser?.close();
}, HOOK);

type User = Awaited<ReturnType<typeof registerUser>>;

/** `n` users (`known` ones first, then new ones), the first friends with all others and owner of a group DM holding them all; each on its page. */
async function group(srv: CallServer, n: number, known: User[] = []): Promise<{ users: User[]; open: OpenPage[] }> {
  const users = [...known];
  while (users.length < n) users.push(await registerUser(srv.node));
  const id = await groupConversation(srv, users, "crowd");
  // One at a time: a loaded machine opens several pages at once too slowly.
  const open: OpenPage[] = [];
  for (const u of users) open.push(await pages.open(srv.base, u, `/c/${id}`, { width: 960, height: 600 }));
  return { users, open };
}

/** The caller starts a video call; everyone else's page rings. */
async function ringAll(open: OpenPage[]): Promise<void> {
  await button(open[0]!.page, "Start video call").click({ timeout: T });
  await Promise.all(open.slice(1).map((p) => button(p.page, "Accept").waitFor({ timeout: T })));
}

describe.skipIf(!enabled)("calls through the SFU in Chromium", () => {
  let srv: CallServer;
  beforeAll(async () => {
    // Past two people the call goes through the SFU: three pages are enough to prove it.
    srv = await startCallServer({ MESH_MAX: "2" });
  }, HOOK);
  afterAll(() => srv?.node.dispose(), HOOK);

  test("screen share in an SFU call decodes on every receiver", async () => {
    const { users, open } = await group(srv, 3);
    const [A, B, C] = open.map((p) => p.page) as [Page, Page, Page];
    await ringAll(open);
    await button(B, "Accept").click({ timeout: T });
    await button(C, "Accept").click({ timeout: T });
    for (const P of [A, B, C]) await until("the call through the SFU", () => expectViaSfu(P, 2), T);
    await button(A, "Share screen").click({ timeout: T });
    for (const P of [B, C]) {
      await P.getByTestId("screen-video").waitFor({ timeout: T });
      await expectDecoding(P, "the shared screen", "screen", T, 10, users[0]!.user.id);
    }
    await B.screenshot({ path: artifactPath("sfu-call-screen-share.png") });
    await button(A, "Stop sharing").click({ timeout: T });
    for (const P of [B, C]) await P.getByTestId("screen-video").waitFor({ state: "detached", timeout: T });
  }, 240_000);

  test("the SFU names the one unmuted fake microphone as the active speaker from its audio levels, and every other page rings that tile; it follows the turn", async () => {
    const { users, open } = await group(srv, 3);
    const [A, B, C] = open.map((p) => p.page) as [Page, Page, Page];
    // What the SFU says to the pages (sfu:speaker, from RFC 6464 levels), off the node's bus.
    const named: (string | null)[] = [];
    const stop = srv.node.bus.subscribe((e) => {
      if (e.type === "deliver" && e.event.type === "sfu:speaker") named.push(e.event.participantId);
    });
    try {
      await ringAll(open);
      await button(B, "Accept").click({ timeout: T });
      await button(C, "Accept").click({ timeout: T });
      for (const P of [A, B, C]) await until("the call through the SFU", () => expectViaSfu(P, 2), T);
      const [a, b, c] = users.map((u) => u.user.id) as [string, string, string];
      const ids = { a, b, c };
      const pages = { a: A, b: B, c: C };
      await button(B, "Mute microphone").click({ timeout: T });
      await button(C, "Mute microphone").click({ timeout: T });
      await until("the SFU names a", () => named.at(-1) === a, T);
      await expectOnlySpeaker(pages, ids, "a", T);
      await button(A, "Mute microphone").click({ timeout: T });
      await button(C, "Unmute microphone").click({ timeout: T });
      await until("the SFU names c", () => named.at(-1) === c, T);
      await expectOnlySpeaker(pages, ids, "c", T);
    } finally {
      stop();
    }
  }, 240_000);

  test("switching the camera in an SFU call replaces the publish link's camera track, and the others keep decoding it", async () => {
    const { users, open } = await group(srv, 3);
    const [A, B, C] = open.map((p) => p.page) as [Page, Page, Page];
    const a = users[0]!.user.id;
    await ringAll(open);
    await button(B, "Accept").click({ timeout: T });
    await button(C, "Accept").click({ timeout: T });
    for (const P of [A, B, C]) await until("the call through the SFU", () => expectViaSfu(P, 2), T);
    for (const P of [B, C]) await expectDecoding(P, "a's camera before the switch", "main", T, 10, a);
    const cameraTrack = () => A.evaluate(() => window.__parleyCall?.publisher()?.getSenders().find((s) => s.track?.kind === "video")?.track?.id ?? null);
    const before = await cameraTrack();
    expect(before).toBeTruthy();
    await button(A, "Devices").click({ timeout: T });
    const cameras = A.getByRole("group", { name: "Camera" }).getByRole("menuitemradio");
    await cameras.first().waitFor({ timeout: T });
    // Chromium's fake device has one camera: picking it again opens a fresh track (same path as another camera).
    await cameras.last().click();
    await until("the publish link's camera track to be replaced", async () => {
      const now = await cameraTrack();
      return now !== null && now !== before;
    }, T);
    for (const P of [B, C]) await expectDecoding(P, "a's camera after the switch", "main", T, 10, a);
  }, 240_000);

  test("in an SFU call every remote tile's connection quality shows bars rather than measuring; a pinned tile is shown large and still decodes", async () => {
    const { users, open } = await group(srv, 3);
    const [A, B, C] = open.map((p) => p.page) as [Page, Page, Page];
    const [, b, c] = users as [User, User, User];
    await ringAll(open);
    await button(B, "Accept").click({ timeout: T });
    await button(C, "Accept").click({ timeout: T });
    for (const P of [A, B, C]) await until("the call through the SFU", () => expectViaSfu(P, 2), T);
    const tile = (P: Page, u: User) => P.locator(`[data-testid="call-tile"][data-participant="${u.user.id}"]`);
    for (const u of [b, c]) {
      const bars = tile(A, u).locator("[data-testid=quality-indicator][data-bars]");
      await until(`${u.user.username}'s tile shows its connection quality`, async () => Number(await bars.getAttribute("data-bars", { timeout: 1000 })) >= 1, T);
    }
    await A.screenshot({ path: artifactPath("sfu-call-quality.png") });

    await tile(A, b).getByRole("button", { name: `Pin ${b.user.username}` }).click();
    await tile(A, b).getByRole("button", { name: `Unpin ${b.user.username}` }).waitFor({ timeout: T });
    const width = async (u: User) => (await tile(A, u).boundingBox())!.width;
    await until("the pinned tile is the large one", async () => (await width(b)) > 2 * (await width(c)), T);
    await expectDecoding(A, "the pinned participant decodes", "main", T, 10, b.user.id);
    await A.screenshot({ path: artifactPath("sfu-call-pinned.png") });
    await tile(A, b).getByRole("button", { name: `Unpin ${b.user.username}` }).click();
    await until("the grid is even again", async () => Math.abs((await width(b)) - (await width(c))) < 2, T);
  }, 240_000);

  test("a participant whose SFU links die on the server gets fresh ones and decodes again, and nobody leaves the call meanwhile", async () => {
    const { pages, ids: [a, b], callId, gone, stop } = await sfuCallOfThree();
    const [A, B] = pages;
    try {
      await expectDecoding(B, "a's camera before b's links die", "main", T, 10, a);
      await markLink(B);
      // The SFU's end of b's links stops, as a failed DTLS transport or a lost path would: nothing
      // on the server puts it back, only b's page can.
      await srv.node.sfu.leave(callId, b);
      await until("b's page to make fresh SFU links", () => freshLink(B), 45_000);
      await expectDecoding(B, "a's camera on b's fresh links", "main", T, 10, a);
      await expectDecoding(A, "b's camera after b's links came back", "main", T, 10, b);
      // The previous tests' calls end meanwhile: only this one counts.
      expect(gone.filter((g) => g.callId === callId)).toEqual([]);
      for (const P of pages) await expectViaSfu(P, 2);
    } finally {
      stop();
    }
  }, 240_000);

  test("a participant whose SFU subscribe link never gets past connecting (the SFU's DTLS never answers) shows reconnecting, gets fresh links and decodes again, and nobody leaves the call", async () => {
    const users = [await registerUser(srv.node), await registerUser(srv.node)];
    const b = users[1]!.user.id;
    const fault = stallFirstSubscribeDtls(srv.node.sfu, b);
    try {
      const { pages, ids: [a], callId, gone, stop } = await sfuCallOfThree(users);
      const [A, B] = pages;
      try {
        await until("b's first subscribe link to stall on the SFU", fault.stalled, T);
        await markLink(B);
        const aTile = `[data-testid="call-tile"][data-participant="${a}"]`;
        const sawReconnecting = await watchForText(B, "Reconnecting…", aTile);
        // Given up on after LINK_CONNECT_MS, the link's tiles say so until the fresh links connect.
        await B.locator(aTile).getByRole("status").filter({ hasText: "Reconnecting…" }).waitFor({ timeout: LINK_CONNECT_MS + 25_000 });
        await B.screenshot({ path: artifactPath("sfu-call-link-never-connected.png") });
        await until("b's page to make fresh SFU links", () => freshLink(B), 60_000);
        // The stalled link never got connected: it was given up, not dropped after working.
        expect(await B.evaluate(() => (window as unknown as { deadStates: string[] }).deadStates)).not.toContain("connected");
        await expectDecoding(B, "a's camera on b's fresh links", "main", T, 10, a);
        await expectDecoding(A, "b's camera after b's links came back", "main", T, 10, b);
        expect(await sawReconnecting()).toBe(true);
        expect(await B.locator(aTile).getByText("Reconnecting…").count()).toBe(0);
        expect(gone.filter((g) => g.callId === callId)).toEqual([]);
        for (const P of pages) await expectViaSfu(P, 2);
      } finally {
        stop();
      }
    } finally {
      fault.restore();
    }
  }, 240_000);

  /**
   * A video call of three (`known` users first, then new ones) through the SFU, everyone
   * accepted; `gone` collects who the server says left or went away in any call until `stop`:
   * nobody may, for the SFU links' sake.
   */
  async function sfuCallOfThree(known: User[] = []) {
    const { users: all, open } = await group(srv, 3, known);
    const pages = open.map((p) => p.page) as [Page, Page, Page];
    const ids = all.map((u) => u.user.id) as [string, string, string];
    const gone: { callId: string; type: string }[] = [];
    const stop = srv.node.bus.subscribe((e) => {
      if (e.type !== "deliver") return;
      const ev = e.event;
      if (ev.type === "call:participant-left" || ev.type === "call:participant-reconnecting" || ev.type === "call:ended") gone.push({ callId: ev.callId, type: ev.type });
    });
    await ringAll(open);
    await button(pages[1], "Accept").click({ timeout: T });
    await button(pages[2], "Accept").click({ timeout: T });
    for (const P of pages) await until("the call through the SFU", () => expectViaSfu(P, 2), T);
    const callId = await pages[0].evaluate(() => window.__parleyCall!.callId!);
    return { pages, ids, callId, gone, stop };
  }
});

/** Remembers the page's current SFU subscribe link (freshLink tells another from it) and the states it goes through. */
function markLink(P: Page): Promise<void> {
  return P.evaluate(() => {
    const w = window as unknown as { deadLink: RTCPeerConnection | undefined; deadStates: string[] };
    const pc = (w.deadLink = window.__parleyCall?.peers()[0]?.pc);
    w.deadStates = [pc?.connectionState ?? "none"];
    pc?.addEventListener("connectionstatechange", () => w.deadStates.push(pc.connectionState));
  });
}

/** Whether the page's SFU subscribe link is another than the one markLink saw, and connected. */
function freshLink(P: Page): Promise<boolean> {
  return P.evaluate(() => {
    const pc = window.__parleyCall?.peers()[0]?.pc;
    return !!pc && pc !== (window as unknown as { deadLink: unknown }).deadLink && pc.connectionState === "connected";
  });
}
