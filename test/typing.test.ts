/**
 * Typing indicators: the server re-broadcasts a typing:start at most once per throttle window
 * (per user and conversation), and the client drops an indicator TYPING_TTL_MS after the last
 * refresh.
 */
import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from "bun:test";
import { TYPING_TTL_MS, resetChat, useChat } from "../src/client/state/chat";
import { applyEvent, clearTypingTimers } from "../src/client/state/chatEvents";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs, type WsClient } from "./support/ws";

const HOOK = 60_000;

describe("server throttle", () => {
  let node: TestNode;
  let base: string;
  // The node's clock runs this far ahead of real time, so a test can step past the window.
  let skew = 0;
  const open: WsClient[] = [];
  beforeAll(async () => {
    node = await startNode({}, { clock: () => Date.now() + skew });
    base = `http://127.0.0.1:${node.listen().port}`;
  }, HOOK);
  afterAll(async () => {
    for (const ws of open) ws.close();
    await node.dispose();
  }, HOOK);

  async function pair() {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const conversationId = await befriend(node, a, b);
    const wa = await connectWs(base, a.jar);
    const wb = await connectWs(base, b.jar);
    open.push(wa, wb);
    await wa.request({ type: "hello" });
    await wb.request({ type: "hello" });
    const typingSeen = () => wb.events.filter((e) => e.type === "typing" && e.conversationId === conversationId);
    return { a, wa, wb, conversationId, typingSeen };
  }

  test("repeated typing:start within the window reaches the other member once", async () => {
    const { a, wa, wb, conversationId, typingSeen } = await pair();
    for (let i = 0; i < 4; i++) expect((await wa.request({ type: "typing:start", conversationId })).ok).toBe(true);
    // Delivery keeps order, so once the stop is seen every start that went out is too.
    await wa.request({ type: "typing:stop", conversationId });
    await wb.waitFor((e) => e.type === "typing" && e.active === false);
    expect(typingSeen().map((e) => [e.userId, e.active])).toEqual([
      [a.user.id, true],
      [a.user.id, false],
    ]);
  });

  test("a typing:start after the window (or after a stop) goes out again", async () => {
    const { a, wa, wb, conversationId, typingSeen } = await pair();
    await wa.request({ type: "typing:start", conversationId });
    await wa.request({ type: "typing:start", conversationId });
    skew += 2600;
    await wa.request({ type: "typing:start", conversationId });
    await wa.request({ type: "typing:stop", conversationId });
    // A second stop has nothing to end and is not broadcast.
    await wa.request({ type: "typing:stop", conversationId });
    await wa.request({ type: "typing:start", conversationId });
    await wb.waitFor((e) => e.type === "typing" && typingSeen().length >= 4);
    await wa.request({ type: "typing:stop", conversationId });
    await wb.waitFor(() => typingSeen().length >= 5);
    expect(typingSeen().map((e) => [e.userId, e.active])).toEqual([
      [a.user.id, true],
      [a.user.id, true],
      [a.user.id, false],
      [a.user.id, true],
      [a.user.id, false],
    ]);
  });
});

describe("client expiry", () => {
  const c = "conv-1";
  afterEach(() => {
    clearTypingTimers();
    jest.useRealTimers();
    resetChat();
  });

  test("an indicator lasts TYPING_TTL_MS from its last refresh, then goes", () => {
    jest.useFakeTimers();
    resetChat();
    useChat.setState({ meId: "me" });
    const typists = () => Object.keys(useChat.getState().typing[c] ?? {});
    applyEvent({ type: "typing", conversationId: c, userId: "u2", active: true });
    applyEvent({ type: "typing", conversationId: c, userId: "u3", active: true });
    expect(typists()).toEqual(["u2", "u3"]);
    jest.advanceTimersByTime(TYPING_TTL_MS - 2000);
    applyEvent({ type: "typing", conversationId: c, userId: "u2", active: true });
    jest.advanceTimersByTime(2000);
    // u3 never refreshed; u2 did, 2 s ago.
    expect(typists()).toEqual(["u2"]);
    jest.advanceTimersByTime(TYPING_TTL_MS - 2001);
    expect(typists()).toEqual(["u2"]);
    jest.advanceTimersByTime(1);
    expect(typists()).toEqual([]);
  });

  test("my own typing echoes are ignored and a stop clears at once", () => {
    jest.useFakeTimers();
    resetChat();
    useChat.setState({ meId: "me" });
    applyEvent({ type: "typing", conversationId: c, userId: "me", active: true });
    expect(useChat.getState().typing[c]).toBeUndefined();
    applyEvent({ type: "typing", conversationId: c, userId: "u2", active: true });
    applyEvent({ type: "typing", conversationId: c, userId: "u2", active: false });
    expect(useChat.getState().typing[c]).toEqual({});
  });
});
