/** Server-side setup over the REST API: two registered users who are friends. */
import { api } from "../lib/harness";
import { PASSWORD } from "./options";

export interface Account {
  id: string;
  username: string;
  cookie: string;
  jar: { get(name: string): string | undefined };
}

export async function registerAccount(base: string, username: string): Promise<Account> {
  const r = await fetch(`${base}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `${username}@bench.invalid`, username, password: PASSWORD }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await r.text();
  if (r.status !== 201) throw new Error(`register ${username}: HTTP ${r.status} ${body}`);
  const cookies = new Map<string, string>();
  for (const c of r.headers.getSetCookie()) {
    const pair = c.split(";")[0]!;
    const eq = pair.indexOf("=");
    cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  if (!cookies.get("access_token") || !cookies.get("refresh_token")) throw new Error(`register ${username}: session cookies missing`);
  const { user } = JSON.parse(body) as { user: { id: string } };
  return { id: user.id, username, cookie: `access_token=${cookies.get("access_token")}`, jar: { get: (n) => cookies.get(n) } };
}

export async function befriend(base: string, a: Account, b: Account): Promise<string> {
  const { request } = await api<{ request: { id: string } }>(base, a.cookie, "/api/friends/requests", { json: { username: b.username }, expect: [201] });
  const { conversationId } = await api<{ conversationId: string }>(base, b.cookie, `/api/friends/requests/${request.id}/accept`, { method: "POST", expect: [200] });
  return conversationId;
}
