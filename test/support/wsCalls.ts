/** 1:1 calls over raw test sockets, caller and callee each on a node of their own (the cluster suites). */
import { expect } from "bun:test";
import type { CookieJar } from "./parley";
import { connectWs, type WsClient } from "./ws";

/** Where a user's socket connects, and as whom. */
export interface OnNode {
  base: string;
  jar: CookieJar;
}

export interface CallAcrossNodes {
  aWs: WsClient;
  bWs: WsClient;
  callId: string;
}

/** a rings b in their conversation, each on a socket of its own node that said hello; returns once b's socket rings. */
export async function ringAcrossNodes(a: OnNode, b: OnNode, conversationId: string, media = { audio: true, video: false }): Promise<CallAcrossNodes> {
  const aWs = await connectWs(a.base, a.jar);
  const bWs = await connectWs(b.base, b.jar);
  await aWs.request({ type: "hello" });
  await bWs.request({ type: "hello" });
  const { callId } = await aWs.request({ type: "call:invite", conversationId, media });
  await bWs.waitFor((e) => e.type === "call:incoming" && e.callId === callId);
  return { aWs, bWs, callId };
}

/** As ringAcrossNodes, and b accepts. */
export async function placeCallAcrossNodes(a: OnNode, b: OnNode, conversationId: string, media?: { audio: boolean; video: boolean }): Promise<CallAcrossNodes> {
  const call = await ringAcrossNodes(a, b, conversationId, media);
  expect((await call.bWs.request({ type: "call:accept", callId: call.callId })).ok).toBe(true);
  return call;
}
