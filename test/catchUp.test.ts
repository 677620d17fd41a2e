/**
 * The client's catch-up (src/client/state/chatHistory.ts) against a real node: a message whose
 * id was minted before the newest one held, but committed after it (another node, a slow
 * commit), is still fetched. The socket is the test's real WebSocket under the client's API.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { idFloor, idTime, newId } from "../src/shared/ids";
import type { Message } from "../src/shared/protocol";
import { catchUp } from "../src/client/state/chatHistory";
import { resetChat, useChat } from "../src/client/state/chat";
import { setCurrentSocket } from "../src/client/state/chatSocket";
import { registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";

let node: TestNode;
let base: string;
beforeAll(async () => {
  node = await startNode();
  base = `http://127.0.0.1:${node.listen().port}`;
}, 60_000);
afterAll(() => node.dispose(), 60_000);

test("catch-up finds a message minted before the newest held but committed after it", async () => {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const sent = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId: "newest", content: "newest" } }, a.jar);
  const newest = ((await sent.json()) as { message: Message }).message;

  // B's client holds the newest message; then an older-minted one commits.
  resetChat();
  useChat.setState({
    meId: b.user.id,
    history: { [conversationId]: { status: "ready", hasMoreBefore: false, loadingOlder: false } },
    messages: { [conversationId]: [newest] },
  });
  const lateId = idFloor(idTime(newest.id) - 3000).replace(/0{12}$/, "0000000000ab");
  await node.store.chat.insertMessage({ id: lateId, conversationId, authorId: a.user.id, clientId: "late", kind: "text", content: "late", replyToId: null, now: new Date().toISOString() });

  const ws = await connectWs(base, b.jar);
  await ws.request({ type: "hello" });
  const socket = {
    async request(frame: Record<string, unknown>) {
      const r = await ws.request(frame);
      if (!r.ok) throw new Error(r.error.code);
      return r;
    },
  };
  setCurrentSocket(socket as never);
  await catchUp(conversationId);
  expect(useChat.getState().messages[conversationId]!.map((m) => m.content)).toEqual(["late", "newest"]);
  setCurrentSocket(null);
  ws.close();
});

test("catch-up pulls 250 new messages over several sync pages, in order, none twice", async () => {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const send = async (clientId: string) => {
    const res = await node.req(`/api/conversations/${conversationId}/messages`, { method: "POST", json: { clientId, content: clientId } }, a.jar);
    return ((await res.json()) as { message: Message }).message;
  };
  const older = await send("older");
  resetChat();
  useChat.setState({
    meId: b.user.id,
    history: { [conversationId]: { status: "ready", hasMoreBefore: false, loadingOlder: false } },
    messages: { [conversationId]: [older] },
  });
  const fresh: string[] = [];
  for (let i = 0; i < 250; i++) fresh.push((await send(`m${i}`)).id);

  const ws = await connectWs(base, b.jar);
  await ws.request({ type: "hello" });
  let syncs = 0;
  setCurrentSocket({
    async request(frame: Record<string, unknown>) {
      if (frame.type === "sync") syncs++;
      const r = await ws.request(frame);
      if (!r.ok) throw new Error(r.error.code);
      return r;
    },
  } as never);
  try {
    await catchUp(conversationId);
    const held = useChat.getState().messages[conversationId]!;
    expect(held.map((m) => m.id)).toEqual([older.id, ...fresh]);
    expect(held.map((m) => m.content)).toEqual(["older", ...fresh.map((_, i) => `m${i}`)]);
    expect(syncs).toBeGreaterThanOrEqual(3);
  } finally {
    setCurrentSocket(null);
    ws.close();
  }
}, 60_000);

test("idFloor sorts below every id of its millisecond and idTime reads it back", async () => {
  const id = newId();
  const t = idTime(id);
  expect(Math.abs(t - Date.now())).toBeLessThan(60_000);
  expect(idFloor(t) < id).toBe(true);
  expect(idFloor(t + 1) > id).toBe(true);
  expect(idTime(idFloor(t))).toBe(t);
});
