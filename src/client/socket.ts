/**
 * The reconnecting, resumable socket. Requests carry an id and resolve with the server's reply;
 * while offline they wait in a queue, and any request not yet answered is sent again after a
 * reconnect (message:send keeps its clientId, so the server returns the original instead of a
 * duplicate). Close code 4401 means the access token ran out: refresh, then reconnect; 1012 means
 * the node is restarting: reconnect at once (behind a load balancer, to another node).
 */
import { WS_CLOSE, type ClientFrame, type HelloResult, type ServerEvent } from "../shared/protocol";
import type { ErrorCode } from "../shared/errors";

export type SocketState = "connecting" | "open" | "reconnecting" | "closed";

export class SocketError extends Error {
  constructor(
    readonly code: ErrorCode | "NETWORK_ERROR",
    message: string,
  ) {
    super(message);
    this.name = "SocketError";
  }
}

type FrameInput = ClientFrame extends infer F ? (F extends { type: string } ? Omit<F, "id"> : never) : never;

interface Pending {
  frame: FrameInput & { id: string };
  resolve: (r: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export interface SocketOptions {
  url: string;
  /** Rotates the session cookies; rejects when the session is gone. */
  refresh: () => Promise<void>;
  onEvent: (e: ServerEvent) => void;
  onHello: (h: HelloResult) => void;
  onState: (s: SocketState) => void;
  onAuthLost: () => void;
  heartbeatMs?: number;
  /** Opens the underlying socket; tests pass one that sets headers or drops frames. */
  connect?: (url: string) => WebSocket;
}

const HEARTBEAT_MS = 20_000;
/** A socket that answers nothing for this long is presumed dead and replaced. */
const SILENCE_MS = 45_000;
/** After a 1012, a node's clients reconnect within this, spread so they do not all land in one instant. */
const RESTART_SPREAD_MS = 250;

/** Full-jitter exponential backoff: the wait before retry `attempt` (from 1), up to 0.5 s doubling to 15 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(15_000, 500 * 2 ** Math.min(attempt - 1, 5));
}

export class ParleySocket {
  #ws: WebSocket | null = null;
  #state: SocketState = "closed";
  #attempt = 0;
  #seq = 0;
  #pending = new Map<string, Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #stopped = false;

  constructor(private readonly opts: SocketOptions) {}

  get state(): SocketState {
    return this.#state;
  }

  start(): void {
    this.#stopped = false;
    addEventListener("online", this.#onOnline);
    addEventListener("offline", this.#onOffline);
    this.#open();
  }

  /** Stops for good (logout). Pending requests fail. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    removeEventListener("online", this.#onOnline);
    removeEventListener("offline", this.#onOffline);
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#ws?.close(1000, "bye");
    this.#ws = null;
    for (const p of this.#pending.values()) p.reject(new SocketError("NETWORK_ERROR", "Disconnected"));
    this.#pending.clear();
    this.#setState("closed");
  }

  /** Sends a frame and resolves with its reply; survives reconnects until answered. */
  request<T = Record<string, unknown>>(frame: FrameInput): Promise<T> {
    const id = `c${++this.#seq}`;
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { frame: { ...frame, id } as Pending["frame"], resolve: resolve as Pending["resolve"], reject };
      this.#pending.set(id, p);
      if (this.#state === "open") this.#write(p.frame);
    });
  }

  /** Fire-and-forget (typing, heartbeats): dropped when not connected. */
  notify(frame: FrameInput): void {
    if (this.#state === "open") this.#write(frame);
  }

  #write(frame: object): void {
    try {
      this.#ws?.send(JSON.stringify(frame));
    } catch {
      // A socket that died between checks is replaced by the close handler.
    }
  }

  #setState(s: SocketState): void {
    if (this.#state === s) return;
    this.#state = s;
    this.opts.onState(s);
  }

  #open(): void {
    if (this.#stopped) return;
    this.#setState(this.#attempt === 0 ? "connecting" : "reconnecting");
    const ws = this.opts.connect ? this.opts.connect(this.opts.url) : new WebSocket(this.opts.url);
    this.#ws = ws;
    this.#openedAt = Date.now();
    ws.onopen = () => {
      this.#lastHeard = Date.now();
      this.#helloLists = {};
      const id = `h${++this.#seq}`;
      ws.send(JSON.stringify({ id, type: "hello" }));
      this.#helloId = id;
    };
    ws.onmessage = (m) => this.#onMessage(ws, m);
    ws.onclose = (e) => this.#onClose(ws, e.code);
  }

