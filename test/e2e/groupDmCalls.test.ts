/**
 * Group DM calls in Chromium, proven on the receiving side (getStats: audio packetsReceived and
 * video framesDecoded growing from every other participant): ringing, declining, joining late
 * from the conversation, a 1:1 call growing into a group call, an outsider's signaling refused.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { ServerEvent } from "../../src/shared/protocol";
import { artifactPath, until } from "../support/browser";
import { button, callStage, expectDecoding, expectEveryoneReceives, openAs, rawFrame, type OpenPage, type TestUser } from "../support/calls";
import { registerUser } from "../support/parley";
import { befriend } from "../support/social";

const T = 30_000;
const stage = callStage("group DM calls e2e");

/** `caller` rings the group; each of `answer` accepts; returns once every page in the call shows the grid. */
async function ringAndAnswer(caller: Page, answer: Page[]): Promise<void> {
  await button(caller, "Start video call").click({ timeout: T });
  for (const P of answer) await button(P, "Accept").waitFor({ timeout: T });
  for (const P of answer) await button(P, "Accept").click();
  for (const P of [caller, ...answer]) await P.getByTestId("call-grid").waitFor({ timeout: T });
}

const byName = (users: Record<string, TestUser>) => Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.user.id]));
const pagesOf = (open: Record<string, OpenPage>) => Object.fromEntries(Object.entries(open).map(([k, p]) => [k, p.page]));

