/**
 * Six-person meetings (a room by link) through each SFU in Chromium: fake devices, the small
 * camera, one context per person in a small window, pages opened one at a time. Past two people
 * a call goes through the SFU: the embedded one, and Janus (SFU=janus, started by the suite in a
 * network namespace, see support/janus.ts). It counts only when every page's getStats() shows
 * camera frames decoded and microphone packets received from every other participant —
 * including someone who joins after another left, and who must decode everyone within 2 s of
 * clicking Join (plus what the machine's load adds, see JOIN_BUDGET).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { availableParallelism, loadavg } from "node:os";
import type { Page } from "playwright-core";
import { artifactPath, settled, until } from "../support/browser";
import { smallCameraFlag } from "../support/camera";
import { button, callStage, expectFlowFromAll, expectViaSfu, joinToFirstFrames, loopbackFirstFrameMs, openAs, sfuReport, startJoinClock, traceSfu, type CallServer, type SfuTrace, type TestUser } from "../support/calls";
import { janusAvailable, startJanus, type JanusServer } from "../support/janus";

/** Generous: six pages encode and decode at once on a small, shared machine. */
const T = 120_000;
const VIEWPORT = { width: 640, height: 400 };
const stage = callStage("sfu room e2e", { flags: ["--allow-loopback-in-peer-connection", smallCameraFlag()], env: false });
const withJanus = stage.enabled && janusAvailable("sfu room e2e (janus)");

let janus: JanusServer | undefined;
beforeAll(async () => {
  if (withJanus) janus = await startJanus();
}, 60_000);
afterAll(() => janus?.close(), 60_000);

/**
 * The "a late joiner decodes video within 2 s of joining", timed in the joiner's page from
 * its click on Join: 2 s, plus JOIN_LOAD_FACTOR times the page's yardstick (loopbackFirstFrameMs
 * just before the click: ~0.1 s on a quiet machine, growing with the load as a join does), so the
 * allowance stays near 2 s on a quiet machine, where a join that waits on a timer — a lost offer
 * repeated after 4 s (ANSWER_WAIT_MS), a keyframe asked for late — fails it. Past LOADED_PER_CORE
 * (1-minute load average per core) the time is only logged: there the server's process is starved
 * too, which the page's yardstick cannot see (joins measured 7–30 s at load 20–35 on the shared
 * 2-core box), and a timing would say nothing about the code. bench/joinLatency.ts keeps the figures.
 */
const JOIN_BUDGET_MS = 2_000;
const JOIN_LOAD_FACTOR = 12;
const LOADED_PER_CORE = 4;

interface InCall {
  user: TestUser;
  page: Page;
  /** The joiner page's loopbackFirstFrameMs just before its click (when timed). */
  yardstickMs?: number;
}

/** `u` opens the meeting link and joins from the pre-join screen (`clock`: timing from the click, see startJoinClock). */
async function join(srv: CallServer, u: TestUser, path: string, clock = false): Promise<InCall> {
  const { page } = stage.pages.track(await openAs(stage.browser, srv.base, u, path, VIEWPORT));
  const joinButton = page.getByRole("button", { name: /Join/ });
  await joinButton.waitFor({ timeout: T });
  const yardstickMs = clock ? await loopbackFirstFrameMs(page) : undefined;
  if (clock) await startJoinClock(page);
  await joinButton.click({ timeout: T });
  await page.getByRole("dialog", { name: /Call with/ }).waitFor({ timeout: T });
  return { user: u, page, yardstickMs };
}

/**
 * Every page receives camera and microphone from every other one. A failure says, per page, how
 * its SFU links stand and the SFU's last events for it (offers and the tracks they named).
 */
async function expectAllReceiveAll(people: InCall[], what: string, trace: SfuTrace): Promise<void> {
  for (const me of people) {
    const others = people.filter((p) => p !== me).map((p) => p.user.user.id);
    try {
      await expectFlowFromAll(me.page, `${what}: ${me.user.user.username}`, others, T);
    } catch (err) {
      const pages = people.map((p) => ({ id: p.user.user.id, name: p.user.user.username, page: p.page }));
      throw new Error(`${(err as Error).message}\nevery page's SFU links:\n${await sfuReport(pages, trace)}`);
    }
  }
}

async function allViaSfu(people: InCall[]): Promise<void> {
  for (const p of people) await until(`${people.length} through the SFU`, () => expectViaSfu(p.page, people.length - 1), T);
}

/**
 * Six meet, all decode all; the third leaves (a shot of the five left); a seventh joins, decodes
 * the first camera frame of each of the five within the join budget of its click on Join, and all
 * decode all again.
 */
async function sixInAMeeting(srv: CallServer, shot: string): Promise<void> {
  const trace = traceSfu(srv.node.sfu);
  const users = await stage.users(7, srv);
  const res = await srv.node.req("/api/rooms", { method: "POST", json: { name: "Six" } }, users[0].jar);
  const { room } = (await res.json()) as { room: { slug: string } };
  const path = `/r/${room.slug}`;

  const people: InCall[] = [];
  for (const u of users.slice(0, 6)) people.push(await join(srv, u, path));
  await allViaSfu(people);
  await expectAllReceiveAll(people, "six through the SFU", trace);

  const leaver = people.splice(2, 1)[0]!;
  await button(leaver.page, "Hang up").click({ timeout: T });
  await allViaSfu(people);
  await settled(people[0]!.page);
  await people[0]!.page.screenshot({ path: artifactPath(shot) });

  const late = await join(srv, users[6], path, true);
  const others = people.map((p) => p.user.user.id);
  const times = Object.values(await joinToFirstFrames(late.page, others, T)).sort((a, b) => a - b);
  const budget = Math.round(JOIN_BUDGET_MS + JOIN_LOAD_FACTOR * late.yardstickMs!);
  const load = loadavg()[0]! / availableParallelism();
  const verdict = load > LOADED_PER_CORE ? `not asserted at load ${load.toFixed(1)} per core` : `budget ${budget} ms`;
  console.log(`${shot}: late joiner, click on Join → first decoded camera frame: first of 5 ${times[0]} ms, all 5 by ${times.at(-1)} ms (${times.join(", ")}); yardstick ${Math.round(late.yardstickMs!)} ms, ${verdict}`);
  if (load <= LOADED_PER_CORE) expect(times.at(-1)!).toBeLessThanOrEqual(budget);
  people.push(late);
  await allViaSfu(people);
  await expectAllReceiveAll(people, "a late joiner among five", trace);
  trace.stop();
}

describe.skipIf(!stage.enabled)("six-person meetings through an SFU in Chromium", () => {
  test("6 people in a meeting through the embedded SFU all decode each other; after one leaves, a late joiner decodes all 5 others and all 5 decode them", async () => {
    await sixInAMeeting(await stage.server({ MESH_MAX: "2" }), "sfu-room-5.png");
  }, 600_000);

  test.skipIf(!withJanus)("6 people in a meeting through Janus all decode each other; after one leaves, a late joiner decodes all 5 others and all 5 decode them", async () => {
    await sixInAMeeting(await stage.server({ SFU: "janus", JANUS_URL: janus!.url, MESH_MAX: "2" }), "janus-room-5.png");
  }, 600_000);
});
