/**
 * A socket that stops reading is closed once what waits to be written to it passes
 * WS_BACKPRESSURE_LIMIT_BYTES, instead of staying open while its frames are dropped; its client
 * reconnects and catches up with sync (the web client's own catch-up, src/client/state/chatHistory.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { MAX_MESSAGE_LENGTH, type Conversation, type Message } from "../src/shared/protocol";
import { catchUp } from "../src/client/state/chatHistory";
import { resetChat, useChat } from "../src/client/state/chat";
import { setCurrentSocket } from "../src/client/state/chatSocket";
import { registerUser, startNode } from "./support/parley";
import { befriend } from "./support/social";
import { connectWs } from "./support/ws";
import { connectRaw } from "./support/rawWs";

const LIMIT = 64 * 1024;
// The kernel's buffers take a few MB of a stalled socket's frames (4 MB of send buffer here,
// net.ipv4.tcp_wmem) before any wait in the server; 3000 messages are ~36 MB, past Bun's default
// 16 MB too, where the old gateway dropped frames and kept the socket open.
const MAX_SENT = 3000;

const node = await startNode({ WS_BACKPRESSURE_LIMIT_BYTES: String(LIMIT), WRITE_BURST: "100000", WS_BURST: "100000", WS_RATE_PER_SECOND: "100000" });
const base = `http://127.0.0.1:${node.listen().port}`;
afterAll(() => node.dispose(), 60_000);

test("a member who stops reading is closed rather than silently losing messages, then has each exactly once after reconnecting and syncing; the others are unaffected", async () => {
  const [a, slowUser, c] = [await registerUser(node), await registerUser(node), await registerUser(node)];
  await befriend(node, a, slowUser);
  await befriend(node, a, c);
  const created = await node.req("/api/conversations", { method: "POST", json: { memberIds: [slowUser.user.id, c.user.id] } }, a.jar);
  const group = ((await created.json()) as { conversation: Conversation }).conversation.id;

  const sender = await connectWs(base, a.jar);
  const reader = await connectWs(base, c.jar);
  for (const ws of [sender, reader]) expect((await ws.request({ type: "hello" })).ok).toBe(true);
  const slow = await connectRaw(base, slowUser.jar);
  slow.send(JSON.stringify({ id: "h", type: "hello" }));
  while (!slow.texts.some((t) => t.startsWith(`{"replyTo":"h"`))) await Bun.sleep(10);
  slow.pause();

  // 4000 three-byte characters: ~12 KB a message. Sent until the stalled socket is closed, and a few after.
  const sent: string[] = [];
  let n = 0;
  const send = async () => {
    const i = n++;
    const r = await sender.request({ type: "message:send", conversationId: group, clientId: `m${i}`, content: `${i} ${"字".repeat(MAX_MESSAGE_LENGTH - 6)}` });
    expect(r.ok).toBe(true);
    sent.push(r.message.id);
  };
  while (node.gateway.connectionCount === 3 && sent.length < MAX_SENT) await Promise.all(Array.from({ length: 10 }, send));
  expect(node.gateway.connectionCount).toBe(2);
  for (let i = 0; i < 10; i++) await send();

  // What had reached the slow client before the close is read; the connection then ends.
  slow.resume();
  await slow.ended;
  const live = slow.texts.map((t) => JSON.parse(t)).filter((e) => e.type === "message:new").map((e) => e.message as Message);
  expect(live.length).toBeGreaterThan(0);
  expect(live.length).toBeLessThan(sent.length);

  const again = await connectWs(base, slowUser.jar);
  expect((await again.request({ type: "hello" })).ok).toBe(true);
  resetChat();
  useChat.setState({ meId: slowUser.user.id, history: { [group]: { status: "ready", hasMoreBefore: false, loadingOlder: false } }, messages: { [group]: live } });
  setCurrentSocket({
    async request(frame: Record<string, unknown>) {
      const r = await again.request(frame);
      if (!r.ok) throw new Error(r.error.code);
      return r;
    },
  } as never);
  await catchUp(group);
  setCurrentSocket(null);
  expect(useChat.getState().messages[group]!.map((m) => m.id)).toEqual([...sent].sort());

  // The member who kept reading heard every message once, live, and is still connected.
  await reader.waitFor(() => reader.events.filter((e) => e.type === "message:new").length >= sent.length);
  expect(reader.events.filter((e) => e.type === "message:new").map((e) => e.message.id).sort()).toEqual([...sent].sort());
  expect((await reader.request({ type: "hello" })).ok).toBe(true);
  expect((await sender.request({ type: "hello" })).ok).toBe(true);
  for (const ws of [sender, reader, again]) ws.close();
}, 120_000);
