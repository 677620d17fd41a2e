/**
 * The client call engine (Call, PeerLink, the mesh transport) on an in-memory WebRTC: the state
 * machine, holding signals while it rings, fan-out to several participants, screen share as a
 * track on the same link. Media decoding is proven in Chromium (test/e2e/calls*.test.ts).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { FakePeerConnection, installFakeRtc } from "./support/fake-rtc";
import { until } from "./support/browser";
import type { Call as CallType, CallState } from "../src/client/rtc/call";
import type { SessionFrame } from "../src/client/rtc/types";

let Call: typeof CallType;
beforeAll(async () => {
  installFakeRtc();
  ({ Call } = await import("../src/client/rtc/call"));
});

/** A relay standing in for the server: rtc:* to the addressed call, call:media to every other. */
function network(callId: string) {
  const calls = new Map<string, CallType>();
  const frames: { from: string; frame: SessionFrame }[] = [];
  const make = (me: string, polite: (other: string) => boolean) => {
    const call = new Call({
      callId,
      media: { audio: true, video: true },
      polite,
      iceConfig: async () => ({}),
      send: (frame) => {
        frames.push({ from: me, frame });
        setTimeout(() => {
          if (frame.type === "call:media") {
            for (const [id, c] of calls) if (id !== me) c.handleRemoteMedia(me, { audio: frame.audio, video: frame.video, screen: frame.screen });
            return;
          }
          const target = calls.get(frame.to);
          if (frame.type === "rtc:ice") target?.handleSignal({ type: "rtc:ice", callId, from: me, channel: "main", candidate: frame.candidate ?? null });
          else target?.handleSignal({ type: frame.type, callId, from: me, channel: "main", sdp: frame.sdp });
        }, 0);
      },
    });
    calls.set(me, call);
    return call;
  };
  const offers = () => frames.filter((f) => f.frame.type === "rtc:offer").length;
  return { calls, frames, make, offers };
}

const lowerIsPolite = (me: string) => (other: string) => me < other;

/** Everyone in `ids` joins (the lower id polite on each link). */
function mesh(net: ReturnType<typeof network>, ids: string[]): CallType[] {
  const calls = ids.map((id) => net.make(id, lowerIsPolite(id)));
  calls.forEach((c, i) => c.connect(ids.filter((_, j) => j !== i)));
  return calls;
}
const states = (call: CallType) => {
  const seen: CallState[] = [call.state];
  call.events.on("state", ({ next }) => seen.push(next));
  return seen;
};
const receiving = (call: CallType, from: string) => {
  const view = call.participants.get(from)?.view();
  return view?.connection === "connected" && (view.stream?.getTracks().length ?? 0) === 2;
};

describe("the call engine", () => {
  test("a call prepared while it rings sends nothing until connect(); then both ends connect and receive microphone and camera", async () => {
    const net = network("c1");
    const caller = net.make("a", () => false);
    const seen = states(caller);
    caller.prepare(["b"]);
    await caller.start();
    await Bun.sleep(20);
    expect(net.frames).toEqual([]);
    const callee = net.make("b", () => true);
    callee.prepare(["a"]);
    callee.connect(["a"]);
    caller.connect(["b"]);
    await until("both ends to receive", () => receiving(caller, "b") && receiving(callee, "a"), 5000);
    expect(seen).toEqual(["idle", "preparing", "connecting", "connected"]);
    expect(net.offers()).toBe(1);
    await caller.close();
    await callee.close();
  });

  test("three participants in a mesh: each has a link to both others and receives both", async () => {
    const net = network("c2");
    const ids = ["a", "b", "c"];
    const calls = mesh(net, ids);
    await until("every pair to connect", () => calls.every((c, i) => ids.filter((_, j) => j !== i).every((o) => receiving(c, o))), 5000);
    for (const c of calls) {
      expect(c.links().length).toBe(2);
      expect(c.state).toBe("connected");
    }
    // One offer per pair: the impolite (higher id) end makes it.
    expect(net.offers()).toBe(3);
    await Promise.all(calls.map((c) => c.close()));
  });

  test("sharing a screen is a track on the existing link: no new offer, and the others see it once announced", async () => {
    const net = network("c3");
    const [a, b] = mesh(net, ["a", "b"]) as [CallType, CallType];
    await until("the call to connect", () => receiving(a, "b") && receiving(b, "a"), 5000);
    const offers = net.offers();
    expect(await a.startScreenShare()).toBe(true);
    await until("b to show a's screen", () => b.participants.get("a")?.view().screen !== null, 5000);
    expect(a.links()[0]!.pc.getSenders().filter((s) => s.track).length).toBe(3);
    a.stopScreenShare();
    await until("the screen to go away", () => b.participants.get("a")?.view().screen === null, 5000);
    expect(net.offers()).toBe(offers);
    await a.close();
    await b.close();
  });

  test("a participant who leaves loses their link and tile; one who comes back gets a fresh link", async () => {
    const net = network("c4");
    const calls = mesh(net, ["a", "b", "c"]);
    const [a, b, c] = calls as [CallType, CallType, CallType];
    await until("the mesh to connect", () => receiving(a, "b") && receiving(a, "c") && receiving(c, "b"), 5000);
    const left: string[] = [];
    a.events.on("participant-left", (id) => left.push(id));
    a.leave("c");
    expect(left).toEqual(["c"]);
    expect(a.links().map((l) => l.peer)).toEqual(["b"]);
    const before = a.links()[0]!.pc;
    // b reloaded: both ends start over (as call:participant-joined and call:resume make them).
    a.restart("b");
    b.restart("a");
    await until("a fresh link to b", () => a.links()[0]?.pc !== before && receiving(a, "b") && receiving(b, "a"), 5000);
    expect((before as unknown as FakePeerConnection).connectionState).toBe("closed");
    await Promise.all(calls.map((x) => x.close()));
  });

  test("nobody reachable is reconnecting; close() ends once, closes every link and refuses to start again", async () => {
    const net = network("c5");
    const [a, b] = mesh(net, ["a", "b"]) as [CallType, CallType];
    await until("the call to connect", () => a.state === "connected", 5000);
    a.setAway("b", true);
    expect(a.state).toBe("reconnecting");
    a.setAway("b", false);
    expect(a.state).toBe("connected");
    const pcs = a.links().map((l) => l.pc as unknown as FakePeerConnection);
    const seen = states(a);
    await a.close();
    await a.close();
    expect(seen).toEqual(["connected", "ended"]);
    expect(pcs.every((pc) => pc.connectionState === "closed")).toBe(true);
    a.connect(["b"]);
    a.prepare(["b"]);
    expect(a.state).toBe("ended");
    expect(a.links()).toEqual([]);
    await b.close();
  });
});