  #helloId = "";
  #helloLists: Record<string, unknown> = {};

  #onMessage(ws: WebSocket, m: MessageEvent): void {
    if (ws !== this.#ws) return;
    this.#lastHeard = Date.now();
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(String(m.data));
    } catch {
      return;
    }
    // hello's lists come in a frame of their own just before its reply (docs/PROTOCOL.md).
    if (data.type === "hello:lists") {
      const { type: _lists, ...lists } = data;
      this.#helloLists = lists;
      return;
    }
    if (typeof data.replyTo === "string") {
      if (data.replyTo === this.#helloId) {
        const lists = this.#helloLists;
        this.#helloLists = {};
        return this.#onHello({ ...lists, ...data } as unknown as HelloResult & { ok: boolean });
      }
      const p = this.#pending.get(data.replyTo);
      if (!p) return;
      const refused = data.ok === false ? (data.error as { code?: string; retryAfter?: number }) : undefined;
      if (refused?.code === "RATE_LIMITED" || refused?.code === "STORE_UNAVAILABLE") {
        // Try again once the budget (or the database) is back rather than failing a user's message.
        setTimeout(() => this.#state === "open" && this.#pending.has(p.frame.id) && this.#write(p.frame), (refused.retryAfter ?? 1) * 1000);
        return;
      }
      this.#pending.delete(data.replyTo);
      if (data.ok === false) {
        const err = data.error as { code: ErrorCode; message: string };
        p.reject(new SocketError(err.code, err.message));
      } else p.resolve(data);
      return;
    }
    this.opts.onEvent(data as unknown as ServerEvent);
  }

  #onHello(h: HelloResult & { ok: boolean }): void {
    if (!h.ok) return this.#ws?.close();
    this.#attempt = 0;
    this.#setState("open");
    // Everything not yet answered goes again, in order (requests made by onHello are already out).
    const unanswered = [...this.#pending.values()];
    this.opts.onHello(h);
    for (const p of unanswered) if (this.#pending.has(p.frame.id)) this.#write(p.frame);
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastHeard > SILENCE_MS) this.#ws?.close();
      else this.notify({ type: "presence:heartbeat" });
    }, this.opts.heartbeatMs ?? HEARTBEAT_MS);
  }

  async #onClose(ws: WebSocket, code: number): Promise<void> {
    if (ws !== this.#ws || this.#stopped) return;
    this.#ws = null;
    clearInterval(this.#heartbeat);
    // 4401 says the token ran out. A socket that never opened may have been refused at the
    // upgrade for the same reason (HTTP 401 is invisible to WebSocket code), so refresh then
    // too — at most every 30 s, in case the server is simply down.
    const refusedEarly = this.#lastHeard < this.#openedAt && Date.now() - this.#lastGuess > 30_000 && navigator.onLine !== false;
    if (code === WS_CLOSE.UNAUTHORIZED || refusedEarly) {
      if (code !== WS_CLOSE.UNAUTHORIZED) this.#lastGuess = Date.now();
      try {
        await this.opts.refresh();
      } catch (err) {
        // Only a definite "no session" signs the user out; a network failure just retries.
        if ((err as { status?: number }).status === 401) {
          this.stop();
          this.opts.onAuthLost();
          return;
        }
      }
    }
    this.#schedule(code === WS_CLOSE.RESTART);
  }

  #openedAt = 0;
  /** When a refresh was last tried on a guess (a refused upgrade), not on a 4401. */
  #lastGuess = 0;

  /** `restart`: the node said it is going away (1012) — not a failure, so no backoff, only a spread. */
  #schedule(restart = false): void {
    if (this.#stopped) return;
    this.#attempt++;
    this.#setState("reconnecting");
    clearTimeout(this.#timer);
    const wait = restart ? Math.random() * RESTART_SPREAD_MS : backoffDelay(this.#attempt);
    this.#timer = setTimeout(() => this.#open(), navigator.onLine === false ? 60_000 : wait);
  }

  readonly #onOnline = () => {
    if (this.#state !== "reconnecting") return;
    clearTimeout(this.#timer);
    this.#open();
  };

  readonly #onOffline = () => {
    // The OS says the network is gone: do not wait for TCP to notice, nor for a closing
    // handshake that may never complete. The old socket's own close event is then ignored.
    const ws = this.#ws;
    if (!ws) return;
    ws.close();
    void this.#onClose(ws, 1006);
  };
}
