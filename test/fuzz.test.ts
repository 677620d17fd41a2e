/**
 * Protocol fuzz: thousands of random and mutated frames against a live node. The process must
 * stay up, answer only with documented error codes, and two bystanders must keep chatting.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ERROR_CODES } from "../src/shared/errors";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { connectWs, type WsClient } from "./support/ws";
import { befriend } from "./support/social";

let node: TestNode;
let base: string;
let port: number;
beforeAll(async () => {
  node = await startNode({ WS_RATE_PER_SECOND: "100000", WS_BURST: "100000" });
  port = node.listen().port!;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => node.dispose());

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ["hello", "presence:heartbeat", "presence:set", "message:send", "typing:start", "typing:stop", "read:mark", "sync", "call:invite", "rtc:offer", "", "__proto__", "constructor"];

function mutated(r: () => number, conversationId: string): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const value = (depth: number): unknown => {
    const k = Math.floor(r() * 10);
    if (depth > 3 || k < 2) return pick([null, true, false, 0, -1, 1e308, NaN, "", "x", "\u0000", "💥".repeat(50), conversationId]);
    if (k < 4) return "y".repeat(Math.floor(r() * 20000));
    if (k < 6) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
    if (k < 8) return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [pick(["id", "type", "content", "conversationId", "clientId", "__proto__", "status"]), value(depth + 1)]));
    return Math.floor(r() * 2 ** 53);
  };
  const k = Math.floor(r() * 8);
  if (k === 0) return JSON.stringify(value(0));
  if (k === 1) return "[".repeat(Math.floor(r() * 20000));
  if (k === 2) return JSON.stringify({ id: "f", type: "message:send", conversationId, clientId: value(2), content: value(2) });
  if (k === 3) return String.fromCharCode(...Array.from({ length: 200 }, () => Math.floor(r() * 0xffff)));
  if (k === 4) return `{"type":"${pick(TYPES)}","id":${JSON.stringify(value(3))}`;
  const frame: Record<string, unknown> = { id: pick(["a", 1, null, "z".repeat(100), undefined]), type: pick(TYPES) };
  for (const key of ["conversationId", "clientId", "content", "status", "messageId", "after", "limit", "resume", "extra"]) {
    if (r() < 0.5) frame[key] = r() < 0.3 ? conversationId : value(1);
  }
  return JSON.stringify(frame);
}

/** A masked WebSocket text frame with arbitrary payload bytes (e.g. invalid UTF-8). */
function rawFrame(payload: Uint8Array, opcode = 0x1): Uint8Array {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const head = payload.length < 126 ? [0x80 | opcode, 0x80 | payload.length] : [0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  const out = new Uint8Array(head.length + 4 + payload.length);
  out.set(head);
  out.set(mask, head.length);
  payload.forEach((b, i) => (out[head.length + 4 + i] = b ^ mask[i % 4]!));
  return out;
}

async function sendInvalidUtf8(cookie: string): Promise<string> {
  let received = "";
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(s, chunk) {
        received += Buffer.from(chunk).toString("latin1");
        if (received.includes("\r\n\r\n") && !received.includes("sent")) {
          received += "sent";
          s.write(rawFrame(new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0xed, 0xa0, 0x80])));
        }
      },
      close: () => done(),
      error: () => done(),
    },
  });
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${cookie}\r\n\r\n`,
  );
  await Promise.race([finished, Bun.sleep(3000)]);
  socket.end();
  return received;
}

test("thousands of random and mutated frames: the process lives, errors are documented, bystanders keep chatting", async () => {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const attacker = await registerUser(node);
  const as = await connectWs(base, a.jar);
  const bs = await connectWs(base, b.jar);
  await as.request({ type: "hello" });
  await bs.request({ type: "hello" });

  const documented = new Set<string>(ERROR_CODES);
  const bad: unknown[] = [];
  const closes: number[] = [];
  let replies = 0;
  let evil: WsClient = await connectWs(base, attacker.jar);
  const watch = (c: WsClient) => {
    c.ws.addEventListener("message", (m) => {
      replies++;
      const d = JSON.parse(String(m.data));
      const code = d.error?.code;
      if (code !== undefined && !documented.has(code)) bad.push(d);
    });
    void c.closed.then((e) => closes.push(e.code));
  };
  watch(evil);

  const r = rng(20261121);
  const FRAMES = 4000;
  let chat = 0;
  for (let i = 0; i < FRAMES; i++) {
    if (evil.ws.readyState !== WebSocket.OPEN) {
      evil = await connectWs(base, attacker.jar);
      watch(evil);
    }
    if (r() < 0.05) evil.ws.send(crypto.getRandomValues(new Uint8Array(Math.floor(r() * 5000))));
    else evil.ws.send(mutated(r, conversationId));
    if (i % 200 === 0) {
      const sent = await as.request({ type: "message:send", conversationId, clientId: `bystander-${chat++}`, content: `still here ${i}` });
      expect(sent.ok).toBe(true);
      await bs.waitFor((e) => e.type === "message:new" && e.message.id === sent.message.id);
    }
  }
  // Invalid UTF-8 in a text frame, below the client library's encoding: closed with 1007.
  const raw = await sendInvalidUtf8(attacker.jar.header());
  const frames = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  expect(raw.startsWith("HTTP/1.1 101")).toBe(true);
  expect(frames).toMatch(/\x88[\x02-\x7d]\x03\xef/);

  expect(bad).toEqual([]);
  expect(replies).toBeGreaterThan(FRAMES / 2);
  for (const code of closes) expect([1000, 1006, 1007, 1008, 1009]).toContain(code);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const last = await bs.request({ type: "message:send", conversationId, clientId: "final", content: "we are fine" });
  expect(last.ok).toBe(true);
  await as.waitFor((e) => e.type === "message:new" && e.message.clientId === "final");
  // The attacker wrote nothing into a conversation it does not belong to.
  const hist = (await (await node.req(`/api/conversations/${conversationId}/messages?limit=100`, {}, a.jar)).json()) as { messages: Array<{ authorId: string }> };
  expect(hist.messages.every((m) => m.authorId !== attacker.user.id)).toBe(true);
  as.close();
  bs.close();
  evil.close();
}, 120_000);

test("text no store can hold (NUL, lone surrogates) is refused the same on every store, and nothing is stored", async () => {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const bad = ["nul \u0000 inside", "lone \ud800 high", "lone \udfff low"];
  const ws = await connectWs(base, a.jar);
  await ws.request({ type: "hello" });
  for (const [i, content] of bad.entries()) {
    const sock = await ws.request({ type: "message:send", conversationId, clientId: `bad-${i}`, content });
    expect(sock).toMatchObject({ ok: false, error: { code: "VALIDATION_ERROR" } });
    const rest = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: `rest-${i}`, content } }, a.jar);
    expect(rest.status).toBe(400);
    const me = await node.req("/api/users/me", { method: "PATCH", json: { displayName: content } }, a.jar);
    expect(me.status).toBe(400);
  }
  for (const path of [`/api/conversations/${conversationId}/messages?after=%00`, "/api/users/%00", "/api/spaces/ab%00cd", "/api/users/%ED%A0%80"]) {
    const res = await node.req(path, {}, a.jar);
    expect([path, res.status]).toEqual([path, 400]);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
  }
  const hist = (await (await node.req(`/api/conversations/${conversationId}/messages`, {}, a.jar)).json()) as { messages: unknown[] };
  expect(hist.messages).toEqual([]);
  expect(((await (await node.req("/api/users/me", {}, a.jar)).json()) as { user: { displayName: string } }).user.displayName).toBe(a.user.username);
  ws.close();
});

