/** Shortcuts for tests that need friends and conversations. */
import type { CookieJar, TestNode } from "./parley";

export async function befriend(node: TestNode, a: { jar: CookieJar }, b: { jar: CookieJar; user: { username: string } }): Promise<string> {
  const req = await node.req("/api/friends/requests", { method: "POST", json: { username: b.user.username } }, a.jar);
  if (req.status !== 201) throw new Error(`friend request failed: ${req.status} ${await req.text()}`);
  const { request } = (await req.json()) as { request: { id: string } };
  const acc = await node.req(`/api/friends/requests/${request.id}/accept`, { method: "POST" }, b.jar);
  if (acc.status !== 200) throw new Error(`accept failed: ${acc.status} ${await acc.text()}`);
  return ((await acc.json()) as { conversationId: string }).conversationId;
}
