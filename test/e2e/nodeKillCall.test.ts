/**
 * Chromium: a 1:1 video call whose caller signals through a node that is killed with -9 (real
 * node processes on PostgreSQL and Redis, the caller's page behind a failover balancer). Media
 * is peer to peer, so it keeps flowing; the caller's page reconnects to the surviving node and
 * resumes the call there, which outlives the grace period the survivor gave it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { browserAvailable, launchBrowser, until } from "../support/browser";
import { CallPages, connect, framesDecoded } from "../support/calls";
import { createTestDatabase, TEST_DATABASE_URL } from "../support/postgres";
import { befriendOver, registerOver, spawnNode, type NodeProcess } from "../support/processes";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

const REDIS = process.env.TEST_REDIS_URL;
const enabled = browserAvailable("nodeKillCall e2e") && Boolean(TEST_DATABASE_URL && REDIS);
if (!TEST_DATABASE_URL || !REDIS) console.warn("nodeKillCall e2e: skipped — needs TEST_DATABASE_URL and TEST_REDIS_URL");
setDefaultTimeout(120_000);

const GRACE_SECONDS = 4;

describe.skipIf(!enabled)("a P2P call through a node killed with -9", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let doomed: NodeProcess;
  let survivor: NodeProcess;
  let balancer: TcpProxy;
  let browser: Browser;
  const pages = new CallPages();
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: REDIS!,
      REDIS_CHANNEL: `parley:test:killcall:${db.url.split("/").pop()}`,
      JWT_SECRET: "node-kill-call-secret-node-kill-call-secret!!",
      NODE_HEARTBEAT_MS: "250",
      NODE_DEAD_MS: "1000",
      CALL_GRACE_SECONDS: String(GRACE_SECONDS),
    };
    doomed = await spawnNode(env);
    survivor = await spawnNode(env);
    balancer = startTcpProxy([doomed, survivor].map((n) => ({ host: "127.0.0.1", port: n.port })));
    browser = pages.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await pages.closeAll();
    await browser?.close();
    balancer?.close();
    if (doomed?.proc.exitCode === null) await doomed.kill9();
    await survivor?.stop();
    await db?.drop();
  }, 60_000);

  test("media keeps flowing, the caller's page resumes the call on the other node, and the call outlives its grace period", async () => {
    const [a, b] = await Promise.all([registerOver(survivor.base), registerOver(survivor.base)]);
    const conv = await befriendOver(survivor.base, a!, b!);
    // The caller's page came through the balancer (to the doomed node); the callee's straight to the survivor.
    const lb = `http://127.0.0.1:${balancer.port}`;
    const [A, B] = await Promise.all([pages.open(lb, a!, `/c/${conv}`), pages.open(survivor.base, b!, `/c/${conv}`)]);
    // What the callee's socket hears about the caller (opened again, now watched).
    const heard: string[] = [];
    B.page.on("websocket", (ws) =>
      ws.on("framereceived", ({ payload }) => {
        const e = JSON.parse(String(payload)) as { type?: string; userId?: string };
        if (e.userId === a!.user.id && e.type?.startsWith("call:participant-")) heard.push(e.type);
      }),
    );
    await B.page.reload();
    await B.page.getByTestId("conversation").waitFor();
    await connect(A.page, B.page);
    const callId = await A.page.evaluate(() => window.__parleyCall?.callId ?? null);
    expect(callId).not.toBeNull();

    const before = { A: await framesDecoded(A.page), B: await framesDecoded(B.page) };
    heard.length = 0;
    const killedAt = Date.now();
    await doomed.kill9();

    // The same peer connection keeps decoding on both sides (a new one would count from zero).
    await until("frames to keep coming on both sides", async () => (await framesDecoded(A.page)) > before.A + 30 && (await framesDecoded(B.page)) > before.B + 30);
    // The caller's page came back on the survivor and took its place in the call again (before or
    // after the survivor closed its dead socket, which then gave it a grace period: either way).
    await until("the caller's page to resume the call on the survivor", () => heard.includes("call:participant-joined"), 15_000);
    // Past the survivor's detection and the whole grace period it gave the caller's old socket:
    // the call resumed (on the survivor) and is still on, media flowing.
    const graceOver = killedAt + 1000 + 250 + GRACE_SECONDS * 1000 + 2000;
    await Bun.sleep(Math.max(0, graceOver - Date.now()));
    const later = { A: await framesDecoded(A.page), B: await framesDecoded(B.page) };
    expect(await A.page.evaluate(() => window.__parleyCall?.callId ?? null)).toBe(callId);
    expect(await B.page.evaluate(() => window.__parleyCall?.callId ?? null)).toBe(callId);
    await until("frames to keep coming after the grace period", async () => (await framesDecoded(A.page)) > later.A + 30 && (await framesDecoded(B.page)) > later.B + 30);
    // And the callee's hang-up ends it for the caller.
    await B.page.getByRole("button", { name: "Hang up", exact: true }).click();
    await until("the caller's page to leave the call", async () => (await A.page.evaluate(() => window.__parleyCall?.callId ?? null)) === null, 15_000);
    expect(await pages.closeAll()).toEqual([]);
  });
});
