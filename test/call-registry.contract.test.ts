/** The CallRegistry contract: memory always, Redis when TEST_REDIS_URL is set. */
import { describe, expect, test } from "bun:test";
import { newId } from "../src/shared/ids";
import { MemoryCallRegistry, type CallRecord, type CallRegistry } from "../src/server/calls/registry";
import * as M from "../src/server/calls/model";
import type { NewParticipant } from "../src/server/calls/model";
import { RedisCallRegistry } from "../src/server/calls/redis-call-registry";

const REDIS = process.env.TEST_REDIS_URL;
const impls: Array<{ name: string; make: () => Promise<CallRegistry> }> = [{ name: "memory", make: async () => new MemoryCallRegistry() }];
if (REDIS) impls.push({ name: "redis", make: () => RedisCallRegistry.connect(REDIS, `parley:test:calls:${process.pid}:${newId()}`) });
else {
  console.warn("call registry contract: TEST_REDIS_URL not set — skipping the Redis run");
  test.skip("call registry contract on redis (TEST_REDIS_URL not set)", () => {});
}

const person = (id: string, connectionId = `c-${id}`): NewParticipant => ({ id, userId: id, name: id, avatarUrl: null, role: "member", sessionId: `s-${id}`, connectionId });
const T0 = 1_700_000_000_000;

