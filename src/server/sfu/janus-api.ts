/**
 * A client of the Janus HTTP API (https://janus.conf.meetecho.com/docs/rest.html): one session,
 * plugin handles on it, requests matched to their replies by transaction, and a long poll that
 * delivers every asynchronous event (plugin replies, webrtcup, hangup, talking…) in order.
 */

export interface JanusJsep {
  type: "offer" | "answer";
  sdp: string;
  /** Order of a simulcast offer's rids: ours go lowest first (Janus assumes highest first). */
  rid_order?: "lmh" | "hml";
}

export interface JanusEvent {
  janus: string;
  sender?: number;
  transaction?: string;
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: JanusJsep;
  [key: string]: unknown;
}

/** A plugin's reply: its data and, for negotiating requests, the SDP it offers or answers. */
export interface JanusReply {
  data: Record<string, unknown>;
  jsep?: JanusJsep;
}

export class JanusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`janus ${code}: ${message}`);
  }
}

/** How long a request may wait for its asynchronous reply (Janus gathers ICE before answering). */
const REPLY_TIMEOUT_MS = 20_000;

export class JanusSession {
  readonly #pending = new Map<string, { resolve: (e: JanusEvent) => void; reject: (err: Error) => void }>();
  readonly #handles = new Map<number, (e: JanusEvent) => void>();
  readonly #poll = new AbortController();
  #next = 0;

  private constructor(
    private readonly url: string,
    readonly id: number,
  ) {}

  static async create(url: string): Promise<JanusSession> {
    const base = url.replace(/\/+$/, "");
    const created = await post(base, { janus: "create", transaction: "create" });
    const session = new JanusSession(base, (created.data as { id: number }).id);
    void session.#longPoll();
    return session;
  }

  /** Attaches a plugin handle; its events (other than replies) go to `onEvent`. */
  async attach(plugin: string, onEvent: (e: JanusEvent) => void): Promise<number> {
    const r = await post(`${this.url}/${this.id}`, { janus: "attach", plugin, transaction: this.#transaction() });
    const handle = (r.data as { id: number }).id;
    this.#handles.set(handle, onEvent);
    return handle;
  }

  async detach(handle: number): Promise<void> {
    this.#handles.delete(handle);
    await post(`${this.url}/${this.id}/${handle}`, { janus: "detach", transaction: this.#transaction() }).catch(() => {});
  }

  /** Sends a plugin request; resolves with its reply, synchronous or asynchronous; plugin errors reject. */
  async message(handle: number, body: Record<string, unknown>, jsep?: JanusJsep): Promise<JanusReply> {
    const transaction = this.#transaction();
    const reply = new Promise<JanusEvent>((resolve, reject) => this.#pending.set(transaction, { resolve, reject }));
    const timer = setTimeout(() => this.#settle(transaction, undefined, new JanusError(0, `no reply to ${String(body.request)} in time`)), REPLY_TIMEOUT_MS);
    try {
      const r = await post(`${this.url}/${this.id}/${handle}`, { janus: "message", body, jsep, transaction });
      const event = r.janus === "ack" ? await reply : r;
      const data = event.plugindata?.data ?? {};
      if (typeof data.error_code === "number") throw new JanusError(data.error_code, String(data.error));
      return { data, jsep: event.jsep };
    } finally {
      clearTimeout(timer);
      this.#pending.delete(transaction);
    }
  }

  /** A client's ICE candidate (null: end of candidates) for a handle's PeerConnection. */
  async trickle(handle: number, candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null): Promise<void> {
    const c = candidate ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex } : { completed: true };
    await post(`${this.url}/${this.id}/${handle}`, { janus: "trickle", candidate: c, transaction: this.#transaction() });
  }

  async destroy(): Promise<void> {
    this.#poll.abort();
    for (const transaction of [...this.#pending.keys()]) this.#settle(transaction, undefined, new JanusError(0, "session closed"));
    this.#handles.clear();
    await post(`${this.url}/${this.id}`, { janus: "destroy", transaction: this.#transaction() }).catch(() => {});
  }

  #transaction(): string {
    return `t${++this.#next}`;
  }

  #settle(transaction: string, event?: JanusEvent, err?: Error): void {
    const waiter = this.#pending.get(transaction);
    if (!waiter) return;
    this.#pending.delete(transaction);
    if (event) waiter.resolve(event);
    else waiter.reject(err!);
  }

  /** Keeps the session alive and dispatches its events until destroy(). */
  async #longPoll(): Promise<void> {
    while (!this.#poll.signal.aborted) {
      try {
        const res = await fetch(`${this.url}/${this.id}?maxev=50`, { signal: this.#poll.signal });
        const body = (await res.json()) as JanusEvent | JanusEvent[];
        for (const event of Array.isArray(body) ? body : [body]) this.#dispatch(event);
      } catch {
        if (!this.#poll.signal.aborted) await Bun.sleep(500);
      }
    }
  }

  #dispatch(event: JanusEvent): void {
    // Replies to requests carry their transaction; everything else is the handle's news.
    if (event.transaction && this.#pending.has(event.transaction) && event.janus === "event") this.#settle(event.transaction, event);
    else if (event.sender !== undefined) this.#handles.get(event.sender)?.(event);
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<JanusEvent> {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const event = (await res.json()) as JanusEvent & { error?: { code: number; reason: string }; data?: unknown };
  if (event.janus === "error") throw new JanusError(event.error?.code ?? 0, event.error?.reason ?? "unknown error");
  return event;
}
