/** A test socket client: request/reply by id, and an event log to wait on. */
import type { CookieJar } from "./parley";

export interface WsClient {
  ws: WebSocket;
  events: Array<Record<string, any>>;
  request(frame: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, any>>;
  send(raw: string | Record<string, unknown> | ArrayBufferLike): void;
  waitFor(pred: (e: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let seq = 0;

export function connectWs(base: string, jar: CookieJar | null, opts: { origin?: string } = {}): Promise<WsClient> {
  const url = base.replace(/^http/, "ws") + "/ws";
  const headers: Record<string, string> = {};
  if (jar) headers.cookie = jar.header();
  if (opts.origin) headers.origin = opts.origin;
  const ws = new WebSocket(url, { headers } as never);
  const events: Array<Record<string, any>> = [];
  const pending = new Map<string, (r: Record<string, any>) => void>();
  const waiters = new Set<{ pred: (e: Record<string, any>) => boolean; resolve: (e: Record<string, any>) => void }>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  // hello's lists arrive in a frame of their own just before its reply; a request's answer is both.
  let helloLists: Record<string, any> = {};
  ws.addEventListener("message", (m) => {
    const data = JSON.parse(String(m.data));
    if (data.type === "hello:lists") {
      helloLists = data;
      return;
    }
    if (data.replyTo !== undefined && pending.has(data.replyTo)) {
      const { type: _lists, ...lists } = helloLists;
      helloLists = {};
      pending.get(data.replyTo)!({ ...lists, ...data });
      pending.delete(data.replyTo);
      return;
    }
    events.push(data);
    for (const w of waiters) if (w.pred(data)) {
      waiters.delete(w);
      w.resolve(data);
    }
  });
  const client: WsClient = {
    ws,
    events,
    closed,
    request(frame, timeoutMs = 10_000) {
      const id = `r${++seq}`;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(frame).slice(0, 100)}`)), timeoutMs);
        pending.set(id, (r) => {
          clearTimeout(t);
          resolve(r);
        });
        ws.send(JSON.stringify({ ...frame, id }));
      });
    },
    send(raw) {
      ws.send(typeof raw === "string" || raw instanceof ArrayBuffer || ArrayBuffer.isView(raw) ? (raw as never) : JSON.stringify(raw));
    },
    waitFor(pred, timeoutMs = 10_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error("timed out waiting for an event"));
        }, timeoutMs);
      });
    },
    close() {
      ws.close();
    },
  };
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(client), { once: true });
    ws.addEventListener("error", () => reject(new Error("websocket failed to open")), { once: true });
  });
}

/** Opens the upgrade request by hand to see the HTTP status of a refused upgrade. */
export async function upgradeStatus(base: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(base + "/ws", {
    headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", ...headers },
  });
  return res.status;
}