function record(callerId: string, ...invitees: string[]): CallRecord {
  const kind = invitees.length > 1 ? "group" : "dm";
  return M.start({ id: newId(), conversationId: newId(), kind, media: { audio: true, video: true }, starter: person(callerId), invite: invitees }, T0);
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
      const accept = (c: CallRecord, connectionId: string) => M.join(c, person("bob", connectionId), c.media, T0 + 1000, 4);
      const results = (await Promise.all([r.update(accept(read1, "phone")), r.update(accept(read2, "laptop"))])).map((x) => x.ok);
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = (await r.get(call.id))!;
      expect(stored.version).toBe(1);
      expect(stored.state).toBe("active");
      expect(stored.participants[1]!.connectionId).toBe(results[0] ? "phone" : "laptop");
      expect(await r.update(stored)).toEqual({ ok: true });
      expect((await r.get(call.id))!.version).toBe(2);
      await r.close();
    });

    test("removing frees both users; a version-guarded remove leaves a changed call alone", async () => {
      const r = await impl.make();
      const call = record("alice", "bob");
      await r.create(call);
      await r.update({ ...call, state: "active" });
      expect(await r.ofConversation(call.conversationId)).toMatchObject({ id: call.id, version: 1 });
      expect(await r.remove(call.id, 0)).toBeUndefined();
      expect(await r.get(call.id)).toBeDefined();
      const removed = await r.remove(call.id, 1);
      expect(removed?.state).toBe("active");
      expect(await r.ofUser("alice")).toBeUndefined();
      expect(await r.ofUser("bob")).toBeUndefined();
      expect(await r.remove(call.id)).toBeUndefined();
      expect(await r.update({ ...call, version: 1 })).toEqual({ ok: false });
      expect(await r.ofConversation(call.conversationId)).toBeUndefined();
      expect(await r.create(record("bob", "alice"))).toEqual({ ok: true });
      await r.close();
    });

    test("a three-party call keeps all three busy; one leaving frees only them", async () => {
      const r = await impl.make();
      const call = record("ann", "bob", "cat");
      expect(await r.create(call)).toEqual({ ok: true });
      for (const u of ["ann", "bob", "cat"]) expect((await r.ofUser(u))?.id).toBe(call.id);
      expect(await r.create(record("dan", "cat"))).toEqual({ ok: false, busyUserId: "cat" });
      let stored = (await r.get(call.id))!;
      stored = M.join(M.join(stored, person("bob"), stored.media, T0, 4), person("cat"), stored.media, T0, 4);
      expect(await r.update(stored)).toEqual({ ok: true });
      stored = (await r.get(call.id))!;
      expect(stored.participants.map((p) => p.id)).toEqual(["ann", "bob", "cat"]);
      expect(stored.topology).toBe("mesh");
      expect(await r.update(M.leave(stored, "bob"))).toEqual({ ok: true });
      expect(await r.ofUser("bob")).toBeUndefined();
      expect((await r.ofUser("cat"))?.version).toBe(2);
      expect(await r.create(record("bob", "dan"))).toEqual({ ok: true });
      await r.close();
    });

    test("an update adding a user busy elsewhere is refused and changes nothing", async () => {
      const r = await impl.make();
      const group = record("ann", "bob", "cat");
      await r.create(group);
      await r.create(record("dan", "eve"));
      const stored = (await r.get(group.id))!;
      expect(await r.update(M.invite(stored, ["dan"], T0))).toEqual({ ok: false, busyUserId: "dan" });
      expect((await r.get(group.id))!.version).toBe(0);
      expect((await r.ofUser("dan"))?.id).not.toBe(group.id);
      await r.close();
    });

    test("a conversation holds one call; a call may move to another conversation", async () => {
      const r = await impl.make();
      const call = record("ann", "bob");
      await r.create(call);
      const rival = { ...record("cat", "dan"), conversationId: call.conversationId };
      expect(await r.create(rival)).toEqual({ ok: false, existingCallId: call.id });
      const moved = { ...(await r.get(call.id))!, conversationId: newId(), kind: "group" as const };
      expect(await r.update(moved)).toEqual({ ok: true });
      expect(await r.ofConversation(call.conversationId)).toBeUndefined();
      expect((await r.ofConversation(moved.conversationId))?.id).toBe(call.id);
      expect(await r.create(rival)).toEqual({ ok: true });
      await r.close();
    });

    test("a call's SFU node is placed once by compare-and-set, survives updates, moves only from the node it is on (or back to nowhere), and goes with the call", async () => {
      const r = await impl.make();
      const call = record("alice", "bob", "carol");
      expect(await r.placeSfu(call.id, "n1", null)).toBeUndefined();
      await r.create(call);
      // Two nodes racing to place it: the first wins, the second is told where it is.
      const [first, second] = await Promise.all([r.placeSfu(call.id, "n1", null), r.placeSfu(call.id, "n2", null)]);
      expect([first, second]).toEqual(["n1", "n1"]);
      const placed = (await r.get(call.id))!;
      expect(placed.sfuNode).toBe("n1");
      // An update never moves it, even one carrying another node's name.
      expect(await r.update({ ...placed, sfuNode: "n9", locked: true })).toEqual({ ok: true });
      expect((await r.get(call.id))!.sfuNode).toBe("n1");
      expect(await r.sfuCallsOf("n1")).toEqual([call.id]);
      // A survivor takes it from the dead n1; a second survivor trying the same later is told it moved.
      expect(await r.placeSfu(call.id, "n2", "n1")).toBe("n2");
      expect(await r.placeSfu(call.id, "n3", "n1")).toBe("n2");
      expect(await r.sfuCallsOf("n1")).toEqual([]);
      expect(await r.sfuCallsOf("n2")).toEqual([call.id]);
      // n2 leaves gracefully: nowhere, until the next node places it again.
      expect(await r.placeSfu(call.id, null, "n2")).toBeUndefined();
      expect((await r.get(call.id))!.sfuNode).toBeUndefined();
      expect(await r.sfuCallsOf("n2")).toEqual([]);
      expect(await r.placeSfu(call.id, "n2", null)).toBe("n2");
      expect((await r.remove(call.id))!.sfuNode).toBe("n2");
      expect(await r.sfuCallsOf("n2")).toEqual([]);
      expect(await r.placeSfu(call.id, "n2", null)).toBeUndefined();
      await r.close();
    });

    test("calls with an away participant are listed by since when, oldest first, until they come back or the call ends; a sweep claim is held by one", async () => {
      const r = await impl.make();
      // Two active calls, away at T0+5000 and T0+2000, and a third nobody left.
      const active = async (caller: string, callee: string) => {
        const call = record(caller, callee);
        await r.create(call);
        const joined = M.join(call, person(callee), call.media, T0 + 1000, 4);
        expect(await r.update(joined)).toEqual({ ok: true });
        return { ...joined, version: 1 };
      };
      const late = await active(`a-${newId()}`, `b-${newId()}`);
      const early = await active(`c-${newId()}`, `d-${newId()}`);
      const steady = await active(`e-${newId()}`, `f-${newId()}`);
      const lateAway = M.markAway(late, late.hostId!, `c-${late.hostId}`, T0 + 5000)!;
      expect(await r.update(lateAway)).toEqual({ ok: true });
      const earlyAway = M.markAway(early, early.hostId!, `c-${early.hostId}`, T0 + 2000)!;
      expect(await r.update(earlyAway)).toEqual({ ok: true });
      // The other one of the early call goes too, later: the call stays listed by its first.
      const callee = early.participants[1]!.id;
      const bothAway = M.markAway({ ...earlyAway, version: 2 }, callee, `c-${callee}`, T0 + 6000)!;
      expect(await r.update(bothAway)).toEqual({ ok: true });
      expect(await r.awayBefore(T0 + 10_000, 10)).toEqual([early.id, late.id]);
      expect(await r.awayBefore(T0 + 3000, 10)).toEqual([early.id]);
      expect(await r.awayBefore(T0 + 10_000, 1)).toEqual([early.id]);
      expect(await r.awayBefore(T0 + 1000, 10)).toEqual([]);
      expect(await r.get(steady.id)).toBeDefined();
      // Back on a new socket: no longer listed.
      expect(await r.update(M.rebind({ ...lateAway, version: 2 }, late.hostId!, `s-${late.hostId}`, "c-new")!)).toEqual({ ok: true });
      expect(await r.awayBefore(T0 + 10_000, 10)).toEqual([early.id]);
      // Ended: no longer listed.
      await r.remove(early.id);
      expect(await r.awayBefore(T0 + 10_000, 10)).toEqual([]);

      // Of two nodes claiming one call's sweep, one gets it; the claim lapses, and holds no other sweep of the call back.
      const claims = await Promise.all([r.claimSweep(late.id, "grace", 300), r.claimSweep(late.id, "grace", 300)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await r.claimSweep(late.id, "grace", 300)).toBe(false);
      expect(await r.claimSweep(late.id, "ring", 300)).toBe(true);
      await Bun.sleep(400);
      expect(await r.claimSweep(late.id, "grace", 300)).toBe(true);
      await r.close();
    });

    test("calls ringing someone are listed by when the longest ring began, oldest first, until every ring is answered or dropped or the call ends", async () => {
      const r = await impl.make();
      const ringing = record(`a-${newId()}`, `b-${newId()}`);
      await r.create(ringing);
      // Answered: no longer listed; someone rung into it later is, from then.
      const answered = record(`c-${newId()}`, `d-${newId()}`);
      await r.create(answered);
      const joined = M.join(answered, person(answered.invited[0]!.userId), answered.media, T0 + 1000, 4);
      expect(await r.update(joined)).toEqual({ ok: true });
      expect(await r.rungBefore(T0 + 5000, 10)).toEqual([ringing.id]);
      const added = `e-${newId()}`;
      const reRung = M.invite({ ...joined, version: 1 }, [added], T0 + 3000);
      expect(await r.update(reRung)).toEqual({ ok: true });
      expect(await r.rungBefore(T0 + 5000, 10)).toEqual([ringing.id, answered.id]);
      expect(await r.rungBefore(T0 + 5000, 1)).toEqual([ringing.id]);
      expect(await r.rungBefore(T0 + 1000, 10)).toEqual([ringing.id]);
      expect(await r.rungBefore(T0 - 1, 10)).toEqual([]);
      // Its ring dropped (timed out or declined): no longer listed.
      expect(await r.update(M.uninvite({ ...reRung, version: 2 }, added))).toEqual({ ok: true });
      expect(await r.rungBefore(T0 + 5000, 10)).toEqual([ringing.id]);
      // Ended: no longer listed.
      await r.remove(ringing.id);
      expect(await r.rungBefore(T0 + 5000, 10)).toEqual([]);
      await r.close();
    });

    test("close is idempotent", async () => {
      const r = await impl.make();
      await r.close();
      await r.close();
    });
  });
}
