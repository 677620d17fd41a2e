/**
 * Chromium: a group call through the SFU whose participants are connected to two different
 * nodes (real node processes on PostgreSQL and Redis). The call's SFU room lives on one node,
 * recorded in the call registry; the other node forwards its participants' signals there, so
 * everyone decodes everyone. Then that node is killed with -9: a survivor takes the call's SFU
 * over (whichever of the two others claims the dead node), every page opens fresh SFU links to
 * it, and everyone decodes again. Last, the node holding the room is stopped gracefully
 * (SIGTERM, as in a rolling restart): the room goes to a live node with the pages' fresh links,
 * and everyone decodes once more. Run with the embedded SFU (media through the room's node) and
 * with Janus (SFU=janus: one Janus, started by the suite in a network namespace, shared by every
 * node; the room's node drives the call's Janus room).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { RedisLink } from "../../src/server/bus/redis-link";
import { browserAvailable, launchBrowser, until } from "../support/browser";
import { smallCameraFlag } from "../support/camera";
import { button, CallPages, expectFlowFromAll, expectViaSfu } from "../support/calls";
import { roomDescription } from "../../src/server/sfu/janus-member";
import { janusAvailable, janusRooms, startJanus, type JanusServer } from "../support/janus";
import { createTestDatabase, TEST_DATABASE_URL } from "../support/postgres";
import { befriendOver, http, registerOver, spawnNode, type HttpUser, type NodeProcess } from "../support/processes";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

const REDIS = process.env.TEST_REDIS_URL;
const enabled = browserAvailable("sfuCluster e2e") && Boolean(TEST_DATABASE_URL && REDIS);
if (!TEST_DATABASE_URL || !REDIS) console.warn("sfuCluster e2e: skipped — needs TEST_DATABASE_URL and TEST_REDIS_URL");
setDefaultTimeout(240_000);

/** Generous: three pages encode and decode at once on a small, shared machine. */
const T = 90_000;

/** Which SFU the nodes run: the embedded one, or Janus started for this suite. */
interface SfuChoice {
  name: string;
  available: boolean;
  env(): Promise<Record<string, string>>;
  /** How many rooms the SFU holds for the call, where it outlives nodes (Janus); null otherwise. */
  rooms(callId: string): Promise<number | null>;
  close(): Promise<void>;
}

const embedded: SfuChoice = { name: "embedded", available: true, env: async () => ({}), rooms: async () => null, close: async () => {} };

function janusChoice(): SfuChoice {
  let janus: JanusServer | undefined;
  return {
    name: "Janus",
    available: enabled && janusAvailable("sfuCluster e2e (janus)"),
    env: async () => {
      janus = await startJanus();
      return { SFU: "janus", JANUS_URL: janus.url };
    },
    rooms: async (callId) => (await janusRooms(janus!.url)).filter(([description]) => description === roomDescription(callId)).length,
    close: async () => janus?.close(),
  };
}

