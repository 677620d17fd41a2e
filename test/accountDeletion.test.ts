/**
 * Account deletion, in-process: scheduling with the password (or username, or a two-factor code),
 * every session ending, cancelling by signing in during the grace period, and the sweeper's
 * erasure once it falls due — personal data gone, messages kept as "Deleted user", spaces handed
 * on or deleted — with each due account claimed by exactly one of several sweepers.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import type { KyselyStore } from "../src/server/store/store";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";

// Several argon2id verifies per test; a loaded 2-core machine can take seconds for each.
setDefaultTimeout(60_000);

const HOUR = 3600_000;
let node: TestNode;
let now = Date.now();

beforeAll(async () => {
  node = await startNode({ ACCOUNT_DELETION_GRACE_HOURS: "72" }, { clock: () => now });
});
afterAll(() => node.dispose());

type Account = Awaited<ReturnType<typeof registerUser>>;
const post = (path: string, json: unknown, jar?: CookieJar) => node.req(path, { method: "POST", json }, jar);
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const me = (jar: CookieJar) => node.req("/api/users/me", {}, jar);
const login = (a: Account, jar = new CookieJar()) => post("/api/auth/login", { login: a.user.username, password: a.password }, jar);

/** Schedules the account's deletion and answers when it falls due. */
async function scheduleDeletion(a: Account, extra: Record<string, string> = {}): Promise<string> {
  const res = await post("/api/account/deletion", { password: a.password, ...extra }, a.jar);
  expect(res.status).toBe(202);
  return ((await res.json()) as { deletionScheduledFor: string }).deletionScheduledFor;
}

/** Past every deletion scheduled so far. */
const passGrace = () => void (now += 73 * HOUR);
/** Erases what earlier tests left scheduled, so a test sees only its own accounts fall due. */
async function settle(): Promise<void> {
  passGrace();
  await node.accountDeletion.sweep();
}

describe("scheduling", () => {
  test("deleting takes the password, ends every session and falls due after the grace period", async () => {
    const a = await registerUser(node);
    const other = new CookieJar();
    expect((await login(a, other)).status).toBe(200);

    const wrong = await post("/api/account/deletion", { password: "not the password" }, a.jar);
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe("INVALID_CREDENTIALS");
    expect((await me(other)).status).toBe(200);

    const due = await scheduleDeletion(a);
    expect(Date.parse(due)).toBe(now + 72 * HOUR);
    expect((await me(a.jar)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await node.store.accounts.userById(a.user.id))?.deletion_due_at).toBe(due);
  });

  test("signing in during the grace period shows the scheduled deletion, and cancelling keeps the account", async () => {
    const a = await registerUser(node);
    const due = await scheduleDeletion(a);
    const jar = new CookieJar();
    const res = await login(a, jar);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { deletionScheduledFor?: string } }).user.deletionScheduledFor).toBe(due);

    expect((await node.req("/api/account/deletion", { method: "DELETE" }, jar)).status).toBe(204);
    const after = (await (await me(jar)).json()) as { user: { deletionScheduledFor?: string } };
    expect(after.user.deletionScheduledFor).toBeUndefined();
    const { events } = await node.audit.page({ targetId: a.user.id }, undefined, 10);
    expect(events.map((e) => e.kind)).toContain("account.deletion_scheduled");
    expect(events.map((e) => e.kind)).toContain("account.deletion_cancelled");
    const again = await node.req("/api/account/deletion", { method: "DELETE" }, jar);
    expect(again.status).toBe(404);

    passGrace();
    expect(await node.accountDeletion.sweep()).not.toContain(a.user.id);
    expect((await me(jar)).status).toBe(200);
  });

  test("with two-factor on, deleting also takes a code from the app", async () => {
    const a = await registerUser(node);
    const { secret } = (await (await post("/api/auth/totp/enrol", { password: a.password }, a.jar)).json()) as { secret: string };
    const code = (offset = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now + offset });
    expect((await post("/api/auth/totp/confirm", { code: code() }, a.jar)).status).toBe(200);
    now += 30_000;

    const without = await post("/api/account/deletion", { password: a.password }, a.jar);
    expect(without.status).toBe(403);
    expect(await errorCode(without)).toBe("TOTP_INVALID");
    await scheduleDeletion(a, { code: code() });
  });

  test("an account without a password confirms with its username", async () => {
    const a = await registerUser(node);
    await (node.store as KyselyStore).db.updateTable("users").set({ password_hash: null }).where("id", "=", a.user.id).execute();
    const wrong = await post("/api/account/deletion", { confirm: "someone_else" }, a.jar);
    expect(wrong.status).toBe(400);
    expect(await errorCode(wrong)).toBe("VALIDATION_ERROR");
    expect((await post("/api/account/deletion", { confirm: a.user.username }, a.jar)).status).toBe(202);
  });
});

