/** The Bus contract, run against the in-process bus always and Redis when TEST_REDIS_URL is set. */
import { afterEach, describe, expect, test } from "bun:test";
import type { Bus, BusEvent } from "../src/server/bus/bus";
import { LocalBus } from "../src/server/bus/local";
import { RedisBus } from "../src/server/bus/redis";
import { deliveredJson, deliveredType } from "../src/server/bus/wire";
import type { ServerEvent } from "../src/shared/protocol";

const REDIS = process.env.TEST_REDIS_URL;
const channel = `parley:test:${process.pid}:${Date.now()}`;

interface Impl {
  name: string;
  /** Two nodes on one bus: for the local bus they share the instance. */
  pair(): Promise<[Bus, Bus]>;
}
const impls: Impl[] = [
  {
    name: "local",
    async pair() {
      const b = new LocalBus();
      return [b, b];
    },
  },
];
if (REDIS) {
  impls.push({ name: "redis", pair: async () => [await RedisBus.connect(REDIS, channel), await RedisBus.connect(REDIS, channel)] });
} else {
  console.warn("bus contract: TEST_REDIS_URL not set — skipping the Redis run");
  test.skip("bus contract on redis (TEST_REDIS_URL not set)", () => {});
}

const ev = (i: number): BusEvent => ({ type: "deliver", to: { users: [`u${i}`] }, event: { type: "friend:removed", userId: `x${i}` } });

function collect(bus: Bus, n: number, ms = 5000): Promise<BusEvent[]> {
  const got: BusEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length}/${n} events`)), ms);
    const off = bus.subscribe((e) => {
      got.push(e);
      if (got.length === n) {
        clearTimeout(timer);
        off();
        resolve(got);
      }
    });
  });
}

for (const impl of impls) {
  describe(`bus contract on ${impl.name}`, () => {
    let buses: Bus[] = [];
    afterEach(async () => {
      await Promise.all(buses.map((b) => b.close()));
      buses = [];
    });

    test("an event published on one node reaches subscribers on every node, the publisher's included", async () => {
      const [a, b] = await impl.pair();
      buses = [a, b];
      const atA = collect(a, 1);
      const atB = collect(b, 1);
      await a.publish(ev(1));
      expect(await atA).toEqual([ev(1)]);
      expect(await atB).toEqual([ev(1)]);
    });

    test("events arrive in publish order", async () => {
      const [a, b] = await impl.pair();
      buses = [a, b];
      const atB = collect(b, 200);
      for (let i = 0; i < 200; i++) void a.publish(ev(i));
      expect((await atB).map((e) => (e.type === "deliver" && "users" in e.to ? e.to.users[0] : ""))).toEqual(
        Array.from({ length: 200 }, (_, i) => `u${i}`),
      );
    });

    test("every node hears a delivery as published, and its sockets' text is the event's JSON, non-ASCII, quotes and newlines included", async () => {
      const [a, b] = await impl.pair();
      buses = [a, b];
      const message = { id: "m1", conversationId: "c1", authorId: "u1", clientId: "k1", content: 'two\nlines, "quoted" — ünïcode 🎉', createdAt: "2026-01-01T00:00:00.000Z" };
      const sent: BusEvent = { type: "deliver", to: { conversation: "c1" }, event: { type: "message:new", message } as unknown as ServerEvent };
      const other: BusEvent = { type: "hello:stale", userIds: ["u2"] };
      const atA = collect(a, 2);
      const atB = collect(b, 2);
      await a.publish(sent);
      await a.publish(other);
      for (const got of [await atA, await atB]) {
        const [e, o] = got;
        expect(o).toEqual(other);
        if (e?.type !== "deliver") throw new Error(`expected a deliver, got ${e?.type}`);
        expect(deliveredType(e)).toBe("message:new");
        expect(deliveredJson(e)).toBe(JSON.stringify(sent.event));
        expect(e.to).toEqual(sent.to);
        expect(e.event).toEqual(sent.event);
      }
    });

    test("an unsubscribed handler hears nothing more", async () => {
      const [a, b] = await impl.pair();
      buses = [a, b];
      const heard: BusEvent[] = [];
      const off = b.subscribe((e) => heard.push(e));
      off();
      const still = collect(b, 1);
      await a.publish(ev(7));
      await still;
      expect(heard).toEqual([]);
    });

    test("ping answers while open and close is idempotent", async () => {
      const [a, b] = await impl.pair();
      await a.ping();
      await a.close();
      await a.close();
      if (b !== a) await b.close();
    });
  });
}
