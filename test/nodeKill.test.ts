/**
 * kill -9 of one node of two (real processes on PostgreSQL and Redis), behind a failover
 * balancer: its clients reconnect to the other node and resume; what was acknowledged is
 * stored once and seen once, also by a client that never left the survivor; the survivor cleans
 * up after it — presence of users who were only there goes offline, a call it carried gets its
 * grace period and resumes or ends.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { ParleySocket } from "../src/client/socket";
import type { ServerEvent } from "../src/shared/protocol";
import { idFloor, idTime } from "../src/shared/ids";
import { createTestDatabase, TEST_DATABASE_URL } from "./support/postgres";
import { befriendOver, registerOver, spawnNode, type HttpUser, type NodeProcess } from "./support/processes";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";
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

type Message = { id: string; clientId: string | null; content: string; conversationId: string };

/** Every message of a conversation after `after`, through `sync` pages. */
async function syncAll(request: (frame: Record<string, unknown>) => Promise<Record<string, any>>, conversationId: string, after?: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const page = await request({ type: "sync", conversationId, ...(after ? { after } : {}), limit: 100 });
    out.push(...(page.messages as Message[]));
    if (!page.hasMore || page.messages.length === 0) return out;
    after = page.messages.at(-1).id;
  }
}

describe.skipIf(!enabled)("a node killed with -9 during traffic", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let doomed: NodeProcess;
  let survivor: NodeProcess;
  let balancer: TcpProxy;
  let lb: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: REDIS!,
      REDIS_CHANNEL: `parley:test:kill:${db.url.split("/").pop()}`,
      JWT_SECRET: "node-kill-test-secret-node-kill-test-secret!!",
      NODE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      NODE_DEAD_MS: String(DEAD_MS),
      CALL_GRACE_SECONDS: String(GRACE_SECONDS),
      WS_RATE_PER_SECOND: "10000",
      WS_BURST: "10000",
    };
    // One at a time: the first applies the migrations.
    doomed = await spawnNode(env);
    survivor = await spawnNode(env);
    // The balancer sends every connection to the first node that accepts it: the doomed one while it lives.
    balancer = startTcpProxy([doomed, survivor].map((n) => ({ host: "127.0.0.1", port: n.port })));
    lb = `http://127.0.0.1:${balancer.port}`;
  }, 60_000);
  afterAll(async () => {
    balancer?.close();
    if (doomed?.proc.exitCode === null) await doomed.kill9();
    await survivor?.stop();
    await db?.drop();
  }, 60_000);

  test("its clients reconnect to the other node and catch up: every acknowledged message stored once, seen once; its users go offline; its calls resume or end after their grace", async () => {
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
    const client = (user: HttpUser, onEvent: (ev: ServerEvent) => void, onHello: () => void) =>
      new ParleySocket({
        url: lb.replace(/^http/, "ws") + "/ws",
        connect: (url) => new WebSocket(url, { headers: { cookie: user.jar.header() } } as never),
        refresh: async () => {},
        onEvent,
        onHello,
        onState: () => {},
        onAuthLost: () => {},
      });
    const sender = client(a, () => {}, () => {});
    // The reader's timeline, as the web client keeps it: by id, filled live and by sync after each reconnect.
    const timeline = new Map<string, Message>();
    const liveIds: string[] = [];
    let hellos = 0;
    const catchUps: Promise<void>[] = [];
    const reader: ParleySocket = client(
      b,
      (ev) => {
        if (ev.type !== "message:new" || ev.message.conversationId !== dm) return;
        liveIds.push(ev.message.id);
        timeline.set(ev.message.id, ev.message as Message);
      },
      () => {
        if (hellos++ === 0) return;
        // As the web client does (chatHistory.ts): from a little before the newest id held, since a
        // message minted earlier may have committed later — or been announced by nobody.
        const newest = [...timeline.keys()].sort().at(-1);
        const after = newest && idFloor(idTime(newest) - 10_000);
        catchUps.push(syncAll((frame) => reader.request(frame as never), dm, after).then((ms) => ms.forEach((m) => timeline.set(m.id, m))));
      },
    );
    sender.start();
    reader.start();
    await until("both clients to be connected", () => sender.state === "open" && reader.state === "open");

    const acked = new Map<string, string>();
    let next = 0;
    const send = async () => {
      while (next < MESSAGES) {
        const i = next++;
        const r = await sender.request<{ message: Message }>({ type: "message:send", conversationId: dm, clientId: `k${i}`, content: `stream ${i}` });
        acked.set(`k${i}`, r.message.id);
      }
    };
    const streaming = Promise.all(Array.from({ length: IN_FLIGHT }, send));
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
    await until("the reader to reconnect and catch up", () => hellos >= 2 && catchUps.length > 0);
    await Promise.all(catchUps);
    await until("the reader's timeline to hold every message", () => timeline.size >= MESSAGES);
    const shownClientIds = [...timeline.values()].map((m) => m.clientId).filter((c) => c?.startsWith("k"));
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

    console.log(`nodeKill: ${MESSAGES} sent, ${acked.size} acknowledged, ${stored.length} stored, reader ${timeline.size} shown (${liveIds.length} live events), stayer ${new Set(bIds()).size} shown (${repeats} repeated events); d offline ${offlineAfterMs} ms and a's call resumed ${resumedAfterMs} ms after the kill (dead bound ${DEAD_MS} ms, grace ${GRACE_SECONDS} s)`);
    sender.stop();
    reader.stop();
    for (const s of [bLive, aBack, fWs, aCall, dWs, eWs]) s.close();
  });
});
