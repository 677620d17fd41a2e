/**
 * kill -9 of one node of two (real processes on PostgreSQL and Redis), behind a failover
 * balancer: its clients reconnect to the other node and resume; what was acknowledged is
 * stored once and seen once, also by a client that never left the survivor; the survivor cleans
 * up after it — presence of users who were only there goes offline, a call it carried gets its
 * grace period and resumes or ends.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { TEST_DATABASE_URL } from "./support/postgres";
import { befriendOver, registerOver, twoNodesBehindBalancer, type HttpUser } from "./support/processes";
import { senderAndReader, streamSends, syncAll } from "./support/stream";
import { connectWs } from "./support/ws";
import { until } from "./support/browser";

const REDIS = process.env.TEST_REDIS_URL;
const enabled = Boolean(TEST_DATABASE_URL && REDIS);
if (!enabled) console.warn("nodeKill: skipped — needs TEST_DATABASE_URL and TEST_REDIS_URL");
setDefaultTimeout(120_000);

const MESSAGES = 150;
const IN_FLIGHT = 4;
const KILL_AFTER = 50;
const HEARTBEAT_MS = 200;
const DEAD_MS = 1000;
const GRACE_SECONDS = 3;

describe.skipIf(!enabled)("a node killed with -9 during traffic", () => {
  // The balancer sends every connection to the doomed node while it lives.
  const nodes = twoNodesBehindBalancer("kill", {
    NODE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    NODE_DEAD_MS: String(DEAD_MS),
    CALL_GRACE_SECONDS: String(GRACE_SECONDS),
    WS_RATE_PER_SECOND: "10000",
    WS_BURST: "10000",
  });

  test("its clients reconnect to the other node and catch up: every acknowledged message stored once, seen once; its users go offline; its calls resume or end after their grace", async () => {
    const { first: doomed, second: survivor, lb } = nodes;
    const [a, b, d, e, f] = (await Promise.all(Array.from({ length: 5 }, () => registerOver(survivor.base)))) as [HttpUser, HttpUser, HttpUser, HttpUser, HttpUser];
    const dm = await befriendOver(survivor.base, a, b);
    await befriendOver(survivor.base, d, b);
    const efDm = await befriendOver(survivor.base, e, f);

    // b watches from the survivor; d's only socket is on the doomed node.
    const bLive = await connectWs(survivor.base, b.jar);
    await bLive.request({ type: "hello" });
    const dWs = await connectWs(doomed.base, d.jar);
    await dWs.request({ type: "hello" });
    await bLive.waitFor((ev) => ev.type === "presence:update" && ev.userId === d.user.id && ev.status === "online");

    // A 1:1 call carried by the doomed node (a's socket) and one whose caller never comes back (e's).
    const aCall = await connectWs(lb, a.jar);
    await aCall.request({ type: "hello" });
    const { callId } = await aCall.request({ type: "call:invite", conversationId: dm, media: { audio: true, video: false } });
    await bLive.waitFor((ev) => ev.type === "call:incoming" && ev.callId === callId);
    expect((await bLive.request({ type: "call:accept", callId })).ok).toBe(true);
    const eWs = await connectWs(doomed.base, e.jar);
    const fWs = await connectWs(survivor.base, f.jar);
    await eWs.request({ type: "hello" });
    await fWs.request({ type: "hello" });
    const lost = await eWs.request({ type: "call:invite", conversationId: efDm, media: { audio: true, video: false } });
    await fWs.waitFor((ev) => ev.type === "call:incoming" && ev.callId === lost.callId);
    expect((await fWs.request({ type: "call:accept", callId: lost.callId })).ok).toBe(true);

    // a sends and b's second device reads, both through the balancer, with the web client's socket.
    const { sender, reader } = await senderAndReader(lb, a.jar, lb, b.jar, dm);

    const { acked, done: streaming } = streamSends(sender, dm, "k", MESSAGES, IN_FLIGHT);
    await until("the first acknowledgements", () => acked.size >= KILL_AFTER);
    const killedAt = Date.now();
    await doomed.kill9();
    // a comes back for its call as soon as the survivor gave it its grace period (b is told a is
    // reconnecting), as the web client's socket would, while the stream goes on: a resume only
    // after the checks below could come after the grace (3 s) on a loaded machine.
    const aResumed = (async () => {
      await bLive.waitFor((ev) => ev.type === "call:participant-reconnecting" && ev.callId === callId, 15_000);
      const ws = await connectWs(lb, a.jar);
      await ws.request({ type: "hello" });
      const call = (await ws.request({ type: "call:resume" })).call;
      return { ws, call, afterMs: Date.now() - killedAt };
    })();
    await streaming;

    // d was only on the doomed node: offline for b within the dead bound (plus a heartbeat).
    const dOffline = await bLive.waitFor((ev) => ev.type === "presence:update" && ev.userId === d.user.id && ev.status === "offline", 15_000);
    const offlineAfterMs = Date.now() - killedAt;
    expect(dOffline).toBeTruthy();

    // The stored conversation: every acknowledged message exactly once, under the id its ack gave.
    const stored = (await syncAll(bLive.request, dm)).filter((m) => m.clientId?.startsWith("k"));
    expect(stored.length).toBe(MESSAGES);
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(MESSAGES);
    expect(acked.size).toBe(MESSAGES);
    for (const m of stored) expect(acked.get(m.clientId!)).toBe(m.id);

    // The reader that lost its node: reconnected, caught up, each message once.
    await until("the reader to reconnect", () => reader.hellos() >= 2);
    await reader.caughtUp();
    await until("the reader's timeline to hold every message", () => reader.timeline.size >= MESSAGES);
    const shownClientIds = [...reader.timeline.values()].map((m) => m.clientId).filter((c) => c?.startsWith("k"));
    expect(shownClientIds.length).toBe(MESSAGES);
    expect(new Set(shownClientIds).size).toBe(MESSAGES);

    // The reader that stayed connected to the survivor: every message live, including what the
    // doomed node committed but had not announced (the survivor announces it again; clients keep
    // one copy per id, so a repeat is counted here, not shown).
    const bIds = () => bLive.events.filter((ev) => ev.type === "message:new" && ev.message.clientId?.startsWith("k")).map((ev) => ev.message.id as string);
    await until("the staying reader to have heard every message", () => stored.every((m) => bIds().includes(m.id)), 15_000);
    const repeats = bIds().length - new Set(bIds()).size;
    expect(new Set(bIds()).size).toBe(MESSAGES);

    // The call a carried through the doomed node: b was told a is reconnecting, a resumed on the survivor.
    const { ws: aBack, call: resumed, afterMs: resumedAfterMs } = await aResumed;
    expect(resumed).toMatchObject({ id: callId, state: "active" });
    await bLive.waitFor((ev) => ev.type === "call:participant-joined" && ev.callId === callId && ev.userId === a.user.id);
    // e never comes back: the survivor ends that call once the grace period is over.
    expect(await fWs.waitFor((ev) => ev.type === "call:ended" && ev.callId === lost.callId, 15_000)).toMatchObject({ reason: "disconnected" });
    // a's call outlived that grace period on the survivor.
    expect(bLive.events.some((ev) => ev.type === "call:ended" && ev.callId === callId)).toBe(false);
    expect((await aBack.request({ type: "rtc:offer", callId, to: b.user.id, sdp: "v=0 after the kill" })).ok).toBe(true);

    console.log(`nodeKill: ${MESSAGES} sent, ${acked.size} acknowledged, ${stored.length} stored, reader ${reader.timeline.size} shown (${reader.liveIds.length} live events), stayer ${new Set(bIds()).size} shown (${repeats} repeated events); d offline ${offlineAfterMs} ms and a's call resumed ${resumedAfterMs} ms after the kill (dead bound ${DEAD_MS} ms, grace ${GRACE_SECONDS} s)`);
    sender.stop();
    reader.socket.stop();
    for (const s of [bLive, aBack, fWs, aCall, dWs, eWs]) s.close();
  });
});
