/** A space populated with one user per role, for permission tests. */
import { registerUser, type CookieJar, type TestNode } from "./parley";

export type Role = "owner" | "admin" | "member" | "outsider" | "banned";
export const ROLES: Role[] = ["owner", "admin", "member", "outsider", "banned"];

export interface World {
  spaceId: string;
  textChannelId: string;
  voiceChannelId: string;
  users: Record<Role, { jar: CookieJar; user: { id: string; username: string }; password: string }>;
  /** Adds a fresh member through an invite and returns them. */
  newMember(): Promise<{ jar: CookieJar; user: { id: string; username: string } }>;
  /** Another space of the same owner with the same admin and member (and banned user), for actions that would spoil the shared one. */
  throwaway(name: string): Promise<string>;
}

export async function json(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>;
}

export async function joinByInvite(node: TestNode, ownerJar: CookieJar, spaceId: string, jar: CookieJar): Promise<void> {
  const inv = await json(await node.req(`/api/spaces/${spaceId}/invites`, { method: "POST", json: {} }, ownerJar));
  const res = await node.req(`/api/invites/${inv.invite.code}/accept`, { method: "POST" }, jar);
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${await res.text()}`);
}

export async function buildWorld(node: TestNode): Promise<World> {
  const owner = await registerUser(node);
  const created = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Guild" } }, owner.jar));
  const spaceId: string = created.space.id;
  const [text, voice] = created.space.channels;
  const users: World["users"] = {
    owner,
    admin: await registerUser(node),
    member: await registerUser(node),
    outsider: await registerUser(node),
    banned: await registerUser(node),
  };
  for (const role of ["admin", "member", "banned"] as const) await joinByInvite(node, owner.jar, spaceId, users[role].jar);
  await node.req(`/api/spaces/${spaceId}/members/${users.admin.user.id}`, { method: "PATCH", json: { role: "admin" } }, owner.jar);
  await node.req(`/api/spaces/${spaceId}/bans`, { method: "POST", json: { userId: users.banned.user.id } }, owner.jar);
  return {
    spaceId,
    textChannelId: text.id,
    voiceChannelId: voice.id,
    users,
    async newMember() {
      const m = await registerUser(node);
      await joinByInvite(node, owner.jar, spaceId, m.jar);
      return m;
    },
    async throwaway(name) {
      const other = await json(await node.req("/api/spaces", { method: "POST", json: { name } }, owner.jar));
      const id: string = other.space.id;
      for (const r of ["admin", "member", "banned"] as const) await joinByInvite(node, owner.jar, id, users[r].jar);
      await node.req(`/api/spaces/${id}/members/${users.admin.user.id}`, { method: "PATCH", json: { role: "admin" } }, owner.jar);
      await node.req(`/api/spaces/${id}/bans`, { method: "POST", json: { userId: users.banned.user.id } }, owner.jar);
      return id;
    },
  };
}
