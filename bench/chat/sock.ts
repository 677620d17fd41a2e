/** A lean WebSocket client for the chat bench, and small error-count helpers. */
import { mapLimit, onCleanup, type BenchUser } from "../lib/harness";
import { HEARTBEAT_MS } from "./options";

type Frame = Record<string, any>;
type ReplyCb = (f: Frame, t: number) => void;

/** One WebSocket: replies dispatched by id to callbacks, everything else to onEvent, both with arrival time. */
export class Sock {
  readonly pending = new Map<string, ReplyCb>();
  onEvent: ((f: Frame, t: number) => void) | null = null;
  closedWith: string | null = null;
  #seq = 0;
  #heartbeat: ReturnType<typeof setInterval>;

  private constructor(readonly ws: WebSocket, readonly label: string) {
    // hello's lists arrive in a frame of their own just before its reply; the reply handed on is both.
    let helloLists: Frame = {};
    ws.addEventListener("message", (m) => {
      const t = performance.now();
      const f = JSON.parse(m.data as string) as Frame;
      if (f.type === "hello:lists") {
        helloLists = f;
        return;
      }
      if (f.replyTo !== undefined) {
        const cb = this.pending.get(f.replyTo);
        const { type: _lists, ...lists } = helloLists;
        helloLists = {};
        if (cb) {
          this.pending.delete(f.replyTo);
          cb({ ...lists, ...f }, t);
        }
        return;
      }
      this.onEvent?.(f, t);
    });
    ws.addEventListener("close", (e) => {
      clearInterval(this.#heartbeat);
      this.closedWith ??= `closed ${e.code} ${e.reason}`;
    });
    // The server reaps sockets silent for WS_STALE_SECONDS (45 s); receivers never send otherwise.
    this.#heartbeat = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"presence:heartbeat"}');
    }, HEARTBEAT_MS);
  }

  static open(base: string, user: BenchUser): Promise<Sock> {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws`, { headers: { cookie: user.cookie } } as never);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`socket for ${user.username} did not open`)), 10_000);
      ws.addEventListener("open", () => (clearTimeout(t), resolve(new Sock(ws, user.username))), { once: true });
      ws.addEventListener("error", () => (clearTimeout(t), reject(new Error(`socket for ${user.username} failed to open`))), { once: true });
    });
  }

  nextId(): string {
    return `f${++this.#seq}`;
  }

  /** Sends a frame with a fresh id; the reply goes to cb. Returns the send time. */
  sendFrame(frame: Frame, cb: ReplyCb): number {
    const id = this.nextId();
    this.pending.set(id, cb);
    const text = JSON.stringify({ id, ...frame });
    const t = performance.now();
    this.ws.send(text);
    return t;
  }

  request(frame: Frame, timeoutMs = 15_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const id = this.nextId();
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no reply to ${frame.type} within ${timeoutMs} ms${this.closedWith ? ` (${this.closedWith})` : ""}`));
      }, timeoutMs);
      this.pending.set(id, (f) => {
        clearTimeout(timer);
        if (f.ok) resolve(f);
        else reject(new Error(`${this.label}: ${frame.type} failed: ${JSON.stringify(f.error)}`));
      });
      this.ws.send(JSON.stringify({ id, ...frame }));
    });
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.closedWith ??= "closed by bench";
    try {
      this.ws.close();
    } catch {
      // already closed
    }
  }
}

let helloWarned = false;

/** Opens a socket per user and completes `hello` on each (so the server has subscribed it to its conversations). */
export async function openAll(base: string, users: BenchUser[], concurrency = 8): Promise<Sock[]> {
  const socks = await mapLimit(users, concurrency, (u) => Sock.open(base, u));
  onCleanup(() => socks.forEach((s) => s.close()));
  await mapLimit(socks, concurrency, async (s) => {
    try {
      await s.request({ type: "hello" });
    } catch (err) {
      // Any frame with an id is answered only after the socket's subscriptions are set up, so a
      // heartbeat is as good a barrier; hello failing is reported but does not sink the bench.
      if (!helloWarned) console.error(`warning: ${(err as Error).message}; using presence:heartbeat as the readiness barrier`);
      helloWarned = true;
      await s.request({ type: "presence:heartbeat" });
    }
  });
  return socks;
}

export const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
export const errText = (m: Map<string, number>) => (m.size === 0 ? "0" : [...m].map(([k, n]) => `${n} ${k}`).join(", "));