describe.skipIf(!stage.enabled)("group DM calls in Chromium", () => {
  test("a group DM call rings every member; one declines (the others see it), two join and all three decode each other; the decliner joins late from the conversation's Join cue and decodes everyone", async () => {
    const {
      users: [a, b, c, d],
      pages: [A, B, C, D],
    } = await stage.group(4, { name: "four" });
    await button(A.page, "Start video call").click({ timeout: T });
    for (const P of [B, C, D]) await button(P.page, "Accept").waitFor({ timeout: T });
    await button(B.page, "Accept").click();
    await B.page.getByTestId("call-grid").waitFor({ timeout: T });
    await button(D.page, "Decline").click();
    for (const P of [A.page, B.page]) await P.getByRole("status").filter({ hasText: "declined the call" }).first().waitFor({ timeout: T });
    await button(C.page, "Accept").click();
    await C.page.getByTestId("call-grid").waitFor({ timeout: T });
    // Nobody is rung any more: the participants panel lists the three, and no one ringing.
    await button(C.page, "Show participants").click();
    await C.page.getByTestId("participant-row").nth(2).waitFor({ timeout: T });
    expect(await C.page.locator('[data-testid="participant-row"][data-ringing]').count()).toBe(0);
    await expectEveryoneReceives(pagesOf({ a: A, b: B, c: C }), byName({ a, b, c }), undefined, T);
    await A.page.screenshot({ path: artifactPath("group-dm-declined.png") });

    // Dan is back in the conversation with the cue, and joins the running call from it.
    const cue = D.page.getByTestId("live-call");
    await cue.filter({ hasText: "3 people in the call" }).waitFor({ timeout: T });
    await D.page.screenshot({ path: artifactPath("group-dm-join-cue.png") });
    // Its faces are small (24 px), not the avatar's default size the sizing class lost to.
    expect(await cue.locator(".rounded-full").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))).toEqual([24, 24, 24]);
    await cue.getByRole("button", { name: "Join", exact: true }).click();
    await D.page.getByTestId("call-grid").waitFor({ timeout: T });
    await expectEveryoneReceives(pagesOf({ a: A, b: B, c: C, d: D }), byName({ a, b, c, d }), undefined, T);
  }, 240_000);

  test("a 1:1 call adds a third person from Add people: she is rung, and on answering the call goes on as a group call where all three decode each other", async () => {
    const { a, b, A, B } = await stage.pair();
    const [c] = await stage.users(1);
    const C = await stage.open(c, `/c/${await befriend(stage.node, a, c)}`);
    await button(A.page, "Start video call").click({ timeout: T });
    await button(B.page, "Accept").click({ timeout: T });
    await expectEveryoneReceives(pagesOf({ a: A, b: B }), byName({ a, b }), undefined, T);

    await button(A.page, "Add people").click();
    const menu = A.page.getByRole("menu", { name: "Add people" });
    // Bob is in the call already: only Cat is offered.
    await until("Cat offered, alone", async () => (await menu.getByRole("menuitem").count()) === 1);
    await A.page.screenshot({ path: artifactPath("call-add-people.png") });
    await menu.getByRole("menuitem").first().click();
    await button(C.page, "Accept").waitFor({ timeout: T });
    await button(A.page, "Show participants").click();
    await A.page.locator(`[data-testid="participant-row"][data-ringing][data-participant="${c.user.id}"]`).waitFor({ timeout: T });
    await button(C.page, "Accept").click();
    for (const P of [A.page, B.page, C.page]) await P.getByTestId("call-grid").waitFor({ timeout: T });
    await expectEveryoneReceives(pagesOf({ a: A, b: B, c: C }), byName({ a, b, c }), undefined, T);
    await B.page.screenshot({ path: artifactPath("call-grown-to-group.png") });

    // No longer 1:1: Bob hanging up leaves Ann and Cat in the call, still decoding each other.
    await button(B.page, "Hang up").click();
    await until("Bob's tile leaves Ann's grid", async () => (await A.page.locator(`[data-testid="call-tile"][data-participant="${b.user.id}"]`).count()) === 0);
    await expectDecoding(A.page, "Ann still receives Cat", "main", T, 10, c.user.id);
    await expectDecoding(C.page, "Cat still receives Ann", "main", T, 10, a.user.id);
  }, 240_000);

  test("an outsider's rtc:* and sfu:* frames are refused and reach no one", async () => {
    const {
      users: [a, b, c],
      pages: [A, B, C],
    } = await stage.group(3, { name: "private" });
    await ringAndAnswer(A.page, [B.page, C.page]);
    await expectEveryoneReceives(pagesOf({ a: A, b: B, c: C }), byName({ a, b, c }), undefined, T);
    const callId = await A.page.evaluate(() => window.__parleyCall?.callId ?? null);
    expect(callId).toBeTruthy();
    const eve = await registerUser(stage.node);
    const E = stage.pages.track(await openAs(stage.browser, stage.base, eve, "/"));
    const delivered: ServerEvent[] = [];
    const stop = stage.node.bus.subscribe((e) => {
      if (e.type === "deliver" && /^(rtc|sfu):/.test(e.event.type)) delivered.push(e.event);
    });
    const frames = [
      { type: "rtc:offer", callId, to: b.user.id, channel: "main", sdp: "v=0 evil" },
      { type: "rtc:answer", callId, to: c.user.id, channel: "main", sdp: "v=0 evil" },
      { type: "rtc:ice", callId, to: a.user.id, channel: "main", candidate: { candidate: "candidate:1 1 udp 1 10.0.0.66 9 typ host", sdpMid: "0" } },
      { type: "sfu:signal", callId, signal: { kind: "ice", link: "publish", candidate: null } },
      { type: "sfu:signal", callId, signal: { kind: "offer", link: "publish", sdp: "v=0 evil", sources: {} } },
    ];
    for (const f of frames) expect({ frame: f.type, reply: await rawFrame(E.page, f) }).toMatchObject({ frame: f.type, reply: { ok: false, error: { code: "FORBIDDEN" } } });
    // Whatever the participants' sockets got meanwhile came from the participants themselves.
    await Bun.sleep(1000);
    stop();
    expect(delivered.filter((e) => !("from" in e) || e.from === eve.user.id)).toEqual([]);
    for (const [P, who] of [
      [A.page, "a"],
      [B.page, "b"],
      [C.page, "c"],
    ] as const) {
      await expectDecoding(P, `${who}'s call is undisturbed`, "main", T);
    }
  }, 180_000);
});
