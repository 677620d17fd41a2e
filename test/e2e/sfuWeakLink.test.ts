/**
 * A subscriber on a weak link through the embedded SFU, in Chromium (support/weak-link.ts): its
 * Chromium runs in a network namespace whose only way in is a veth pair to this host, capped.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { WeriftSfu } from "../../src/server/sfu/werift";
import { browserAvailable } from "../support/browser";
import { createNetns, netnsMissing, type Netns } from "../support/netns";
import { startWeakLinkPages, WEAK_LINK_MS, weakLinkScenario, type WeakLinkPages } from "../support/weak-link";

const missing = netnsMissing();
if (missing) console.warn(`sfu weak link: skipped — needs ${missing}`);
const run = browserAvailable("sfu weak link") && !missing;

let ns: Netns;
let pages: WeakLinkPages;
let sfu: WeriftSfu;

beforeAll(async () => {
  if (!run) return;
  ns = await createNetns();
  pages = await startWeakLinkPages(ns);
}, 60_000);

afterAll(async () => {
  await sfu?.close();
  await pages?.close();
  await ns?.close();
});

describe.skipIf(!run)("a subscriber on a weak link (embedded SFU, Chromium)", () => {
  test("gets the lowest layer, a picture that keeps moving and rare probes of its link while the link is capped, while another subscriber keeps the top layer; lifted, it gets the top layer back", async () => {
    sfu = new WeriftSfu();
    // Alone it froze only at its two probes, 1.2 s each, the unconstrained subscriber as often
    // (the probes' keyframes stall the upper layer). With 2–4 busy loops on the 2 cores both froze
    // 3–12 times, in the same seconds; the capped one at most 0 more times but once 8 s longer (a
    // keyframe lost to the cap: Chromium asks again only after 3 s).
    await weakLinkScenario(sfu, pages, (kbit) => ns.shape(kbit), { label: "embedded", maxExtraFreezes: 3, maxExtraFrozenS: 15, maxProbes: 3, minFramesPer5s: 10 });
  }, WEAK_LINK_MS);
});
