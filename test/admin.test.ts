/**
 * The admin console's routes against a listening node: only instance admins get in; users are
 * found, disabled (signed out everywhere, sockets closed, sign-in refused) and enabled; two-factor
 * is reset; spaces are listed with member counts and deleted; reported messages are listed and
 * resolved; settings show no secrets; live metrics count sockets and messages. Lists cost the
 * same number of queries whatever their page size.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import type { AdminMetrics, AdminReportsPage, AdminSpacesPage, AdminUser, AdminUsersPage } from "../src/shared/admin";
import type { AuditPage } from "../src/shared/audit";
import type { KyselyStore } from "../src/server/store/store";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { QueryCounter } from "./support/query-counter";
import { befriend } from "./support/social";
import { joinByInvite } from "./support/spaces";
import { connectWs } from "./support/ws";

// Sign-ins hash with argon2id; a loaded 2-core machine can take seconds per test.
setDefaultTimeout(60_000);

type Account = Awaited<ReturnType<typeof registerUser>>;
const SECRETS = { JWT_SECRET: "jwt-secret-that-must-not-show-0123456789", TOTP_KEY: "totp-key-that-must-not-show-0123456789ab", METRICS_TOKEN: "metrics-token-not-shown-0123", SMTP_URL: "smtp://mailer:hunter2-password@127.0.0.1:1" };
const counter = new QueryCounter();
let node: TestNode;
let base: string;
let admin: Account;
let plain: Account;

beforeAll(async () => {
  node = await startNode(SECRETS, { storePlugins: [counter] });
  base = `http://127.0.0.1:${node.listen().port}`;
  admin = await registerUser(node, `admin_${process.pid}`);
  plain = await registerUser(node);
});
afterAll(() => node.dispose());

const call = (method: string, path: string, jar?: CookieJar, json?: unknown) => node.req(path, { method, ...(json === undefined ? {} : { json }) }, jar);
const ok = async <T>(res: Response | Promise<Response>): Promise<T> => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return (r.status === 204 ? undefined : await r.json()) as T;
};
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const auditOf = async (userId: string) => (await ok<AuditPage>(call("GET", `/api/admin/audit?user=${userId}`, admin.jar))).events.map((e) => e.kind);

const ROUTES: Array<[string, string]> = [
  ["GET", "/api/admin/users"],
  ["POST", "/api/admin/users/x/disable"],
  ["POST", "/api/admin/users/x/enable"],
  ["DELETE", "/api/admin/users/x/totp"],
  ["GET", "/api/admin/spaces"],
  ["DELETE", "/api/admin/spaces/x"],
  ["GET", "/api/admin/reports"],
  ["POST", "/api/admin/reports/x/resolve"],
  ["GET", "/api/admin/settings"],
  ["GET", "/api/admin/metrics"],
  ["GET", "/api/admin/outbox"],
  ["GET", "/api/admin/audit"],
  ["GET", "/api/admin/audit/export"],
];

describe("who may use the console", () => {
  test("the list below names every route the app serves under /api/admin/, so a new one cannot skip the check", () => {
    const served = node.app.routes.filter((r) => r.path.startsWith("/api/admin/") && r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:\w+/g, "x")}`);
    expect(served.length).toBeGreaterThan(0);
    expect([...new Set(served)].sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  test("every admin route answers 403 ADMIN_REQUIRED to a signed-in non-admin and 401 when signed out", async () => {
    for (const [method, path] of ROUTES) {
      const refused = await call(method, path, plain.jar);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(await code(refused)).toBe("ADMIN_REQUIRED");
      expect((await call(method, path)).status, `${method} ${path} signed out`).toBe(401);
    }
    expect((await call("GET", "/api/admin/users", admin.jar)).status).toBe(200);
  });
});

describe("users", () => {
  test("the admin finds users by part of their username or email, newest first, a page at a time, at the same query cost for any page size", async () => {
    const tag = `findme${process.pid}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await registerUser(node, `${tag}_${i}`)).user);
    const byName = await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${tag.toUpperCase()}&limit=2`, admin.jar));
    expect(byName.users.map((u) => u.username)).toEqual([`${tag}_4`, `${tag}_3`]);
    const second = await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${tag}&limit=2&cursor=${byName.nextCursor}`, admin.jar));
    const third = await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${tag}&limit=2&cursor=${second.nextCursor}`, admin.jar));
    expect([...second.users, ...third.users].map((u) => u.username)).toEqual([`${tag}_2`, `${tag}_1`, `${tag}_0`]);
    expect(third.nextCursor).toBeNull();
    const byEmail = await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${encodeURIComponent(`${tag}_2@EXAMPLE`)}`, admin.jar));
    expect(byEmail.users).toEqual([expect.objectContaining({ id: made[2]!.id, email: made[2]!.email, disabledAt: null, totpEnabled: false, instanceAdmin: false })]);
    // A literal % or _ matches itself only.
    expect((await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${encodeURIComponent("%")}`, admin.jar))).users).toEqual([]);

    const cost = async (limit: number) => {
      const before = counter.count;
      await ok(call("GET", `/api/admin/users?limit=${limit}`, admin.jar));
      return counter.count - before;
    };
    expect(await cost(100)).toBe(await cost(1));
  });

  test("disabling an account ends its sessions and open sockets, refuses its sign-in after the right password, and enabling lets it back; each step is logged", async () => {
    const target = await registerUser(node);
    const ws = await connectWs(base, target.jar);
    await ws.request({ type: "hello" });
    const disabled = await ok<{ user: AdminUser }>(call("POST", `/api/admin/users/${target.user.id}/disable`, admin.jar));
    expect(disabled.user.disabledAt).not.toBeNull();
    expect((await ws.closed).code).toBe(4401);
    expect((await call("GET", "/api/users/me", target.jar)).status).toBe(401);
    expect((await call("POST", "/api/auth/refresh", target.jar)).status).toBe(401);
    const login = (password: string) => call("POST", "/api/auth/login", new CookieJar(), { login: target.user.username, password });
    const refused = await login(target.password);
    expect(refused.status).toBe(403);
    expect(await code(refused)).toBe("ACCOUNT_DISABLED");
    // A wrong password says only that: being disabled is told to whoever knows the password.
    expect(await code(await login("not the password"))).toBe("INVALID_CREDENTIALS");
    expect((await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${target.user.username}`, admin.jar))).users[0]!.disabledAt).toBe(disabled.user.disabledAt);

    await ok(call("POST", `/api/admin/users/${target.user.id}/enable`, admin.jar));
    expect((await login(target.password)).status).toBe(200);
    expect(await auditOf(target.user.id)).toEqual(["login.succeeded", "admin.user_enabled", "login.failed", "login.disabled", "admin.user_disabled"]);
    const [first] = (await ok<AuditPage>(call("GET", `/api/admin/audit?kind=admin.user_disabled&user=${target.user.id}`, admin.jar))).events;
    expect(first).toMatchObject({ actor: { id: admin.user.id }, target: { id: target.user.id, username: target.user.username } });
  });

  test("each account shows whether it is disabled, waiting for its deletion or erased, wherever the console names it, and the list filters by that", async () => {
    const tag = `st${process.pid}`;
    const [keep, off, going, gone] = (await Promise.all(["keep", "off", "going", "gone"].map((n) => registerUser(node, `${tag}_${n}`)))) as [Account, Account, Account, Account];
    const dm = await befriend(node, keep, gone);
    const { message } = await ok<{ message: { id: string } }>(call("POST", `/api/conversations/${dm}/messages`, gone.jar, { content: "reported, then erased", clientId: "st" }));
    await ok(call("POST", `/api/messages/${message.id}/report`, keep.jar, { reason: "spam" }));
    const space = (await ok<{ space: { id: string } }>(call("POST", "/api/spaces", going.jar, { name: "Going's space" }))).space;
    await ok(call("POST", `/api/admin/users/${off.user.id}/disable`, admin.jar));
    for (const a of [going, gone]) expect((await call("POST", "/api/account/deletion", a.jar, { password: a.password })).status).toBe(202);
    // Gone's grace period is over: the sweeper erases it.
    await (node.store as KyselyStore).db.updateTable("users").set({ deletion_due_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", gone.user.id).execute();
    expect(await node.accountDeletion.sweep()).toContain(gone.user.id);

    const list = async (query: string) => (await ok<AdminUsersPage>(call("GET", `/api/admin/users?${query}`, admin.jar))).users;
    const states = Object.fromEntries((await list(`q=${tag}`)).map((u) => [u.username, u.state]));
    expect(states).toEqual({ [`${tag}_keep`]: "active", [`${tag}_off`]: "disabled", [`${tag}_going`]: "deleting" });
    const [scheduled] = await list(`q=${tag}&state=deleting`);
    expect(scheduled).toMatchObject({ id: going.user.id, state: "deleting", disabledAt: null, deletedAt: null });
    expect(scheduled!.deletionScheduledFor).not.toBeNull();
    expect((await list(`q=${tag}&state=disabled`)).map((u) => u.id)).toEqual([off.user.id]);
    expect((await list(`q=${tag}&state=active`)).map((u) => u.id)).toEqual([keep.user.id]);
    // Erased, it no longer matches its old name or address; the filter still finds it.
    const erased = (await list("state=deleted&limit=100")).find((u) => u.id === gone.user.id);
    expect(erased).toMatchObject({ state: "deleted", displayName: "Deleted user", deletionScheduledFor: null });
    expect(erased!.deletedAt).not.toBeNull();
    expect((await list("state=deleted&limit=100")).every((u) => u.state === "deleted")).toBe(true);
    expect((await call("GET", "/api/admin/users?state=gone", admin.jar)).status).toBe(400);

    const report = (await ok<AdminReportsPage>(call("GET", "/api/admin/reports?limit=100", admin.jar))).reports.find((r) => r.messageId === message.id);
    expect(report).toMatchObject({ reporter: { id: keep.user.id, state: "active" }, author: { id: gone.user.id, state: "deleted" } });
    const listed = (await ok<AdminSpacesPage>(call("GET", "/api/admin/spaces?limit=100", admin.jar))).spaces.find((s) => s.id === space.id);
    expect(listed?.owner).toEqual({ id: going.user.id, username: going.user.username, state: "deleting" });
    const [disabling] = (await ok<AuditPage>(call("GET", `/api/admin/audit?kind=admin.user_disabled&user=${off.user.id}`, admin.jar))).events;
    expect(disabling).toMatchObject({ actor: { id: admin.user.id, state: "active" }, target: { id: off.user.id, state: "disabled" } });
    const [scheduling] = (await ok<AuditPage>(call("GET", `/api/admin/audit?kind=account.deletion_scheduled&user=${gone.user.id}`, admin.jar))).events;
    expect(scheduling?.target).toMatchObject({ id: gone.user.id, state: "deleted" });
  });

  test("an admin cannot disable their own account, and an unknown user is 404", async () => {
    const self = await call("POST", `/api/admin/users/${admin.user.id}/disable`, admin.jar);
    expect(self.status).toBe(409);
    expect((await call("POST", "/api/admin/users/nobody/disable", admin.jar)).status).toBe(404);
  });

  test("resetting a user's two-factor lets their password alone sign them in, and is logged", async () => {
    const target = await registerUser(node);
    const { secret } = await ok<{ secret: string }>(call("POST", "/api/auth/totp/enrol", target.jar, { password: target.password }));
    await ok(call("POST", "/api/auth/totp/confirm", target.jar, { code: TOTP.generate({ secret: Secret.fromBase32(secret) }) }));
    const login = () => call("POST", "/api/auth/login", new CookieJar(), { login: target.user.username, password: target.password });
    expect(await code(await login())).toBe("TOTP_REQUIRED");
    expect((await ok<AdminUsersPage>(call("GET", `/api/admin/users?q=${target.user.username}`, admin.jar))).users[0]!.totpEnabled).toBe(true);
    expect((await call("DELETE", `/api/admin/users/${target.user.id}/totp`, admin.jar)).status).toBe(204);
    expect((await login()).status).toBe(200);
    expect((await call("DELETE", `/api/admin/users/${target.user.id}/totp`, admin.jar)).status).toBe(404);
    expect(await auditOf(target.user.id)).toEqual(["login.succeeded", "admin.totp_reset", "totp.enabled"]);
  });
});

describe("spaces", () => {
  test("spaces are listed newest first with owner and member count, paged at one query cost, and the admin deletes one: its members are told, the deletion logged", async () => {
    const owner = await registerUser(node);
    const guest = await registerUser(node);
    const a = (await ok<{ space: { id: string } }>(call("POST", "/api/spaces", owner.jar, { name: "Older space" }))).space;
    const b = (await ok<{ space: { id: string } }>(call("POST", "/api/spaces", owner.jar, { name: "Newer space" }))).space;
    await joinByInvite(node, owner.jar, b.id, guest.jar);
    const page = await ok<AdminSpacesPage>(call("GET", "/api/admin/spaces?limit=1", admin.jar));
    expect(page.spaces).toEqual([expect.objectContaining({ id: b.id, name: "Newer space", memberCount: 2, owner: { id: owner.user.id, username: owner.user.username, state: "active" } })]);
    const next = await ok<AdminSpacesPage>(call("GET", `/api/admin/spaces?limit=1&cursor=${page.nextCursor}`, admin.jar));
    expect(next.spaces[0]).toMatchObject({ id: a.id, memberCount: 1 });

    const before = counter.count;
    await ok(call("GET", "/api/admin/spaces?limit=1", admin.jar));
    const one = counter.count - before;
    await ok(call("GET", "/api/admin/spaces?limit=100", admin.jar));
    expect(counter.count - before - one).toBe(one);

    const ws = await connectWs(base, guest.jar);
    await ws.request({ type: "hello" });
    expect((await call("DELETE", `/api/admin/spaces/${b.id}`, admin.jar)).status).toBe(204);
    await ws.waitFor((e) => e.type === "space:removed" && e.spaceId === b.id && e.reason === "deleted");
    ws.close();
    expect((await call("GET", `/api/spaces/${b.id}`, owner.jar)).status).toBe(403);
    expect((await call("DELETE", `/api/admin/spaces/${b.id}`, admin.jar)).status).toBe(404);
    const [logged] = (await ok<AuditPage>(call("GET", "/api/admin/audit?kind=admin.space_deleted&limit=1", admin.jar))).events;
    expect(logged).toMatchObject({ actor: { id: admin.user.id }, target: { id: owner.user.id }, details: { spaceId: b.id, name: "Newer space" } });
  });
});

describe("reports", () => {
  test("a member reports someone else's message once; the admin lists open reports with what it said, resolves one, and finds it among the resolved", async () => {
    const author = await registerUser(node);
    const reporter = await registerUser(node);
    const outsider = await registerUser(node);
    const dm = await befriend(node, author, reporter);
    const { message } = await ok<{ message: { id: string } }>(call("POST", `/api/conversations/${dm}/messages`, author.jar, { content: "something abusive", clientId: "r1" }));
    const report = (jar: CookieJar, reason = "It is abusive") => call("POST", `/api/messages/${message.id}/report`, jar, { reason });
    expect((await report(reporter.jar)).status).toBe(204);
    expect((await report(reporter.jar, "again")).status).toBe(204);
    expect((await report(author.jar)).status).toBe(400);
    expect((await report(outsider.jar)).status).toBe(403);
    expect((await call("POST", `/api/messages/${message.id}/report`, reporter.jar, { reason: "" })).status).toBe(400);
    // What it said stays on the report after an edit.
    await ok(call("PATCH", `/api/messages/${message.id}`, author.jar, { content: "edited to look harmless" }));

    const open = await ok<AdminReportsPage>(call("GET", "/api/admin/reports", admin.jar));
    const mine = open.reports.filter((r) => r.messageId === message.id);
    expect(mine).toEqual([
      expect.objectContaining({ content: "something abusive", reason: "It is abusive", conversationId: dm, reporter: { id: reporter.user.id, username: reporter.user.username, state: "active" }, author: { id: author.user.id, username: author.user.username, state: "active" }, resolvedAt: null }),
    ]);
    expect((await call("POST", `/api/admin/reports/${mine[0]!.id}/resolve`, admin.jar)).status).toBe(204);
    expect((await call("POST", `/api/admin/reports/${mine[0]!.id}/resolve`, admin.jar)).status).toBe(404);
    expect((await ok<AdminReportsPage>(call("GET", "/api/admin/reports", admin.jar))).reports.some((r) => r.id === mine[0]!.id)).toBe(false);
    const resolved = await ok<AdminReportsPage>(call("GET", "/api/admin/reports?status=resolved", admin.jar));
    expect(resolved.reports.find((r) => r.id === mine[0]!.id)).toMatchObject({ resolvedBy: admin.user.id });
    expect(resolved.reports.find((r) => r.id === mine[0]!.id)!.resolvedAt).not.toBeNull();
  });

  test("a room member reports a guest's call-chat message; the admin's list names the guest it came from", async () => {
    const host = await registerUser(node);
    const created = await ok<{ room: { slug: string; conversationId: string } }>(call("POST", "/api/rooms", host.jar, { name: "Open house", allowGuests: true }));
    const { slug, conversationId } = created.room;
    const guestJar = new CookieJar();
    await ok(node.req(`/api/rooms/${slug}/guests`, { method: "POST", json: { name: "Gail" }, ip: "10.9.0.7" }, guestJar));
    const gs = await connectWs(base, guestJar);
    await gs.request({ type: "hello" });
    const sent = await gs.request({ type: "message:send", conversationId, clientId: "g-report", content: "guest spam" });
    gs.close();
    expect((await call("POST", `/api/messages/${sent.message.id}/report`, host.jar, { reason: "spam" })).status).toBe(204);
    const report = (await ok<AdminReportsPage>(call("GET", "/api/admin/reports?limit=100", admin.jar))).reports.find((r) => r.messageId === sent.message.id);
    expect(report).toMatchObject({ conversationId, reporter: { id: host.user.id }, author: null, guestName: "Gail", content: "guest spam", reason: "spam" });
  });
});

describe("settings and metrics", () => {
  test("the effective settings are shown without any secret", async () => {
    const res = await call("GET", "/api/admin/settings", admin.jar);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ mail: { transport: "smtp" }, storage: { database: node.config.database.kind }, metrics: { publicEndpoint: true } });
    for (const secret of [...Object.values(SECRETS), "hunter2"]) expect(text).not.toContain(secret);
  });

  test("live metrics count this node's sockets and the messages sent over the last seconds", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const dm = await befriend(node, a, b);
    const ws = await connectWs(base, a.jar);
    await ws.request({ type: "hello" });
    const before = await ok<AdminMetrics>(call("GET", "/api/admin/metrics", admin.jar));
    expect(before.connections).toBeGreaterThanOrEqual(1);
    expect(before.activeCalls).toBe(0);
    for (let i = 0; i < 20; i++) await ok(call("POST", `/api/conversations/${dm}/messages`, a.jar, { content: `m${i}`, clientId: `metrics${i}` }));
    // The rate counts whole seconds gone by: wait for the current one to end.
    await Bun.sleep(1100);
    const after = await ok<AdminMetrics>(call("GET", "/api/admin/metrics", admin.jar));
    expect(after.messagesPerSecond * after.windowSeconds).toBeGreaterThanOrEqual(20);
    ws.close();
    await ws.closed;
  });
});
