/**
 * Group DM calls in Chromium, proven on the receiving side (getStats: audio packetsReceived and
 * video framesDecoded growing from every other participant): an outsider's signaling refused.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { ServerEvent } from "../../src/shared/protocol";
import { button, callStage, expectDecoding, expectEveryoneReceives, openAs, rawFrame, type OpenPage, type TestUser } from "../support/calls";
import { registerUser } from "../support/parley";

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
