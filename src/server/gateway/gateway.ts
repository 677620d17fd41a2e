/**
 * The WebSocket gateway: authenticates the upgrade, parses every frame with zod, applies
 * per-connection limits, dispatches to services, and delivers bus events to local sockets
 * through Bun topics ("u:<userId>", "c:<conversationId>" for channels and room guests) — DMs,
 * groups and rooms through their local members' user topics (direct.ts).
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { parse as parseCookies } from "hono/utils/cookie";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { WS_CLOSE, type ServerEvent } from "../../shared/protocol";
import type { AuthService } from "../auth/service";
import type { Bus, BusEvent } from "../bus/bus";
import type { Config } from "../config";
import type { Logger } from "../obs/log";
import { takeToken, type SocketData } from "./connection";
import { guestHandlers, handlers, type GuestActor, type Services } from "./dispatch";
import type { GuestTokens } from "../auth/guest-tokens";
import { GUEST_SCOPE } from "../../shared/calls";
import type { DeviceActor } from "../calls/service";
import type { Limits } from "../limits/limits";
import { SerializedReply } from "../hello/service";
import { DirectMembers } from "./direct";
import { parseClientFrame } from "./parse";
import { deliveredJson } from "../bus/wire";

type Socket = ServerWebSocket<SocketData>;

const userTopic = (id: string) => `u:${id}`;
const convTopic = (id: string) => `c:${id}`;
const socketTopic = (id: string) => `s:${id}`;
const spaceTopic = (id: string) => `sp:${id}`;

/** Frames that draw on the user's write budget (shared with REST) or their expensive-read budget. */
const WRITES: ReadonlySet<string> = new Set(["message:send", "message:edit", "message:delete", "reaction:add", "reaction:remove", "call:invite"]);
const READS: ReadonlySet<string> = new Set(["hello"]);

/**
 * How long a draining node waits before it takes a closed socket's user offline and marks them
 * away in their call: their client reconnects within 250 ms of the 1012 (client/socket.ts), to
 * another node behind the balancer, and a user back online (and in their call) elsewhere by then
 * never looks offline to their friends nor reconnecting to the others in the call (a rolling
 * restart shows nothing). Half the shutdown bound at most, so the drain still completes.
 */
const MOVE_WINDOW_MS = 2000;

export class Gateway {
  readonly #byUser = new Map<string, Set<Socket>>();
  readonly #direct = new DirectMembers();
  /** Sockets held per user ("u:<id>") and per session ("s:<id>"), counted from the accepted upgrade to the close. */
  readonly #held = new Map<string, number>();
  readonly #handlers: ReturnType<typeof handlers>;
  readonly #guestHandlers: ReturnType<typeof guestHandlers>;
  readonly #publicOrigin: string;
  #server: Server<SocketData> | undefined;
  #unsubscribe: (() => void) | undefined;
  #reaper: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Set by drain(): frames are no longer handled (the client re-sends unanswered ones after its reconnect). */
  #draining = false;
  /** Frames being handled and disconnect bookkeeping in progress; drain() waits for them. */
  readonly #work = new Set<Promise<unknown>>();

  constructor(
    private readonly config: Readonly<Config>,
    private readonly auth: AuthService,
    private readonly guests: GuestTokens,
    private readonly bus: Bus,
    private readonly services: Services,
    private readonly limits: Limits,
    private readonly log: Logger,
  ) {
    this.#handlers = handlers(services);
    this.#guestHandlers = guestHandlers(services, this.#handlers);
    this.websocket.maxPayloadLength = config.ws.maxFrameBytes;
    this.websocket.backpressureLimit = config.ws.backpressureLimitBytes;
    this.#publicOrigin = new URL(config.publicUrl).origin;
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.#byUser.values()) n += set.size;
    return n;
  }

