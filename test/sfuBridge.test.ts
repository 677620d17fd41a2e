/**
 * SfuBridge against a scripted Sfu: its steps run one at a time across all calls, so a step that
 * never answers (a Janus request that hangs) must fail after the step timeout and let the other
 * calls' steps through; refused sfu:signal frames are logged once per reason, not per frame; a
 * participant's new client links start their place in the room over.
 */
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { AppError } from "../src/shared/errors";
import type { SfuSignalIn } from "../src/shared/sfu";
import { LocalBus } from "../src/server/bus/local";
import type { CallRecord, Participant } from "../src/server/calls/model";
import { handlers, type Services } from "../src/server/gateway/dispatch";
import type { Logger } from "../src/server/obs/log";
import { SfuBridge } from "../src/server/sfu/bridge";
import type { Sfu } from "../src/server/sfu/sfu";

const STEP_MS = 50;
const never = () => new Promise<never>(() => {});

/** An Sfu that records each step and hangs the ones `hang` names ("join:stuck:a"). */
function scriptedSfu(hang: Set<string>) {
  const done: string[] = [];
  const step = (name: string) => (hang.has(name) ? never() : Promise.resolve(void done.push(name)));
  const sfu: Sfu = {
    open: (callId) => step(`open:${callId}`),
    join: (callId, id) => step(`join:${callId}:${id}`),
    leave: (callId, id) => step(`leave:${callId}:${id}`),
    signal: (callId, id, s) => step(`signal:${callId}:${id}:${s.kind}`),
    close: (callId?: string) => step(`close:${callId ?? "all"}`),
    on: () => () => {},
  };
  return { sfu, done };
}

function recordingLog() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  const log: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

function person(id: string): Participant {
  return { id, userId: id, name: id, avatarUrl: null, role: "member", sessionId: `s-${id}`, connectionId: `c-${id}`, disconnectedAt: null, joinedAt: 0, muted: false, video: true, screen: false, handRaised: false, speaking: false };
}

function sfuCall(id: string, people: string[], version = 1): CallRecord {
  return {
    id, conversationId: `conv-${id}`, kind: "room", spaceId: null, roomId: null, hostId: people[0] ?? null, media: { audio: true, video: true }, state: "active", topology: "sfu", locked: false,
    createdAt: 0, acceptedAt: 0, participants: people.map(person), invited: [], lobby: [], banned: [], admitted: [], version,
  };
}

const answer: SfuSignalIn = { kind: "answer", link: "subscribe", sdp: "v=0\r\n" };

afterEach(() => setSystemTime());

