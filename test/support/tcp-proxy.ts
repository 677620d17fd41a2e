/**
 * A TCP proxy a test can cut and restore, to make a shared service (PostgreSQL on 5432)
 * unreachable for one node without touching the service other suites use.
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

export function startTcpProxy(target: { host: string; port: number }, port = 0): TcpProxy {
  const pairs = new Set<Pair>();
  let listener: TCPSocketListener<Pair> | null = null;
  const drop = (p: Pair) => {
    pairs.delete(p);
    p.down?.end();
    p.up?.end();
  };
  const listen = (at: number) =>
    Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: at,
      socket: {
        open(down) {
          const pair: Pair = { down, early: [] };
          down.data = pair;
          pairs.add(pair);
          Bun.connect<Pair>({
            hostname: target.host,
            port: target.port,
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
              close: () => drop(pair),
              error: () => drop(pair),
            },
          }).catch(() => drop(pair));
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
