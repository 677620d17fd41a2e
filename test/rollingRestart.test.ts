/**
 * A rolling restart's stop: SIGTERM to one node of two (real processes on PostgreSQL and Redis)
 * behind a failover balancer, while a client streams messages through it. The node closes its
 * sockets with 1012 and exits 0 within its bound; its clients are on the other node at once;
 * every message is acknowledged, stored once and seen once — and nobody sees anything of it:
 * the users who only moved never look offline to their friends (one who did not come back does),
 * nor reconnecting to the other side of their call.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { WS_CLOSE } from "../src/shared/protocol";
import { until } from "./support/browser";
import { TEST_DATABASE_URL } from "./support/postgres";
import { befriendOver, registerOver, twoNodesBehindBalancer, type HttpUser } from "./support/processes";
import { senderAndReader, streamSends, syncAll } from "./support/stream";
import { connectWs } from "./support/ws";

const REDIS = process.env.TEST_REDIS_URL;
const enabled = Boolean(TEST_DATABASE_URL && REDIS);
if (!enabled) console.warn("rollingRestart: skipped — needs TEST_DATABASE_URL and TEST_REDIS_URL");
setDefaultTimeout(120_000);

const MESSAGES = 150;
const IN_FLIGHT = 4;
const STOP_AFTER = 50;
const SHUTDOWN_TIMEOUT_MS = 5000;

describe.skipIf(!enabled)("a node stopped with SIGTERM during traffic", () => {
  // The balancer sends every connection to the stopping node while it listens.
  const nodes = twoNodesBehindBalancer("rolling", { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), WS_RATE_PER_SECOND: "10000", WS_BURST: "10000" });

  test("its sockets close with 1012, it exits 0 within SHUTDOWN_TIMEOUT_MS, its clients move at once, every message is acknowledged, stored once and seen once, and its users never look offline nor reconnecting in a call", async () => {
    const { first: stopping, second: staying, lb } = nodes;
    const [a, b, d] = (await Promise.all([registerOver(staying.base), registerOver(staying.base), registerOver(staying.base)])) as [HttpUser, HttpUser, HttpUser];
    const dm = await befriendOver(staying.base, a, b);
    await befriendOver(staying.base, d, b);

    // b watches from the node that stays; a sends and b's second device reads through the balancer.
    const bLive = await connectWs(staying.base, b.jar);
    await bLive.request({ type: "hello" });
    const closes: number[] = [];
    // a is in a call with b, and on each reconnect takes its place in it again, as the web client does.
    let aHellos = 0;
    const { sender, reader } = await senderAndReader(lb, a.jar, lb, b.jar, dm, closes, () => void (aHellos++ > 0 && sender.request({ type: "call:resume" })));
    await bLive.waitFor((ev) => ev.type === "presence:update" && ev.userId === a.user.id && ev.status === "online");
    // d's only socket is on the stopping node, and d does not come back.
    const dWs = await connectWs(stopping.base, d.jar);
    await dWs.request({ type: "hello" });
    await bLive.waitFor((ev) => ev.type === "presence:update" && ev.userId === d.user.id && ev.status === "online");

    const { callId } = await sender.request<{ callId: string }>({ type: "call:invite", conversationId: dm, media: { audio: true, video: false } });
    await bLive.waitFor((ev) => ev.type === "call:incoming" && ev.callId === callId);
    expect((await bLive.request({ type: "call:accept", callId })).ok).toBe(true);

    const { acked, done } = streamSends(sender, dm, "r", MESSAGES, IN_FLIGHT);
    await until("the first acknowledgements", () => acked.size >= STOP_AFTER);
    const signalledAt = Date.now();
    const stopped = stopping.stop().then(() => Date.now() - signalledAt);
    // Both clients are back (on the node that stays) while the stopped one may still be draining.
    await until("both clients to reconnect", () => sender.state === "open" && reader.hellos() >= 2 && closes.length >= 2, 10_000);
    const movedAfterMs = Date.now() - signalledAt;
    await done;
    const exitedAfterMs = await stopped;

    // The stored conversation: every acknowledged message exactly once, under the id its ack gave.
    const stored = (await syncAll(bLive.request, dm)).filter((m) => m.clientId?.startsWith("r"));
    const storedIds = new Set(stored.map((m) => m.id));
    await reader.caughtUp();
    await until("the reader's timeline to hold every message", () => [...storedIds].every((id) => reader.timeline.has(id)), 10_000);
    const shown = [...reader.timeline.values()].map((m) => m.clientId).filter((c) => c?.startsWith("r"));
    const heard = () => bLive.events.filter((ev) => ev.type === "message:new" && ev.message.clientId?.startsWith("r")).map((ev) => ev.message.id as string);
    await until("the staying reader to have heard every message", () => [...storedIds].every((id) => heard().includes(id)), 10_000);
    // Let a late presence change arrive before counting them.
    await Bun.sleep(1000);

    const seen = {
      exitCode: stopping.proc.exitCode,
      // Drained, not cut short by the bound.
      exitedWithinBound: exitedAfterMs < SHUTDOWN_TIMEOUT_MS,
      closes: closes.slice(0, 2),
      acknowledged: acked.size,
      stored: stored.length,
      storedOnce: new Set(stored.map((m) => m.clientId)).size,
      ackedIdsStored: [...acked].filter(([clientId, id]) => stored.some((m) => m.clientId === clientId && m.id === id)).length,
      shownByReader: shown.length,
      shownByReaderOnce: new Set(shown).size,
      heardByStayerOnce: new Set(heard()).size,
      aOfflineForB: bLive.events.filter((ev) => ev.type === "presence:update" && ev.userId === a.user.id && ev.status !== "online").length,
      dOfflineForB: bLive.events.filter((ev) => ev.type === "presence:update" && ev.userId === d.user.id && ev.status === "offline").length,
      // The call goes on, and b is never shown a reconnecting (or gone).
      callShownToB: bLive.events.filter((ev) => ev.callId === callId && /^call:(participant-reconnecting|participant-left|ended)$/.test(ev.type)).map((ev) => ev.type),
      call: ((await sender.request<{ call: { state: string } | null }>({ type: "call:resume" })).call)?.state,
    };
    console.log(`rollingRestart: ${MESSAGES} sent, ${JSON.stringify(seen)}; clients moved ${movedAfterMs} ms and the node exited ${exitedAfterMs} ms after SIGTERM`);
    expect(seen).toEqual({
      exitCode: 0,
      exitedWithinBound: true,
      closes: [WS_CLOSE.RESTART, WS_CLOSE.RESTART],
      acknowledged: MESSAGES,
      stored: MESSAGES,
      storedOnce: MESSAGES,
      ackedIdsStored: MESSAGES,
      shownByReader: MESSAGES,
      shownByReaderOnce: MESSAGES,
      heardByStayerOnce: MESSAGES,
      aOfflineForB: 0,
      dOfflineForB: 1,
      callShownToB: [],
      call: "active",
    });
    sender.stop();
    reader.socket.stop();
    bLive.close();
    dWs.close();
  });
});
