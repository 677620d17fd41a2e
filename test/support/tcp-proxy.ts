/**
 * A TCP proxy a test can cut and restore, to make a shared service (PostgreSQL on 5432)
 * unreachable for one node without touching the service other suites use. Given several
 * targets it is a failover load balancer: each connection goes to the first that accepts.
 * It can also slow what the service answers to a set pace, so that work reading from it (an
 * export streaming files from S3) takes long enough for a test to watch it happen. And it can
 * hang: accept connections and keep them open while forwarding nothing, like a host or network
 * that silently drops packets (a client waits on its timeouts rather than being refused). Or it
 * can open each new connection late, like a loaded server slow to accept and authenticate, or
 * pass on each answer late, like a far one.
 */
import type { Socket, TCPSocketListener } from "bun";

/** Bytes on their way to one side: a socket takes what fits and asks for the rest on drain. */
interface Lane {
  socket?: Socket<Pair>;
  queue: Uint8Array[];
}

interface Pair {
  /** Towards the client; a throttle paces this lane. */
  down: Lane;
  /** Towards the service; bytes wait here until the upstream connection opens. */
  up: Lane;
  /** Upstream has closed: the client's side closes once what it sent is through. */
  ended?: boolean;
  /** Opened or caught while the proxy hung: it forwards nothing, ever (its bytes were lost). */
  dead?: boolean;
}

export interface TcpProxy {
  port: number;
  /** Stops listening and drops every open connection both ways. */
  cut(): void;
  /** Forwards nothing either way from now on, on open connections and on those it accepts meanwhile; restore() ends it for new ones. */
  hang(): void;
  /** Listens again on the same port, and forwards new connections again after hang() (those it caught stay hung). */
  restore(): void;
  /** How many connections hang() caught their client still holds open. */
  hungOpen(): number;
  /** Opens each new connection upstream this many ms after the client's (what the client sends waits); null for at once. */
  slowConnects(ms: number | null): void;
  /** Holds what upstream sends this many ms before passing it on (a far server); null for at once. */
  delay(ms: number | null): void;
  /** Passes at most this many bytes a second from upstream to each client; null lifts the limit. */
  throttle(bytesPerSecond: number | null): void;
  close(): void;
}

type Target = { host: string; port: number };

/** How often a throttled proxy hands out its budget. */
const TICK_MS = 50;

/** Writes up to `budget` bytes of the lane's queue, keeping what the socket did not take. */
function pump(lane: Lane, budget = Infinity): void {
  while (lane.socket && lane.queue.length > 0 && budget > 0) {
    const head = lane.queue[0]!;
    const part = head.subarray(0, Math.min(head.length, budget));
    const written = Math.max(0, lane.socket.write(part));
    budget -= written;
    if (written === head.length) lane.queue.shift();
    else lane.queue[0] = head.subarray(written);
    // The socket is full (it asks again on drain), or the budget is spent.
    if (written < part.length || written < head.length) return;
  }
}

export function startTcpProxy(target: Target | Target[], port = 0): TcpProxy {
  const targets = Array.isArray(target) ? target : [target];
  const pairs = new Set<Pair>();
  let listener: TCPSocketListener<Pair> | null = null;
  let rate: number | null = null;
  let pacer: ReturnType<typeof setInterval> | null = null;
  let hung = false;
  let connectDelayMs: number | null = null;
  let latencyMs: number | null = null;
  const drop = (p: Pair) => {
    pairs.delete(p);
    p.down.socket?.end();
    p.up.socket?.end();
  };
  const toDown = (p: Pair, budget?: number) => {
    pump(p.down, budget);
    if (p.ended && p.down.queue.length === 0) drop(p);
  };
  const connectUp = (pair: Pair, i: number): void =>
    void Bun.connect<Pair>({
      hostname: targets[i]!.host,
      port: targets[i]!.port,
      data: pair,
      socket: {
        open(up) {
          pair.up.socket = up;
          pump(pair.up);
        },
        data(_up, chunk) {
          if (pair.dead) return;
          const bytes = new Uint8Array(chunk);
          const pass = () => {
            if (pair.dead || !pairs.has(pair)) return;
            pair.down.queue.push(bytes);
            if (rate === null) toDown(pair);
          };
          if (latencyMs === null) pass();
          else setTimeout(pass, latencyMs);
        },
        drain: () => pump(pair.up),
        // Only a connection that opened is this pair's to drop; a refused one tries the next target.
        close: () => pair.up.socket && ((pair.ended = true), toDown(pair, 0)),
        error: () => pair.up.socket && drop(pair),
      },
    }).catch(() => (i + 1 < targets.length ? connectUp(pair, i + 1) : drop(pair)));
  const listen = (at: number) =>
    Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: at,
      socket: {
        open(down) {
          const pair: Pair = { down: { socket: down, queue: [] }, up: { queue: [] } };
          down.data = pair;
          pairs.add(pair);
          if (hung) pair.dead = true;
          else if (connectDelayMs === null) connectUp(pair, 0);
          // A client that gave up meanwhile has been dropped: nothing to open for it.
          else setTimeout(() => pairs.has(pair) && connectUp(pair, 0), connectDelayMs);
        },
        data(down, chunk) {
          if (down.data.dead) return;
          down.data.up.queue.push(new Uint8Array(chunk));
          pump(down.data.up);
        },
        drain: (down) => void (rate === null && toDown(down.data)),
        close: (down) => drop(down.data),
        error: (down) => drop(down.data),
      },
    });
  listener = listen(port);
  const bound = listener.port;
  return {
    port: bound,
    cut() {
      listener?.stop(true);
      listener = null;
      for (const p of [...pairs]) drop(p);
    },
    hang() {
      hung = true;
      for (const p of pairs) {
        p.dead = true;
        p.up.queue.length = p.down.queue.length = 0;
      }
    },
    restore() {
      hung = false;
      listener ??= listen(bound);
    },
    hungOpen: () => [...pairs].filter((p) => p.dead).length,
    slowConnects(ms) {
      connectDelayMs = ms;
    },
    delay(ms) {
      latencyMs = ms;
    },
    throttle(bytesPerSecond) {
      rate = bytesPerSecond;
      if (pacer) clearInterval(pacer);
      pacer = rate === null ? null : setInterval(() => pairs.forEach((p) => toDown(p, Math.ceil((rate! * TICK_MS) / 1000))), TICK_MS);
      if (rate === null) pairs.forEach((p) => toDown(p));
    },
    close() {
      this.throttle(null);
      this.cut();
    },
  };
}
