/**
 * The client socket's reconnect schedule (backoffDelay and ParleySocket over a scripted
 * WebSocket), and ParleySocket against a real node: requests made offline go out after the
 * reconnect, an unanswered message:send is sent again with its clientId and stored once, and
 * hello's two frames reach onHello as one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { ParleySocket, backoffDelay, type SocketOptions, type SocketState } from "../src/client/socket";
import { freePort, registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";

const HOOK = 60_000;

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

function options(overrides: Partial<SocketOptions> & Pick<SocketOptions, "url" | "connect">, states: SocketState[] = []): SocketOptions {
  return { refresh: async () => {}, onEvent: () => {}, onHello: () => {}, onState: (s) => states.push(s), onAuthLost: () => {}, ...overrides };
}

describe("backoffDelay", () => {
  test("the ceiling doubles from 0.5 s per attempt and stops at 15 s", () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 30].map((n) => backoffDelay(n, top))).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.25)).toBe(500);
  });

  test("full jitter spreads the waits over the whole range", () => {
    const waits = Array.from({ length: 200 }, () => backoffDelay(4));
    expect(new Set(waits).size).toBeGreaterThan(150);
    for (const w of waits) expect(w >= 0 && w < 4000).toBe(true);
    expect(Math.min(...waits)).toBeLessThan(1000);
    expect(Math.max(...waits)).toBeGreaterThan(3000);
  });
});

/** A scripted socket: fails before opening while `refuse` is set, otherwise opens and answers hello. */
class FakeSocket {
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(refuse: boolean) {
    queueMicrotask(() => (refuse ? this.onclose?.({ code: 1006 }) : this.onopen?.()));
  }
  send(raw: string) {
    const f = JSON.parse(raw);
    if (f.type === "hello") queueMicrotask(() => this.onmessage?.({ data: JSON.stringify({ replyTo: f.id, ok: true }) }));
  }
  close(code = 1006) {
    queueMicrotask(() => this.onclose?.({ code }));
  }
}

/** A ParleySocket over FakeSockets; `refuse` makes the next connects fail. */
function scripted(refuse: boolean) {
  const fake = { refuse, opened: 0, sockets: [] as FakeSocket[], states: [] as SocketState[] };
  const socket = new ParleySocket(
    options(
      {
        url: "ws://fake/ws",
        connect: () => {
          fake.opened++;
          const s = new FakeSocket(fake.refuse);
          fake.sockets.push(s);
          return s as unknown as WebSocket;
        },
      },
      fake.states,
    ),
  );
  return { fake, socket };
}

describe("ParleySocket reconnect schedule", () => {
  afterEach(() => {
    (Math.random as unknown as { mockRestore?: () => void }).mockRestore?.();
    (setTimeout as unknown as { mockRestore?: () => void }).mockRestore?.();
  });

  test("waits grow while connects fail and start over after a successful open", async () => {
    spyOn(Math, "random").mockReturnValue(0.1);
    const timers = spyOn(globalThis, "setTimeout");
    const { fake, socket } = scripted(true);
    socket.start();
    try {
      await until("three failed connects", () => fake.opened === 3);
      fake.refuse = false;
      await until("the socket to open", () => socket.state === "open");
      fake.sockets.at(-1)!.close();
      await until("a reconnect after the drop", () => fake.opened === 5 && socket.state === "open");
      const waits = timers.mock.calls.map((c) => c[1]);
      // 0.1 of each ceiling: 0.5 s, 1 s, 2 s, then back to 0.5 s after the open.
      expect(waits).toEqual([50, 100, 200, 50]);
      expect(fake.states.filter((s) => s === "open")).toHaveLength(2);
    } finally {
      socket.stop();
    }
  });

  test("a 1012 close (node restarting) reconnects within a 250 ms spread instead of the backoff, and connects failing after it back off as usual", async () => {
    spyOn(Math, "random").mockReturnValue(0.5);
    const timers = spyOn(globalThis, "setTimeout");
    const { fake, socket } = scripted(false);
    socket.start();
    try {
      await until("the socket to open", () => socket.state === "open");
      fake.refuse = true;
      fake.sockets.at(-1)!.close(1012);
      await until("two failed connects after the restart", () => fake.opened === 3);
      fake.refuse = false;
      await until("the socket to open again", () => fake.opened === 4 && socket.state === "open");
      fake.sockets.at(-1)!.close(1012);
      await until("a reconnect after the second restart", () => fake.opened === 5 && socket.state === "open");
      // 1012: half of 250 ms; then the backoff of ordinary failures (half of 1 s, 2 s); 1012 again.
      expect(timers.mock.calls.map((c) => c[1])).toEqual([125, 500, 1000, 125]);
    } finally {
      socket.stop();
    }
  });
});

