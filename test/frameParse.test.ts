import { describe, expect, test } from "bun:test";
import { ClientFrame, MAX_MESSAGE_LENGTH } from "../src/shared/protocol";
import { parseClientFrame } from "../src/server/gateway/parse";

const reads = (json: unknown) => {
  const r = parseClientFrame(json);
  return r.success ? { ok: true, data: r.data } : { ok: false, issue: r.error.issues[0]?.message };
};
const zodReads = (json: unknown) => {
  const r = ClientFrame.safeParse(json);
  return r.success ? { ok: true, data: r.data } : { ok: false, issue: r.error.issues[0]?.message };
};

describe("reading a client frame", () => {
  test("a frame that is only a type and an id is read as zod reads it, accepted or refused", () => {
    const frames: unknown[] = [
      { type: "hello" },
      { type: "hello", id: "f1" },
      { type: "presence:heartbeat" },
      { type: "call:resume", id: "x".repeat(64) },
      { type: "hello", id: "x".repeat(65) },
      { type: "hello", id: 5 },
      { type: "hello", id: null },
      { type: "hello", id: "\ud800" },
      { type: "hello", resume: { lastEventId: "e1" } },
      { type: "hello", resume: 5 },
      { type: "hello", extra: true },
      JSON.parse('{"type":"hello","__proto__":{"x":1}}'),
      { type: "typing:start", id: "f2" },
      { type: "sync" },
      { type: "no:such-frame" },
      { type: 5 },
      {},
      [],
      ["hello"],
      null,
      "hello",
    ];
    for (const f of frames) expect([f, reads(f)]).toEqual([f, zodReads(f)]);
  });

  test("every frame type valid as a bare type takes the short way, and only those", () => {
    const bare = ClientFrame.options.map((o) => o.shape.type.value).filter((type) => ClientFrame.safeParse({ type }).success);
    expect(bare.sort()).toEqual(["call:resume", "hello", "presence:heartbeat"]);
    // The short way hands back the parsed JSON itself; zod builds a new object.
    for (const type of bare) {
      const f: unknown = { type, id: "a" };
      expect(parseClientFrame(f).data === f).toBe(true);
    }
    const withPayload: unknown = { type: "hello", id: "a", resume: {} };
    expect(parseClientFrame(withPayload).data === withPayload).toBe(false);
  });

  test("a message:send is read as zod reads it at every bound of every field, accepted or refused", () => {
    const base = { id: "f1", type: "message:send", conversationId: "c1", clientId: "k1", content: "hi" };
    const values: unknown[] = ["", "x", "x".repeat(64), "x".repeat(65), "x".repeat(MAX_MESSAGE_LENGTH), "x".repeat(MAX_MESSAGE_LENGTH + 1), "a\u0000b", "\ud800", "\ud83d\ude00", "  ", 5, null, true, [], {}, ["a"]];
    const frames: unknown[] = [base, { ...base, extra: 1 }, { ...base, attachmentIds: ["a1"] }, { ...base, attachmentIds: [] }, JSON.parse('{"type":"message:send","conversationId":"c1","clientId":"k1","content":"x","__proto__":{"y":1}}')];
    for (const key of ["id", "conversationId", "clientId", "content", "replyToId", "threadId"]) {
      const { [key]: _, ...without } = base as Record<string, unknown>;
      frames.push(without);
      for (const v of values) frames.push({ ...base, [key]: v });
    }
    for (const f of frames) expect([f, reads(f)]).toEqual([f, zodReads(f)]);
  });

  test("a text-only message:send takes the short way; one with files goes through zod", () => {
    const plain: unknown = { id: "f1", type: "message:send", conversationId: "c1", clientId: "k1", content: "hi", replyToId: "m1", threadId: "t1" };
    expect(parseClientFrame(plain).data === plain).toBe(true);
    const withFiles: unknown = { type: "message:send", conversationId: "c1", clientId: "k1", content: "", attachmentIds: ["a1"] };
    expect(parseClientFrame(withFiles).data === withFiles).toBe(false);
  });
});
