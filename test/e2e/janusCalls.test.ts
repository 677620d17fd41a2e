/**
 * Group calls through the external SFU (SFU=janus), end to end: a Parley node drives a real
 * Janus VideoRoom that this suite starts in a network namespace behind a veth pair (Janus
 * gathers no candidates on loopback; the pages reach it over the veth like any host address).
 * Chromium pages with fake devices, one context per user, in a group DM call past MESH_MAX=2:
 * it only counts as working when the receiving pages' getStats() show frames decoded and audio
 * packets received from every publisher.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { SCREEN_CAPTURE_FLAGS, until } from "../support/browser";
import { button, callStage, expectEveryoneReceives, expectViaSfu, startCallServer, type CallServer, type OpenPage } from "../support/calls";
import { smallCameraFlag } from "../support/camera";
import { janusAvailable, startJanus, type JanusServer } from "../support/janus";

/** Generous: several pages encode and decode at once on a small, shared machine. */
const T = 60_000;
const HOOK = 60_000;
const stage = callStage("janus calls e2e", { flags: [...SCREEN_CAPTURE_FLAGS, smallCameraFlag()], env: false });
const enabled = stage.enabled && janusAvailable("janus calls e2e");

let janus: JanusServer | undefined;
let srv: CallServer;

beforeAll(async () => {
  if (!enabled) return;
  janus = await startJanus();
  // Past two people the call goes through the SFU: three pages are enough to prove it.
  srv = await startCallServer({ SFU: "janus", JANUS_URL: janus.url, MESH_MAX: "2" });
}, HOOK);
afterAll(async () => {
  await srv?.node.dispose();
  await janus?.close();
}, HOOK);

const idsOf = (users: Record<string, { user: { id: string } }>) => Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.user.id]));
const pagesOf = (open: Record<string, OpenPage>) => Object.fromEntries(Object.entries(open).map(([k, p]) => [k, p.page]));

describe.skipIf(!enabled)("group calls through Janus in Chromium", () => {
  test("every receiver decodes every publisher; after one leaves, a late joiner decodes everyone and everyone decodes them", async () => {
    const {
      users: [a, b, c, d],
      pages: [A, B, C, D],
    } = await stage.group(4, { name: "janus", srv });
    await button(A.page, "Start video call").click({ timeout: T });
    await button(D.page, "Decline").click({ timeout: T });
    for (const P of [B, C]) await button(P.page, "Accept").click({ timeout: T });
    for (const P of [A, B, C]) await until("the call through the SFU", () => expectViaSfu(P.page, 2), T);
    await expectEveryoneReceives(pagesOf({ a: A, b: B, c: C }), idsOf({ a, b, c }), undefined, T);

    await button(C.page, "Hang up").click({ timeout: T });
    for (const P of [A, B]) await until("the leaver gone from the subscription", () => expectViaSfu(P.page, 1), T);
    await expectEveryoneReceives(pagesOf({ a: A, b: B }), idsOf({ a, b }), undefined, T);

    await D.page.getByTestId("live-call").getByRole("button", { name: "Join" }).click({ timeout: T });
    for (const P of [A, B, D]) await until("the late joiner's call through the SFU", () => expectViaSfu(P.page, 2), T);
    await expectEveryoneReceives(pagesOf({ a: A, b: B, d: D }), idsOf({ a, b, d }), undefined, T);
  }, 300_000);
});