  /** Starts delivering bus events to this server's sockets and reaping silent ones. */
  attach(server: Server<SocketData>): void {
    this.#server = server;
    this.#unsubscribe = this.bus.subscribe((e) => this.#onBus(e));
    const staleMs = this.config.ws.staleSeconds * 1000;
    this.#reaper = setInterval(() => {
      const cutoff = Date.now() - staleMs;
      for (const set of this.#byUser.values()) for (const ws of set) if (ws.data.lastSeen < cutoff) ws.close(WS_CLOSE.STALE, "no heartbeat");
    }, Math.min(5000, staleMs / 3));
  }

  /** Handles GET /ws: Origin and access cookie are checked before any upgrade. */
  async upgrade(req: Request, server: Server<SocketData>): Promise<Response | undefined> {
    if (this.#draining) {
      return Response.json({ error: { code: "UNAVAILABLE", message: "This node is shutting down" } }, { status: 503, headers: { "Retry-After": "1" } });
    }
    const origin = req.headers.get("origin");
    if (origin !== null && !this.#originAllowed(origin, req)) {
      return Response.json({ error: { code: "FORBIDDEN", message: "Cross-site WebSocket refused" } }, { status: 403 });
    }
    const cookie = req.headers.get("cookie") ?? "";
    // By name: only the cookie wanted is decoded, not every cookie the browser holds for the host.
    const accessToken = parseCookies(cookie, "access_token").access_token;
    const guestToken = accessToken ? undefined : parseCookies(cookie, "guest_token").guest_token;
    let session: { actor: { userId: string; sessionId: string }; exp: number; guest?: SocketData["guest"] };
    try {
      // A signed-in browser is itself even if it also holds a guest cookie; a guest token is read only without an access token.
      if (accessToken || !guestToken) session = await this.auth.authenticateWithExpiry(accessToken);
      else {
        const g = await this.guests.verify(guestToken);
        session = { actor: { userId: g.id, sessionId: g.id }, exp: g.exp, guest: { name: g.name, roomId: g.roomId, conversationId: g.conversationId } };
      }
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError("UNAUTHORIZED", "Not signed in");
      return Response.json({ error: e.toBody() }, { status: 401 });
    }
    const keys = [`u:${session.actor.userId}`, `s:${session.actor.sessionId}`];
    const [perUser, perSession] = keys.map((k) => this.#held.get(k) ?? 0) as [number, number];
    if (perUser >= this.config.ws.maxPerUser || perSession >= this.config.ws.maxPerSession) {
      const which = perUser >= this.config.ws.maxPerUser ? "account" : "session";
      const error = new AppError("TOO_MANY_CONNECTIONS", `This ${which} has too many open connections; close some tabs`, { max: which === "account" ? this.config.ws.maxPerUser : this.config.ws.maxPerSession });
      return Response.json({ error: error.toBody() }, { status: 429, headers: { "Retry-After": "5" } });
    }
    const now = Date.now();
    const data: SocketData = {
      actor: session.actor,
      ...(session.guest ? { guest: session.guest } : {}),
      connectionId: newId(),
      exp: session.exp,
      lastSeen: now,
      tokens: this.config.ws.burst,
      refilledAt: now,
      strikes: 0,
      strikeWindowStart: now,
      ready: Promise.resolve(),
      spaces: new Set(),
    };
    if (server.upgrade(req, { data })) {
      for (const k of keys) this.#held.set(k, (this.#held.get(k) ?? 0) + 1);
      return undefined;
    }
    return Response.json({ error: { code: "VALIDATION_ERROR", message: "Expected a WebSocket upgrade" } }, { status: 400 });
  }

  #originAllowed(origin: string, req: Request): boolean {
    if (origin === this.#publicOrigin) return true;
    const host = req.headers.get("host");
    const proto = new URL(req.url).protocol === "https:" ? "https:" : "http:";
    return host !== null && origin === `${proto}//${host}`;
  }

  readonly websocket: WebSocketHandler<SocketData> = {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    sendPings: true,
    // A socket that reads too slowly is closed rather than left open with frames dropped (Bun's
    // default past the limit): its client reconnects and catches up with sync, so it loses nothing.
    // The client sees 1006 (no close frame: it would queue behind what it has not read).
    backpressureLimit: 8 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    open: (ws) => {
      const { actor } = ws.data;
      let set = this.#byUser.get(actor.userId);
      if (!set) this.#byUser.set(actor.userId, (set = new Set()));
      set.add(ws);
      ws.subscribe(userTopic(actor.userId));
      ws.subscribe(socketTopic(ws.data.connectionId));
      // Recorded before presence and calls learn of it, so a survivor can undo whatever they did.
      this.services.membership.opened({ userId: actor.userId, connectionId: ws.data.connectionId, guest: ws.data.guest !== undefined });
      ws.data.expiryTimer = setTimeout(() => ws.close(WS_CLOSE.UNAUTHORIZED, "token expired"), Math.max(0, ws.data.exp * 1000 - Date.now()));
      ws.data.ready = (async () => {
        // A guest hears their room's chat and nothing else; they have no presence.
        if (ws.data.guest) return void ws.subscribe(convTopic(ws.data.guest.conversationId));
        const { channelIds, conversationIds, spaceIds } = await this.services.hello.subscriptions(actor.userId);
        // Closed meanwhile: its user may have no socket left here to be forgotten with.
        if (!this.#byUser.get(actor.userId)?.has(ws)) return;
        this.#direct.addAll(actor.userId, conversationIds);
        for (const id of channelIds) ws.subscribe(convTopic(id));
        for (const id of spaceIds) {
          ws.subscribe(spaceTopic(id));
          ws.data.spaces.add(id);
        }
        await this.services.presence.handleConnect(actor.userId, ws.data.connectionId);
      })().catch((err) => this.log.error("socket setup failed", { error: String(err) }));
    },
    message: (ws, raw) => {
      if (this.#draining) return;
      this.#track(this.#onFrame(ws, raw));
    },
    close: (ws) => {
      const { actor, connectionId } = ws.data;
      clearTimeout(ws.data.expiryTimer);
      this.services.membership.closed(connectionId);
      const set = this.#byUser.get(actor.userId);
      set?.delete(ws);
      if (set?.size === 0) {
        this.#byUser.delete(actor.userId);
        this.#direct.forget(actor.userId);
      }
      for (const k of [`u:${actor.userId}`, `s:${actor.sessionId}`]) {
        const n = (this.#held.get(k) ?? 1) - 1;
        if (n > 0) this.#held.set(k, n);
        else this.#held.delete(k);
      }
      // A draining node's clients are moving to another node: what their going would show waits until they could be back.
      const moved = this.#draining ? Bun.sleep(Math.min(MOVE_WINDOW_MS, this.config.shutdownTimeoutMs / 2)) : undefined;
      const settle = (what: string, gone: () => Promise<void>) => this.#track((moved ? moved.then(gone) : gone()).catch((err) => this.log.error(`${what} update failed`, { error: String(err) })));
      if (!ws.data.guest) settle("presence", () => this.services.presence.handleDisconnect(actor.userId, connectionId));
      settle("call", () => this.services.calls.handleDisconnect(actor.userId, connectionId));
    },
  };

  #track(p: Promise<unknown>): void {
    this.#work.add(p);
    void p.finally(() => this.#work.delete(p));
  }

  async #onFrame(ws: Socket, raw: string | Buffer): Promise<void> {
    const now = Date.now();
    ws.data.lastSeen = now;
    // Every frame spends a token, malformed ones included: bad input must not be a free flood.
    const verdict = takeToken(ws.data, this.config.ws, now);
    if (verdict === "abusive") return ws.close(WS_CLOSE.POLICY, "rate limit exceeded");
    const refuse = (id: string | undefined, invalid: string) =>
      this.#fail(ws, id, verdict === "limited" ? new AppError("RATE_LIMITED", "Too many frames; slow down", undefined, 1) : new AppError("VALIDATION_ERROR", invalid));
    if (typeof raw !== "string") return refuse(undefined, "Binary frames are not accepted");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return refuse(undefined, "Frame is not valid JSON");
    }
    const rawId = (json as { id?: unknown } | null)?.id;
    const id = typeof rawId === "string" && rawId.length <= 64 ? rawId : undefined;
    if (verdict === "limited") return refuse(id, "");
    const parsed = parseClientFrame(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.#fail(ws, id, new AppError("VALIDATION_ERROR", `Invalid frame${issue ? `: ${issue.path.join(".") || "type"} ${issue.message}` : ""}`));
    }
    const frame = parsed.data;
    try {
      if (WRITES.has(frame.type)) this.limits.write(ws.data.actor.userId);
      else if (READS.has(frame.type)) this.limits.read(ws.data.actor.userId);
      await ws.data.ready;
      const { guest } = ws.data;
      const handler = (guest ? this.#guestHandlers[frame.type] : this.#handlers[frame.type]) as ((a: DeviceActor | GuestActor, f: typeof frame) => Promise<object | void>) | undefined;
      if (!handler) throw new AppError("FORBIDDEN", GUEST_SCOPE);
      // Once per socket, not per frame: handlers only read it.
      const actor = (ws.data.handlerActor ??= { ...ws.data.actor, connectionId: ws.data.connectionId, ...(guest ? { guest, exp: ws.data.exp } : {}) });
      const result = await handler(actor, frame);
      if (frame.id === undefined) return;
      if (result instanceof SerializedReply) {
        if (result.lead !== null) this.#write(ws, result.lead);
        this.#write(ws, `{"replyTo":${JSON.stringify(frame.id)},"ok":true,${result.body}}`);
      }
      else this.#send(ws, { replyTo: frame.id, ok: true, ...(result ?? {}) });
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error("frame handler failed", { type: frame.type, error: String((err as Error)?.stack ?? err) });
      this.#fail(ws, frame.id, err instanceof AppError ? err : new AppError("INTERNAL", "Something went wrong"));
    }
  }

  #fail(ws: Socket, id: string | undefined, err: AppError): void {
    const error = { ...err.toBody(), ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }) };
    if (id !== undefined) this.#send(ws, { replyTo: id, ok: false, error });
    else this.#event(ws, { type: "error", error });
  }

  #event(ws: Socket, event: ServerEvent): void {
    this.#send(ws, event);
  }

  #send(ws: Socket, payload: object): void {
    this.#write(ws, JSON.stringify(payload));
  }

  /**
   * A frame to one socket, through its own topic rather than ws.send: Bun holds published frames
   * and writes each socket's in one go at the end of the loop's turn, where every ws.send is a
   * write of its own (under load, a send syscall per ack). Order is kept: a socket's frames go out
   * in the order they were sent or published.
   */
  #write(ws: Socket, text: string): void {
    if (this.#server) this.#server.publish(socketTopic(ws.data.connectionId), text);
    else ws.send(text);
  }

  #onBus(e: BusEvent): void {
    const server = this.#server;
    if (!server || this.#closed) return;
    switch (e.type) {
      case "deliver": {
        const json = deliveredJson(e);
        const to = e.to;
        if ("conversation" in to) {
          // Channel members and room guests hear it on the topic, users in a DM, group or room on their own.
          server.publish(convTopic(to.conversation), json);
          for (const u of this.#direct.users(to.conversation)) server.publish(userTopic(u), json);
        }
        else if ("space" in to) server.publish(spaceTopic(to.space), json);
        else if ("connections" in to) for (const c of to.connections) server.publish(socketTopic(c), json);
        else if (to.exceptConnection === undefined) for (const u of to.users) server.publish(userTopic(u), json);
        else {
          for (const u of to.users) for (const ws of this.#byUser.get(u) ?? []) if (ws.data.connectionId !== to.exceptConnection) ws.send(json);
        }
        return;
      }
      case "membership": {
        if (!this.#byUser.has(e.userId)) return;
        if (e.joined) this.#direct.add(e.userId, [e.conversationId]);
        else this.#direct.remove(e.userId, e.conversationId);
        return;
      }
      case "space-membership": {
        for (const ws of this.#byUser.get(e.userId) ?? []) {
          const topics = [spaceTopic(e.spaceId), ...e.conversationIds.map(convTopic)];
          for (const t of topics) (e.joined ? ws.subscribe(t) : ws.unsubscribe(t));
          if (e.joined) ws.data.spaces.add(e.spaceId);
          else ws.data.spaces.delete(e.spaceId);
        }
        return;
      }
      case "channel:subscribe": {
        for (const set of this.#byUser.values()) {
          for (const ws of set) {
            if (!ws.data.spaces.has(e.spaceId)) continue;
            if (e.subscribe) ws.subscribe(convTopic(e.conversationId));
            else ws.unsubscribe(convTopic(e.conversationId));
          }
        }
        return;
      }
      case "sessions:ended": {
        for (const ws of this.#byUser.get(e.userId) ?? []) {
          if (e.sessionIds === "all" || e.sessionIds.includes(ws.data.actor.sessionId)) ws.close(WS_CLOSE.UNAUTHORIZED, "signed out");
        }
        return;
      }
    }
  }

  /**
   * Graceful stop (SIGTERM): new upgrades and frames are refused, frames already being handled
   * are finished and answered (a message in flight is committed, then acknowledged), then every
   * socket is closed with 1012 so its client reconnects at once, and their disconnects settle
   * (after MOVE_WINDOW_MS, by when a moving client is online, and back in its call, on another node).
   * The caller bounds how long this may take.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    await this.#settle();
    for (const set of this.#byUser.values()) for (const ws of set) ws.close(WS_CLOSE.RESTART, "server restarting");
    while (this.connectionCount > 0) await Bun.sleep(5);
    await this.#settle();
  }

  /**
   * Every client reconnects, to any node, and resumes (hello, then sync): this node was declared
   * dead (membership.ts), or its bus subscription came back after events were lost (server.ts).
   */
  restartAll(reason: string): void {
    for (const set of this.#byUser.values()) for (const ws of set) ws.close(WS_CLOSE.RESTART, reason);
  }

  async #settle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** Closes every socket (going away) and stops listening to the bus. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    clearInterval(this.#reaper);
    for (const set of this.#byUser.values()) for (const ws of set) ws.close(WS_CLOSE.GOING_AWAY, "server shutting down");
  }
}
