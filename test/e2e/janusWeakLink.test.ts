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
    // Beside its two failed probes, the picture froze now and then between them through Janus
    // while the room asked publishers for a keyframe every 10 s (fir_freq 10): 6–17 freezes in
    // 65 s over four runs. With fir_freq off (janus-member.ts) it froze 3–5 times in four runs
    // alone, but 12 times (9.6 s) inside a full CI run; the embedded SFU freezes at its probes
    // only. Why Janus freezes more on a capped link is not isolated, so its bound is loose: the
    // check that the picture keeps moving (2 frames a second in every 5 s) still holds it.
    await weakLinkScenario(sfu, pages, (kbit) => link.shape(kbit), { label: "janus", maxFreezes: 20, maxFrozenS: 20 });
  }, WEAK_LINK_MS);
});