describe("erasure", () => {
  test("a due account loses its personal data while its messages stay, shown as from Deleted user", async () => {
    await settle();
    const [gone, friend, third, heir] = [await registerUser(node), await registerUser(node), await registerUser(node), await registerUser(node)];
    const dm = await befriend(node, gone, friend);
    await befriend(node, gone, third);
    expect((await post(`/api/conversations/${dm}/messages`, { clientId: crypto.randomUUID(), content: "hello from me" }, gone.jar)).status).toBe(201);
    const group = (await json(await post("/api/conversations", { memberIds: [friend.user.id, third.user.id], name: "Trio" }, gone.jar))).conversation.id as string;
    const pending = await registerUser(node);
    expect((await post("/api/friends/requests", { username: pending.user.username }, gone.jar)).status).toBe(201);

    // One space with another member (an admin outranks the older plain member), one with nobody else.
    const shared = (await json(await post("/api/spaces", { name: "Shared" }, gone.jar))).space.id as string;
    await joinByInvite(node, gone.jar, shared, third.jar);
    await joinByInvite(node, gone.jar, shared, heir.jar);
    expect((await node.req(`/api/spaces/${shared}/members/${heir.user.id}`, { method: "PATCH", json: { role: "admin" } }, gone.jar)).status).toBe(204);
    const lonely = (await json(await post("/api/spaces", { name: "Lonely" }, gone.jar))).space.id as string;

    expect((await node.req("/api/account/export", { method: "POST" }, gone.jar)).status).toBe(202);
    await node.accountExport.drain();
    await scheduleDeletion(gone);
    passGrace();
    expect(await node.accountDeletion.sweep()).toEqual([gone.user.id]);

    const row = (await node.store.accounts.userById(gone.user.id))!;
    expect(row.deleted_at).not.toBeNull();
    expect(row.display_name).toBe("Deleted user");
    expect(row.email).not.toContain(gone.user.username);
    expect(row.username).not.toBe(gone.user.username);
    expect(row.password_hash).toBeNull();
    expect(row.avatar_url).toBeNull();
    expect(await node.store.accounts.usernameTaken(gone.user.username)).toBe(false);
    expect((await login(gone)).status).toBe(401);

    const history = await json(await node.req(`/api/conversations/${dm}/messages`, {}, friend.jar));
    const mine = (history.messages as Array<{ authorId: string; content: string }>).find((m) => m.content === "hello from me");
    expect(mine?.authorId).toBe(gone.user.id);
    // The DM is read-only for the other side: it says why, and sends, reactions and calls are refused with PEER_DELETED.
    expect((await json(await node.req(`/api/conversations/${dm}`, {}, friend.jar))).conversation.readOnly).toBe("deleted");
    const listed = (await json(await node.req("/api/conversations", {}, friend.jar))).conversations as Array<{ id: string; readOnly: unknown }>;
    expect(listed.find((c) => c.id === dm)?.readOnly).toBe("deleted");
    expect(listed.find((c) => c.id === group)?.readOnly).toBe(false);
    const refused = await post(`/api/conversations/${dm}/messages`, { clientId: crypto.randomUUID(), content: "are you there?" }, friend.jar);
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe("PEER_DELETED");
    const mineId = (history.messages as Array<{ id: string; content: string }>).find((m) => m.content === "hello from me")!.id;
    const react = await node.req(`/api/messages/${mineId}/reactions/${encodeURIComponent("👍")}`, { method: "PUT" }, friend.jar);
    expect(await errorCode(react)).toBe("PEER_DELETED");
    const author = await json(await node.req(`/api/users/${gone.user.id}`, {}, friend.jar));
    expect(author.user.displayName).toBe("Deleted user");
    expect(author.user.avatarUrl).toBeNull();

    expect((await json(await node.req("/api/friends", {}, friend.jar))).friends).toEqual([]);
    expect((await json(await node.req("/api/friends/requests", {}, pending.jar))).incoming).toEqual([]);
    // Nobody can ask the erased account to be friends (its placeholder name is no valid username to ask by).
    expect((await post("/api/friends/requests", { userId: gone.user.id }, friend.jar)).status).toBe(404);
    const trio = await json(await node.req(`/api/conversations/${group}`, {}, friend.jar));
    expect((trio.conversation.members as Array<{ id: string }>).map((m) => m.id).sort()).toEqual([friend.user.id, third.user.id].sort());

    const space = await json(await node.req(`/api/spaces/${shared}/members`, {}, heir.jar));
    const roles = Object.fromEntries((space.members as Array<{ user: { id: string }; role: string }>).map((m) => [m.user.id, m.role]));
    expect(roles).toEqual({ [heir.user.id]: "owner", [third.user.id]: "member" });
    expect(await node.store.spaces.space(lonely)).toBeUndefined();

    const tables = (node.store as KyselyStore).db;
    for (const [table, column] of [["sessions", "user_id"], ["totp_factors", "user_id"], ["oidc_identities", "user_id"], ["friendships", "friend_id"], ["space_members", "user_id"]] as const) {
      expect(await tables.selectFrom(table).select(column).where(column, "=", gone.user.id).execute()).toEqual([]);
    }
    expect(await node.store.accounts.searchUsers("deleted", 20)).toEqual([]);
    expect(await node.store.exports.ofUser(gone.user.id)).toBeUndefined();
    expect((await node.audit.page({ targetId: gone.user.id, kind: "account.erased" }, undefined, 10)).events).toHaveLength(1);
  });

  test("the audit log keeps an erased account's events but not its addresses, user agents or email addresses; an admin's action keeps the admin's", async () => {
    await settle();
    const admin = (await node.store.accounts.userById((await (node.store as KyselyStore).db.selectFrom("users").select("id").where("instance_admin", "=", 1).executeTakeFirstOrThrow()).id))!;
    const adminJar = new CookieJar();
    const tokens = await node.auth.startSession(admin.id, { ip: "10.9.9.9", userAgent: "admin browser" });
    adminJar.set("access_token", tokens.accessToken);
    const gone = await registerUser(node);
    const ua = { "user-agent": "Gone's browser" };
    expect((await node.req("/api/auth/login", { method: "POST", json: { login: gone.user.username, password: gone.password }, ip: "10.7.7.7", headers: ua })).status).toBe(200);
    expect((await node.req("/api/auth/login", { method: "POST", json: { login: gone.user.username, password: "wrong password" }, ip: "10.6.6.6", headers: ua })).status).toBe(401);
    expect((await node.req("/api/users/me/email", { method: "POST", json: { email: "new-address@example.com", password: gone.password }, ip: "10.7.7.7", headers: ua }, gone.jar)).status).toBe(202);
    expect((await node.req(`/api/admin/users/${gone.user.id}/disable`, { method: "POST", ip: "10.9.9.9", headers: { "user-agent": "admin browser" } }, adminJar)).status).toBe(200);
    expect((await node.req(`/api/admin/users/${gone.user.id}/enable`, { method: "POST", ip: "10.9.9.9", headers: { "user-agent": "admin browser" } }, adminJar)).status).toBe(200);
    // Disabling ended its sessions.
    expect((await node.req("/api/auth/login", { method: "POST", json: { login: gone.user.username, password: gone.password }, ip: "10.7.7.7", headers: ua }, gone.jar)).status).toBe(200);
    const rows = () => (node.store as KyselyStore).db.selectFrom("audit_events").selectAll().where((eb) => eb.or([eb("actor_id", "=", gone.user.id), eb("target_id", "=", gone.user.id)])).orderBy("id").execute();
    const before = await rows();
    expect(before.filter((r) => r.ip === "10.7.7.7" || r.ip === "10.6.6.6").length).toBeGreaterThanOrEqual(3);

    await scheduleDeletion(gone);
    passGrace();
    expect(await node.accountDeletion.sweep()).toEqual([gone.user.id]);

    const after = await rows();
    // Every event is still there (and the erasure is one more), in the same order.
    expect(after.map((r) => r.kind)).toEqual([...before.map((r) => r.kind), "account.deletion_scheduled", "account.erased"]);
    expect(before.map((r) => r.kind)).toContain("email.change_requested");
    for (const r of after) {
      const byAdmin = r.actor_id === admin.id;
      expect([r.kind, r.ip, r.user_agent]).toEqual(byAdmin ? [r.kind, "10.9.9.9", "admin browser"] : [r.kind, null, null]);
      expect(r.details).not.toContain("new-address@example.com");
      expect(r.details).not.toContain(gone.user.email);
    }
    expect(after.filter((r) => r.actor_id === admin.id).map((r) => r.kind)).toEqual(["admin.user_disabled", "admin.user_enabled"]);
  });

  test("of two sweepers racing for a due account, exactly one claims and erases it", async () => {
    await settle();
    const accounts = [await registerUser(node), await registerUser(node), await registerUser(node)];
    for (const a of accounts) await scheduleDeletion(a);
    passGrace();
    const stamp = new Date(now).toISOString();
    const stale = new Date(now - 600_000).toISOString();
    const [first, second] = await Promise.all([node.store.deletion.claimDue(stamp, stale, 10), node.store.deletion.claimDue(stamp, stale, 10)]);
    expect([...first, ...second].sort()).toEqual(accounts.map((a) => a.user.id).sort());

    // A claim lapses after the lease, so a sweeper that died mid-erasure is taken over — by one sweeper.
    now += 11 * 60_000;
    const [x, y] = await Promise.all([node.accountDeletion.sweep(), node.accountDeletion.sweep()]);
    expect([...x, ...y].sort()).toEqual(accounts.map((a) => a.user.id).sort());
    for (const a of accounts) expect((await node.store.accounts.userById(a.user.id))?.deleted_at).not.toBeNull();
  });

  test("a deletion a sweeper has claimed can no longer be cancelled", async () => {
    await settle();
    const a = await registerUser(node);
    await scheduleDeletion(a);
    const jar = new CookieJar();
    expect((await login(a, jar)).status).toBe(200);
    passGrace();
    expect(await node.store.deletion.claimDue(new Date(now).toISOString(), new Date(now - 600_000).toISOString(), 10)).toEqual([a.user.id]);
    const res = await node.req("/api/account/deletion", { method: "DELETE" }, jar);
    expect(res.status).toBe(409);
  });

  test("an erased instance admin hands the role to the longest-standing account still in use", async () => {
    let clock = Date.now();
    const fresh = await startNode({ ACCOUNT_DELETION_GRACE_HOURS: "1" }, { clock: () => clock });
    try {
      const admin = await registerUser(fresh);
      const disabled = await registerUser(fresh);
      const next = await registerUser(fresh);
      const isAdmin = async (a: Account) => (await fresh.store.accounts.userById(a.user.id))?.instance_admin === 1;
      expect(await isAdmin(admin)).toBe(true);
      expect((await fresh.req(`/api/admin/users/${disabled.user.id}/disable`, { method: "POST" }, admin.jar)).status).toBe(200);
      expect((await fresh.req("/api/account/deletion", { method: "POST", json: { password: admin.password } }, admin.jar)).status).toBe(202);
      clock += 2 * HOUR;
      expect(await fresh.accountDeletion.sweep()).toEqual([admin.user.id]);
      expect([await isAdmin(admin), await isAdmin(disabled), await isAdmin(next)]).toEqual([false, false, true]);
    } finally {
      await fresh.dispose();
    }
  });
});
