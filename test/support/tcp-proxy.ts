/**
 * A TCP proxy a test can cut and restore, to make a shared service (PostgreSQL on 5432)
 * unreachable for one node without touching the service other suites use. Given several
 * targets it is a failover load balancer: each connection goes to the first that accepts.
 */
import type { Socket, TCPSocketListener } from "bun";

interface Pair {
  down?: Socket<Pair>;
  up?: Socket<Pair>;
  /** Bytes from the client that arrived before the upstream connection opened. */
  early: Uint8Array[];
}

export interface TcpProxy {
  port: number;
  /** Stops listening and drops every open connection both ways. */
  cut(): void;
  /** Listens again on the same port. */
  restore(): void;
  close(): void;
}

type Target = { host: string; port: number };

export function startTcpProxy(target: Target | Target[], port = 0): TcpProxy {
  const targets = Array.isArray(target) ? target : [target];
  const pairs = new Set<Pair>();
  let listener: TCPSocketListener<Pair> | null = null;
  const drop = (p: Pair) => {
    pairs.delete(p);
    p.down?.end();
    p.up?.end();
  };
  const connectUp = (pair: Pair, i: number): void =>
    void Bun.connect<Pair>({
      hostname: targets[i]!.host,
      port: targets[i]!.port,
      data: pair,
      socket: {
        open(up) {
          pair.up = up;
          for (const b of pair.early) up.write(b);
          pair.early = [];
        },
        data(_up, chunk) {
          pair.down?.write(chunk);
        },
        // Only a connection that opened is this pair's to drop; a refused one tries the next target.
        close: () => pair.up && drop(pair),
        error: () => pair.up && drop(pair),
      },
    }).catch(() => (i + 1 < targets.length ? connectUp(pair, i + 1) : drop(pair)));
  const listen = (at: number) =>
    Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: at,
      socket: {
        open(down) {
          const pair: Pair = { down, early: [] };
          down.data = pair;
          pairs.add(pair);
          connectUp(pair, 0);
        },
        data(down, chunk) {
          const p = down.data;
          if (p.up) p.up.write(chunk);
          else p.early.push(new Uint8Array(chunk));
        },
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
    restore() {
      listener ??= listen(bound);
    },
    close() {
      this.cut();
    },
  };
}