for (const sfu of [embedded, janusChoice()]) describe.skipIf(!enabled || !sfu.available)(`a group call through the ${sfu.name} SFU with participants on different nodes`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let channel: string;
  let nodes: NodeProcess[];
  /** Failover balancers: each connection goes to the first of its two nodes that accepts. */
  let toFirst: TcpProxy;
  let toSecond: TcpProxy;
  let redis: RedisLink;
  let browser: Browser;
  const pages = new CallPages();
  beforeAll(async () => {
    db = await createTestDatabase();
    channel = `parley:test:sfucluster:${db.url.split("/").pop()}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: REDIS!,
      REDIS_CHANNEL: channel,
      JWT_SECRET: "sfu-cluster-secret-sfu-cluster-secret-sfu-cluster!!",
      // Not tighter: an embedded SFU setting up many links at once (werift's DTLS is JavaScript)
      // stalls a node of this loaded machine for seconds, and one stalled past the dead bound
      // would be taken for dead while still running.
      NODE_HEARTBEAT_MS: "500",
      NODE_DEAD_MS: "10000",
      CALL_GRACE_SECONDS: "20",
      // Past two people the call goes through the SFU: three pages are enough to prove it.
      MESH_MAX: "2",
      ...(await sfu.env()),
    };
    // One at a time: the first applies the migrations.
    nodes = [await spawnNode(env), await spawnNode(env), await spawnNode(env)];
    const at = (n: NodeProcess) => ({ host: "127.0.0.1", port: n.port });
    // The third node takes connections only once neither of the first two does.
    toFirst = startTcpProxy([at(nodes[0]!), at(nodes[1]!), at(nodes[2]!)]);
    toSecond = startTcpProxy([at(nodes[1]!), at(nodes[0]!), at(nodes[2]!)]);
    redis = await RedisLink.connect(REDIS!);
    browser = pages.browser = await launchBrowser(["--allow-loopback-in-peer-connection", smallCameraFlag()]);
  }, 60_000);
  afterAll(async () => {
    await pages.closeAll();
    await browser?.close();
    toFirst?.close();
    toSecond?.close();
    redis?.close();
    for (const n of nodes ?? []) if (n.proc.exitCode === null) await n.stop();
    await db?.drop();
    await sfu.close();
  }, 60_000);

  /** The port of the node the call registry names as the call's SFU node. */
  async function sfuNodePort(callId: string): Promise<number | null> {
    const node = (await redis.send("HGET", [`${channel}:calls:call:${callId}`, "sfu"])) as string | null;
    if (node === null) return null;
    const info = (await redis.send("GET", [`${channel}:cluster:node:${node}`])) as string | null;
    return info === null ? null : Number((JSON.parse(info) as { address: string }).address.split(":").pop());
  }

  const callIdOf = (p: Page) => p.evaluate(() => window.__parleyCall?.callId ?? null);

  /** What the pages said on their consoles, shown when a check fails. */
  const consoles: string[] = [];

  async function everyoneDecodesEveryone(people: { page: Page; id: string }[], what: string): Promise<void> {
    try {
      for (const me of people) await until(`${what}: one SFU link`, () => expectViaSfu(me.page, people.length - 1), T);
      for (const me of people) await expectFlowFromAll(me.page, `${what}: ${me.id}`, people.filter((p) => p !== me).map((p) => p.id), T);
    } catch (err) {
      console.error(`page consoles:\n${consoles.join("\n")}`);
      throw err;
    }
  }

  /** Where rooms outlive nodes (Janus), the call has exactly one. */
  async function expectOneRoom(callId: string): Promise<void> {
    const rooms = await sfu.rooms(callId);
    if (rooms !== null) expect(rooms).toBe(1);
  }

  test("everyone decodes everyone across nodes, again through the survivor after the SFU node is killed with -9, and again on the last node after the survivor stops gracefully", async () => {
    const base = nodes[0]!.base;
    const [a, b, c] = (await Promise.all([registerOver(base), registerOver(base), registerOver(base)])) as [HttpUser, HttpUser, HttpUser];
    await befriendOver(base, a, b);
    await befriendOver(base, a, c);
    const res = await http(base, "/api/conversations", { method: "POST", json: { memberIds: [b.user.id, c.user.id], name: "across" } }, a.jar);
    expect(res.status).toBe(201);
    const conv = ((await res.json()) as { conversation: { id: string } }).conversation.id;

    // The caller's page on the first node, the others' on the second (each falls over to the other).
    const lb = (p: TcpProxy) => `http://127.0.0.1:${p.port}`;
    const A = (await pages.open(lb(toFirst), a, `/c/${conv}`, { width: 960, height: 600 })).page;
    const B = (await pages.open(lb(toSecond), b, `/c/${conv}`, { width: 960, height: 600 })).page;
    const C = (await pages.open(lb(toSecond), c, `/c/${conv}`, { width: 960, height: 600 })).page;
    await button(A, "Start video call").click({ timeout: T });
    for (const P of [B, C]) await button(P, "Accept").waitFor({ timeout: T });
    await button(B, "Accept").click({ timeout: T });
    await button(C, "Accept").click({ timeout: T });
    for (const [name, P] of [["A", A], ["B", B], ["C", C]] as const) P.on("console", (m) => m.type() !== "log" && consoles.push(`${new Date().toISOString()} ${name} ${m.type()}: ${m.text()}`));
    const people = [
      { page: A, id: a.user.id },
      { page: B, id: b.user.id },
      { page: C, id: c.user.id },
    ];
    await everyoneDecodesEveryone(people, "across two nodes");

    const callId = (await callIdOf(A))!;
    expect(callId).not.toBeNull();
    /** The live node the registry names as the call's SFU node, if any. */
    const holder = async () => {
      const port = await sfuNodePort(callId);
      return nodes.find((n) => n.port === port && n.proc.exitCode === null && !n.proc.killed);
    };
    const doomed = (await holder())!;
    expect(nodes.slice(0, 2)).toContain(doomed);

    await doomed.kill9();
    // A survivor takes the call's SFU over; every page (also those whose socket was on the dead
    // node, now reconnected through its balancer) opens fresh links there and decodes again.
    let adopter: NodeProcess | undefined;
    await until("a survivor to hold the call's SFU", async () => (adopter = await holder()) !== undefined, 30_000);
    await everyoneDecodesEveryone(people, "after the SFU node died");
    // Janus outlives the dead node: the room it drove went when the survivor opened its own.
    await expectOneRoom(callId);
    for (const P of [A, B, C]) expect(await callIdOf(P)).toBe(callId);

    // A rolling restart's stop: the room goes back to nowhere and the pages' fresh links place it on a live node.
    await adopter!.stop();
    await until("another live node to hold the call's SFU", async () => (await holder()) !== undefined, 30_000);
    await everyoneDecodesEveryone(people, "after the SFU node stopped gracefully");
    await expectOneRoom(callId);
    for (const P of [A, B, C]) expect(await callIdOf(P)).toBe(callId);
    expect(await pages.closeAll()).toEqual([]);
  });
});