describe("ParleySocket against a node", () => {
  let node: TestNode;
  let wsUrl: string;
  beforeAll(async () => {
    node = await startNode();
    wsUrl = `ws://127.0.0.1:${node.listen().port}/ws`;
  }, HOOK);
  afterAll(() => node.dispose(), HOOK);

  async function pair() {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const watcher = await connectWs(wsUrl.replace(/^ws/, "http").replace(/\/ws$/, ""), b.jar);
    await watcher.request({ type: "hello" });
    return { a, conversationId, watcher };
  }

  async function stored(conversationId: string, clientId: string) {
    const rows = await node.store.chat.messages(conversationId, { after: "", limit: 100 });
    return rows.filter((r) => r.client_id === clientId);
  }

  test("onHello gets hello's lists (their own frame on the wire) merged into the reply, and the lists frame is not an event", async () => {
    const { a, conversationId, watcher } = await pair();
    const hellos: Array<Record<string, any>> = [];
    const events: string[] = [];
    const socket = new ParleySocket(
      options({
        url: wsUrl,
        connect: (url) => new WebSocket(url, { headers: { cookie: a.jar.header() } } as never),
        onHello: (h) => hellos.push(h as unknown as Record<string, any>),
        onEvent: (e) => events.push(e.type),
      }),
    );
    socket.start();
    try {
      await until("the socket to open", () => socket.state === "open");
      expect(hellos).toHaveLength(1);
      expect(hellos[0]).toMatchObject({ ok: true, user: { id: a.user.id }, friends: [{ conversationId }], presence: expect.any(Object), liveCalls: [] });
      expect(hellos[0]!.type).toBeUndefined();
      expect(events).not.toContain("hello:lists");
    } finally {
      socket.stop();
      watcher.close();
    }
  });

  test("a request made while offline is sent once the socket is back", async () => {
    const { a, conversationId, watcher } = await pair();
    const dead = `ws://127.0.0.1:${freePort()}/ws`;
    let offline = false;
    let live: WebSocket | null = null;
    const socket = new ParleySocket(
      options({
        url: wsUrl,
        connect: (url) => {
          if (offline) return new WebSocket(dead);
          live = new WebSocket(url, { headers: { cookie: a.jar.header() } } as never);
          return live;
        },
      }),
    );
    socket.start();
    try {
      await until("the socket to open", () => socket.state === "open");
      offline = true;
      live!.close();
      await until("the socket to notice", () => socket.state === "reconnecting");
      const reply = socket.request<{ message: { clientId: string; content: string } }>({ type: "message:send", conversationId, clientId: "offline-1", content: "typed offline" });
      await Bun.sleep(300);
      expect(await stored(conversationId, "offline-1")).toHaveLength(0);
      offline = false;
      expect((await reply).message).toMatchObject({ clientId: "offline-1", content: "typed offline" });
      expect(await stored(conversationId, "offline-1")).toHaveLength(1);
      await watcher.waitFor((e) => e.type === "message:new" && e.message.clientId === "offline-1");
    } finally {
      socket.stop();
      watcher.close();
    }
  });

  test("an unanswered message:send goes again with the same clientId, is stored once and announced under its one id", async () => {
    const { a, conversationId, watcher } = await pair();
    const sends: Array<{ id: string; clientId: string }> = [];
    let dropped = false;
    const socket = new ParleySocket(
      options({
        url: wsUrl,
        connect: (url) => {
          const ws = new WebSocket(url, { headers: { cookie: a.jar.header() } } as never);
          // The first reply to the send is lost with its connection, as if the network dropped.
          return new Proxy(ws, {
            get: (t, k) => {
              if (k === "send") return (raw: string) => {
                const f = JSON.parse(raw);
                if (f.type === "message:send") sends.push({ id: f.id, clientId: f.clientId });
                t.send(raw);
              };
              const v = Reflect.get(t, k);
              return typeof v === "function" ? v.bind(t) : v;
            },
            set: (t, k, v) => {
              if (k !== "onmessage") return Reflect.set(t, k, v);
              t.onmessage = (m) => {
                const d = JSON.parse(String(m.data));
                if (!dropped && d.replyTo && d.message?.clientId === "once-1") {
                  dropped = true;
                  return void setTimeout(() => t.close(), 0);
                }
                v(m);
              };
              return true;
            },
          });
        },
      }),
    );
    socket.start();
    try {
      await until("the socket to open", () => socket.state === "open");
      const reply = await socket.request<{ message: { id: string; clientId: string } }>({ type: "message:send", conversationId, clientId: "once-1", content: "only once" });
      expect(dropped).toBe(true);
      expect(sends).toHaveLength(2);
      expect(sends[1]).toEqual(sends[0]!);
      const rows = await stored(conversationId, "once-1");
      expect(rows.map((r) => r.id)).toEqual([reply.message.id]);
      await watcher.waitFor((e) => e.type === "message:new" && e.message.clientId === "once-1");
      await Bun.sleep(300);
      // A retry that finds its original announces it again (its first announcement may never
      // have gone out); the other member's client keeps one message per id.
      const announced = watcher.events.flatMap((e) => (e.type === "message:new" && e.message.clientId === "once-1" ? [e.message.id] : []));
      expect(new Set(announced)).toEqual(new Set([reply.message.id]));
    } finally {
      socket.stop();
      watcher.close();
    }
  });
});
