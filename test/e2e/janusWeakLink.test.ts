/**
 * A subscriber on a weak link through Janus, in Chromium (support/weak-link.ts). Janus runs in
 * its own network namespace (it gathers no candidates on loopback); the weak subscriber's
 * Chromium runs in another, joined to Janus' by a veth pair of their own whose rate is capped
 * (and to this host by one that only serves it its page). Janus estimates no subscriber's
 * bandwidth: what moves this one to the lowest layer is the loss its client reports.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { JanusSfu } from "../../src/server/sfu/janus";
import { browserAvailable } from "../support/browser";
import { janusAvailable, startJanus, type JanusServer } from "../support/janus";
import { createNetns, linkNetns, type Netns, type NetnsLink } from "../support/netns";
import { startWeakLinkPages, WEAK_LINK_MS, weakLinkScenario, type WeakLinkPages } from "../support/weak-link";

const run = browserAvailable("janus weak link") && janusAvailable("janus weak link");

let janus: JanusServer;
let ns: Netns;
let link: NetnsLink;
let pages: WeakLinkPages;
let sfu: JanusSfu;

beforeAll(async () => {
  if (!run) return;
  janus = await startJanus();
  ns = await createNetns();
  link = await linkNetns(ns, janus.netns);
  pages = await startWeakLinkPages(ns);
}, 60_000);

afterAll(async () => {
  await sfu?.close();
  await pages?.close();
  await ns?.close();
  await janus?.close();
});

describe.skipIf(!run)("a subscriber on a weak link (Janus, Chromium)", () => {
  test("gets the lowest layer, a picture that keeps moving and rare probes of its link while the link is capped, while another subscriber keeps the top layer; lifted, it gets the top layer back", async () => {
    sfu = new JanusSfu(janus.url);
    // On its default fallback Janus asked the publisher for upper-layer keyframes on its own, about
    // 2 a second for half the capped window (60 in 33 s, 72 in 33 s, 43 in 22 s in three runs);
    // with ours (janus-member.ts FALLBACK_US) one run saw 8 in the 65 s and 2 probes, but a starved
    // encoder can still pause a layer past it, so probes are not counted yet, and only the capped subscriber's freezes beyond the
    // unconstrained one's are judged: -3, 2 and -9 more (1.3 s, 5.8 s and -1.6 s longer) in
    // three runs alone, the unconstrained one freezing 10, 0 and 13 times. Those keyframes cost the
    // publisher's encoder its frame rate: inside a full CI run (3932e50) the capped subscriber
    // decoded 256 frames in 64 s, 9 in its slowest 5 s, the unconstrained one 125, so the picture
    // need move only 1 frame a second here (the embedded SFU is held to 2).
    await weakLinkScenario(sfu, pages, (kbit) => link.shape(kbit), { label: "janus", maxExtraFreezes: 6, maxExtraFrozenS: 15, maxProbes: null, minFramesPer5s: 5 });
  }, WEAK_LINK_MS);
});
