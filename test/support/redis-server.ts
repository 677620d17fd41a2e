/** A redis-server of a test's own, on a port of its own and without persistence, that the test may stop and start. */
import type { Subprocess } from "bun";
import { until } from "./browser";
import { freePort } from "./parley";

export const REDIS_SERVER = Bun.which("redis-server");

export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function ownRedis(): OwnRedis {
  const port = freePort();
  let redis: Subprocess | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      redis = Bun.spawn([REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
      await until("redis-server to listen", async () => {
        try {
          (await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })).end();
          return true;
        } catch {
          return false;
        }
      }, 30_000);
    },
    async stop() {
      redis?.kill();
      await redis?.exited;
    },
  };
}
