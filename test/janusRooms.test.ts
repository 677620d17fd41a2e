/**
 * Janus outlives the Parley node that drives a call's room: a real Janus (support/janus.ts) and
 * two JanusSfu instances standing for two nodes. When the first "dies" holding a call's room (it
 * is dropped without closing anything, as kill -9 leaves it), the node that takes the call over
 * opens it again; the dead node's room must go, or Janus keeps it and its dead links forever.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { JanusSfu } from "../src/server/sfu/janus";
import { roomDescription } from "../src/server/sfu/janus-member";
import { janusAvailable, janusRooms, startJanus, type JanusServer } from "./support/janus";

const enabled = janusAvailable("janus rooms");
let janus: JanusServer | undefined;

beforeAll(async () => {
  if (enabled) janus = await startJanus();
}, 60_000);
afterAll(() => janus?.close(), 60_000);

const roomsInJanus = () => janusRooms(janus!.url);

describe.skipIf(!enabled)("a call's Janus room after the node driving it is lost", () => {
  test("the node taking the call over leaves exactly one room for it in Janus, and the lost node closing late does not destroy it", async () => {
    const lost = new JanusSfu(janus!.url);
    const survivor = new JanusSfu(janus!.url);
    const other = new JanusSfu(janus!.url);
    try {
      await lost.open("call-1");
      await lost.join("call-1", "alice");
      await lost.join("call-1", "bob");
      await other.open("call-2");
      expect((await roomsInJanus()).sort()).toEqual([
        [roomDescription("call-1"), 2],
        [roomDescription("call-2"), 0],
      ]);

      await survivor.open("call-1");
      await survivor.join("call-1", "alice");
      expect((await roomsInJanus()).sort()).toEqual([
        [roomDescription("call-1"), 1],
        [roomDescription("call-2"), 0],
      ]);

      // A node declared dead while merely paused closes what it still had when it wakes up.
      await lost.close();
      expect((await roomsInJanus()).sort()).toEqual([
        [roomDescription("call-1"), 1],
        [roomDescription("call-2"), 0],
      ]);
    } finally {
      await Promise.all([lost.close(), survivor.close(), other.close()]);
    }
    expect(await roomsInJanus()).toEqual([]);
  }, 60_000);
});