describe("SfuBridge", () => {
  test("a join that never answers fails after the step timeout and another call's participants still join", async () => {
    const { sfu, done } = scriptedSfu(new Set(["join:stuck:a"]));
    const { log, lines } = recordingLog();
    const bridge = new SfuBridge(sfu, new LocalBus(), log, { stepTimeoutMs: STEP_MS });
    const stuck = bridge.sync(sfuCall("stuck", ["a", "b"]));
    const other = bridge.sync(sfuCall("other", ["c", "d"]));
    await Promise.all([stuck, other]);
    expect(done).toEqual(["open:stuck", "join:stuck:b", "open:other", "join:other:c", "join:other:d"]);
    expect(lines).toEqual([{ level: "error", msg: "sfu step failed", fields: expect.objectContaining({ step: "join", callId: "stuck", participantId: "a" }) }]);
  });

  test("a participant whose join timed out is joined again by the call's next sync", async () => {
    const hang = new Set(["join:retry:a"]);
    const { sfu, done } = scriptedSfu(hang);
    const bridge = new SfuBridge(sfu, new LocalBus(), recordingLog().log, { stepTimeoutMs: STEP_MS });
    await bridge.sync(sfuCall("retry", ["a"]));
    hang.clear();
    await bridge.sync(sfuCall("retry", ["a"]));
    expect(done).toEqual(["open:retry", "join:retry:a"]);
  });

  test("a room whose open never answers lets other calls through, and is opened by the call's next sync", async () => {
    const hang = new Set(["open:stuck"]);
    const { sfu, done } = scriptedSfu(hang);
    const bridge = new SfuBridge(sfu, new LocalBus(), recordingLog().log, { stepTimeoutMs: STEP_MS });
    await Promise.all([bridge.sync(sfuCall("stuck", ["a"])), bridge.sync(sfuCall("other", ["b"]))]);
    expect(done).toEqual(["open:other", "join:other:b"]);
    hang.clear();
    await bridge.sync(sfuCall("stuck", ["a"]));
    expect(done.slice(2)).toEqual(["open:stuck", "join:stuck:a"]);
  });

  test("a signal the SFU never answers is refused with UNAVAILABLE after the step timeout", async () => {
    const { sfu } = scriptedSfu(new Set(["signal:stuck:a:answer"]));
    const bridge = new SfuBridge(sfu, new LocalBus(), recordingLog().log, { stepTimeoutMs: STEP_MS });
    await expect(bridge.signal(sfuCall("stuck", ["a"]), "a", answer)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  test("a publish offer from new client links (new DTLS fingerprint) starts the participant over in the room; a repeat, a renegotiation or an ICE restart does not", async () => {
    const { sfu, done } = scriptedSfu(new Set());
    const bridge = new SfuBridge(sfu, new LocalBus(), recordingLog().log, { stepTimeoutMs: STEP_MS });
    const offer = (cert: string, n = 0, ufrag = "u1"): SfuSignalIn => ({ kind: "offer", link: "publish", sdp: `v=0\r\na=fingerprint:sha-256 ${cert}\r\na=ice-ufrag:${ufrag}\r\na=mid:${n}\r\n`, sources: {} });
    const call = sfuCall("moved", ["a", "b"]);
    await bridge.signal(call, "a", offer("AA:01"));
    await bridge.signal(call, "a", offer("AA:01"));
    await bridge.signal(call, "a", offer("AA:01", 1));
    await bridge.signal(call, "a", offer("AA:01", 1, "restarted"));
    expect(done).toEqual(["open:moved", "join:moved:a", "join:moved:b", "signal:moved:a:offer", "signal:moved:a:offer", "signal:moved:a:offer", "signal:moved:a:offer"]);
    done.length = 0;
    await bridge.signal(call, "a", offer("BB:02"));
    expect(done).toEqual(["leave:moved:a", "join:moved:a", "signal:moved:a:offer"]);
  });

  test("refused sfu:signal frames are logged at warn once per reason per minute, then with the count in between", async () => {
    setSystemTime(new Date("2026-12-06T12:00:00Z"));
    const { sfu } = scriptedSfu(new Set());
    const { log, lines } = recordingLog();
    const bridge = new SfuBridge(sfu, new LocalBus(), log, { stepTimeoutMs: STEP_MS });
    const outsider = new AppError("FORBIDDEN", "You are not in this call");
    const s = { sfu: bridge, signaling: { requireParticipant: () => Promise.reject(outsider) } } as unknown as Services;
    const frame = { type: "sfu:signal", callId: "call-1", signal: answer } as const;
    const actor = { userId: "mallory", sessionId: "s", connectionId: "c" } as never;
    for (let i = 0; i < 5; i++) await expect(handlers(s)["sfu:signal"](actor, frame)).rejects.toBe(outsider);
    bridge.refused(new AppError("VALIDATION_ERROR", "publish offer rejected: bad m-line"), { callId: "call-1", userId: "u", kind: "offer" });
    bridge.refused(new AppError("VALIDATION_ERROR", "publish offer rejected: other words"), { callId: "call-1", userId: "u", kind: "offer" });
    const warns = () => lines.filter((l) => l.level === "warn");
    expect(warns().map((l) => l.fields?.reason)).toEqual(["FORBIDDEN You are not in this call", "VALIDATION_ERROR publish offer rejected"]);
    expect(warns()[0]!.fields).toMatchObject({ callId: "call-1", userId: "mallory", kind: "answer" });

    setSystemTime(new Date("2026-12-06T12:01:01Z"));
    await handlers(s)["sfu:signal"](actor, frame).catch(() => {});
    expect(warns()).toHaveLength(3);
    expect(warns()[2]!.fields).toMatchObject({ reason: "FORBIDDEN You are not in this call", suppressed: 4 });
  });
});
