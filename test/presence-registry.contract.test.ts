/** The PresenceRegistry contract: memory always, Redis when TEST_REDIS_URL is set. */
import { describe, expect, test } from "bun:test";
import { MemoryPresenceRegistry, RedisPresenceRegistry, type PresenceRegistry } from "../src/server/social/presence-registry";

const REDIS = process.env.TEST_REDIS_URL;
let now = Date.now();
const impls: Array<{ name: string; make: () => Promise<PresenceRegistry>; expires: boolean }> = [
  { name: "memory", make: async () => new MemoryPresenceRegistry(), expires: false },
];
if (REDIS) impls.push({ name: "redis", make: () => RedisPresenceRegistry.connect(REDIS, `parley:test:presence:${process.pid}:${Date.now()}`, 1000, () => now), expires: true });
else {
  console.warn("presence registry contract: TEST_REDIS_URL not set — skipping the Redis run");
  test.skip("presence registry contract on redis (TEST_REDIS_URL not set)", () => {});
}

for (const impl of impls) {
  describe(`presence registry contract on ${impl.name}`, () => {
    test("a user is online while any connection is, and offline after the last goes", async () => {
      const r = await impl.make();
      expect((await r.states(["u1"])).get("u1")).toEqual({ online: false, chosen: "online" });
      await r.connect("u1", "c1");
      await r.connect("u1", "c2");
      await r.disconnect("u1", "c1");
      expect((await r.states(["u1"])).get("u1")!.online).toBe(true);
      await r.disconnect("u1", "c2");
      expect((await r.states(["u1"])).get("u1")!.online).toBe(false);
      await r.close();
    });

    test("the chosen status holds while connected and resets when the user is gone", async () => {
      const r = await impl.make();
      await r.connect("u2", "c1");
      await r.setChosen("u2", "dnd");
      expect((await r.states(["u2"])).get("u2")).toEqual({ online: true, chosen: "dnd" });
      await r.disconnect("u2", "c1");
      await r.connect("u2", "c3");
      expect((await r.states(["u2"])).get("u2")!.chosen).toBe("online");
      await r.close();
    });

    test("states answers for many users at once; connected names only those with a connection", async () => {
      const r = await impl.make();
      await r.connect("a", "1");
      await r.setChosen("a", "idle");
      const s = await r.states(["a", "b"]);
      expect([s.get("a")!.online, s.get("b")!.online]).toEqual([true, false]);
      expect([...(await r.connected(["a", "b"]))]).toEqual([["a", { online: true, chosen: "idle" }]]);
      await r.close();
    });

    if (impl.expires) {
      test("a connection that stops heartbeating lapses (a dead node cannot keep users online)", async () => {
        const r = await impl.make();
        await r.connect("z", "c1");
        now += 2000;
        expect((await r.states(["z"])).get("z")!.online).toBe(false);
        await r.touch("z", "c1");
        expect((await r.states(["z"])).get("z")!.online).toBe(true);
        await r.close();
      });
    }
  });
}
