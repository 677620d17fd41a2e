/** The CallRegistry contract: memory always, Redis when TEST_REDIS_URL is set. */
import { describe, expect, test } from "bun:test";
import { newId } from "../src/shared/ids";
import { MemoryCallRegistry, type CallRecord, type CallRegistry } from "../src/server/calls/registry";
import { RedisCallRegistry } from "../src/server/calls/redis-call-registry";

const REDIS = process.env.TEST_REDIS_URL;
const impls: Array<{ name: string; make: () => Promise<CallRegistry> }> = [{ name: "memory", make: async () => new MemoryCallRegistry() }];
if (REDIS) impls.push({ name: "redis", make: () => RedisCallRegistry.connect(REDIS, `parley:test:calls:${process.pid}:${newId()}`) });
else {
  console.warn("call registry contract: TEST_REDIS_URL not set — skipping the Redis run");
  test.skip("call registry contract on redis (TEST_REDIS_URL not set)", () => {});
}

function record(callerId: string, calleeId: string): CallRecord {
  return {
    id: newId(),
    conversationId: newId(),
    callerId,
    calleeId,
    media: { audio: true, video: true },
    state: "ringing",
    createdAt: 1_700_000_000_000,
    acceptedAt: null,
    participants: [{ userId: callerId, sessionId: "s1", connectionId: "c1", disconnectedAt: null }],
    version: 0,
  };
}

for (const impl of impls) {
  describe(`call registry contract on ${impl.name}`, () => {
    test("a created call is found by id and by either user, exactly as stored", async () => {
      const r = await impl.make();
      const call = record("alice", "bob");
      expect(await r.create(call)).toEqual({ ok: true });
      expect(await r.get(call.id)).toEqual(call);
      expect(await r.ofUser("alice")).toEqual(call);
      expect(await r.ofUser("bob")).toEqual(call);
      expect(await r.ofUser("carol")).toBeUndefined();
      expect(await r.get(newId())).toBeUndefined();
      await r.close();
    });

    test("a user already in a call is busy, whether caller or callee", async () => {
      const r = await impl.make();
      await r.create(record("alice", "bob"));
      expect(await r.create(record("carol", "bob"))).toEqual({ ok: false, busyUserId: "bob" });
      expect(await r.create(record("alice", "dave"))).toEqual({ ok: false, busyUserId: "alice" });
      expect(await r.ofUser("carol")).toBeUndefined();
      expect(await r.create(record("carol", "dave"))).toEqual({ ok: true });
      await r.close();
    });

    test("updates are compare-and-set on the version: of two racing accepts exactly one wins", async () => {
      const r = await impl.make();
      const call = record("alice", "bob");
      await r.create(call);
      const read1 = (await r.get(call.id))!;
      const read2 = (await r.get(call.id))!;
      const accept = (c: CallRecord, connectionId: string): CallRecord => ({
        ...c,
        state: "active",
        acceptedAt: 1_700_000_001_000,
        participants: [...c.participants, { userId: "bob", sessionId: "s2", connectionId, disconnectedAt: null }],
      });
      const results = await Promise.all([r.update(accept(read1, "phone")), r.update(accept(read2, "laptop"))]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = (await r.get(call.id))!;
      expect(stored.version).toBe(1);
      expect(stored.state).toBe("active");
      expect(stored.participants[1]!.connectionId).toBe(results[0] ? "phone" : "laptop");
      expect(await r.update(stored)).toBe(true);
      expect((await r.get(call.id))!.version).toBe(2);
      await r.close();
    });

    test("removing frees both users; a version-guarded remove leaves a changed call alone", async () => {
      const r = await impl.make();
      const call = record("alice", "bob");
      await r.create(call);
      await r.update({ ...call, state: "active" });
      expect(await r.remove(call.id, 0)).toBeUndefined();
      expect(await r.get(call.id)).toBeDefined();
      const removed = await r.remove(call.id, 1);
      expect(removed?.state).toBe("active");
      expect(await r.ofUser("alice")).toBeUndefined();
      expect(await r.ofUser("bob")).toBeUndefined();
      expect(await r.remove(call.id)).toBeUndefined();
      expect(await r.update({ ...call, version: 1 })).toBe(false);
      expect(await r.create(record("bob", "alice"))).toEqual({ ok: true });
      await r.close();
    });

    test("close is idempotent", async () => {
      const r = await impl.make();
      await r.close();
      await r.close();
    });
  });
}
