/**
 * The audit log, in-process: every kind of security event leaves a row naming the account, the
 * client address and browser; users read their own; the instance admin pages, filters and
 * exports the log; rows past AUDIT_RETENTION_DAYS go.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import type { AuditEvent, AuditPage } from "../src/shared/audit";
import { idTime } from "../src/shared/ids";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";

// Sign-ins hash with argon2id; a loaded 2-core machine can take seconds per test.
setDefaultTimeout(60_000);

const STEP = 30_000;
let node: TestNode;
let now = Math.floor(Date.now() / STEP) * STEP + 5_000;
let admin: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  node = await startNode({ TRUST_PROXY: "true", LOCKOUT_THRESHOLD: "3", AUDIT_RETENTION_DAYS: "30" }, { clock: () => now });
  // The first account is the instance's admin.
  admin = await registerUser(node);
});
afterAll(() => node.dispose());

const from = (ip: string, agent = "AuditTest/1.0") => ({ "x-forwarded-for": ip, "user-agent": agent });
const post = (path: string, json: unknown, jar?: CookieJar, ip = "192.0.2.10", agent?: string) => node.req(path, { method: "POST", json, headers: from(ip, agent) }, jar);
const codeAt = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now });

async function eventsOf(userId: string, kind?: string): Promise<AuditEvent[]> {
  const q = new URLSearchParams({ user: userId, limit: "100", ...(kind ? { kind } : {}) });
  const res = await node.req(`/api/admin/audit?${q}`, {}, admin.jar);
  expect(res.status).toBe(200);
  return ((await res.json()) as AuditPage).events;
}
const kinds = (events: AuditEvent[]): string[] => events.map((e) => e.kind).reverse();

async function outboxLink(to: string, path: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const box = (await (await node.req("/api/admin/outbox", {}, admin.jar)).json()) as { messages: Array<{ to: string; text: string }> };
    const link = box.messages.find((m) => m.to === to && m.text.includes(path))?.text.match(new RegExp(`http\\S+${path}\\?token=\\S+`))?.[0];
    if (link) return link;
    await Bun.sleep(25);
  }
  throw new Error(`no ${path} mail to ${to}`);
}

describe("security events are logged by the services", () => {
  test("a sign-in, wrong passwords, the throttle and a reused refresh token each leave a row with the account, address and browser", async () => {
    const { user, password } = await registerUser(node);
    expect((await post("/api/auth/login", { login: user.username, password: "wrong password" }, undefined, "198.51.100.1")).status).toBe(401);
    expect((await post("/api/auth/login", { login: user.username, password: "wrong password" }, undefined, "198.51.100.1")).status).toBe(401);
    expect((await post("/api/auth/login", { login: user.username, password: "wrong password" }, undefined, "198.51.100.1")).status).toBe(423);
    const jar = new CookieJar();
    expect((await post("/api/auth/login", { login: user.username, password }, jar, "198.51.100.2")).status).toBe(200);
    const stale = jar.get("refresh_token")!;
    expect((await post("/api/auth/refresh", {}, jar)).status).toBe(200);
    const replay = new CookieJar();
    replay.set("refresh_token", stale);
    expect((await post("/api/auth/refresh", {}, replay, "203.0.113.66")).status).toBe(401);

    const events = await eventsOf(user.id);
    expect(kinds(events)).toEqual(["login.failed", "login.failed", "login.failed", "login.throttled", "login.succeeded", "token.reused"]);
    const [reused, ok, throttled] = events;
    expect(ok).toMatchObject({ ip: "198.51.100.2", userAgent: "AuditTest/1.0", actor: { id: user.id, username: user.username }, target: { id: user.id }, details: { method: "password" } });
    expect(throttled!.details).toMatchObject({ scope: "address" });
    expect(reused).toMatchObject({ ip: "203.0.113.66", actor: null, target: { id: user.id } });
  });

  test("a failed sign-in with no such account keeps the login that was tried, and names nobody", async () => {
    expect((await post("/api/auth/login", { login: "nobody_here", password: "wrong password" })).status).toBe(401);
    const res = await node.req("/api/admin/audit?kind=login.failed&limit=1", {}, admin.jar);
    const [e] = ((await res.json()) as AuditPage).events;
    expect(e).toMatchObject({ kind: "login.failed", actor: null, target: null, details: { login: "nobody_here" } });
  });

  test("two-factor set-up, a wrong code, a two-step sign-in, new recovery codes and turning it off are each logged", async () => {
    const { jar, user, password } = await registerUser(node);
    const { secret } = (await (await post("/api/auth/totp/enrol", { password }, jar)).json()) as { secret: string };
    expect((await post("/api/auth/totp/confirm", { code: "000000" === codeAt(secret) ? "111111" : "000000" }, jar)).status).toBe(403);
    expect((await post("/api/auth/totp/confirm", { code: codeAt(secret) }, jar)).status).toBe(200);
    now += STEP;
    const second = new CookieJar();
    expect((await post("/api/auth/login", { login: user.username, password }, second)).status).toBe(401);
    expect((await post("/api/auth/totp/verify", { code: codeAt(secret) }, second)).status).toBe(200);
    now += STEP;
    expect((await post("/api/auth/totp/recovery-codes", { code: codeAt(secret), password }, jar)).status).toBe(200);
    now += STEP;
    expect((await post("/api/auth/totp/disable", { code: codeAt(secret), password }, jar)).status).toBe(204);
    const events = await eventsOf(user.id);
    expect(kinds(events)).toEqual(["totp.failed", "totp.enabled", "login.succeeded", "totp.recovery_renewed", "totp.disabled"]);
    expect(events.find((e) => e.kind === "login.succeeded")!.details).toEqual({ secondFactor: "totp" });
  });

  test("a password reset, an email change and signing sessions out are logged; the user reads their own events, newest first, paged", async () => {
    const { jar, user, password } = await registerUser(node);
    const other = new CookieJar();
    expect((await post("/api/auth/login", { login: user.username, password }, other)).status).toBe(200);
    const sessions = (await (await node.req("/api/auth/sessions", {}, jar)).json()) as { sessions: Array<{ id: string; current: boolean }> };
    expect((await node.req(`/api/auth/sessions/${sessions.sessions.find((s) => !s.current)!.id}`, { method: "DELETE" }, jar)).status).toBe(204);
    const newEmail = `moved_${user.username}@example.com`;
    expect((await post("/api/users/me/email", { email: newEmail, password }, jar)).status).toBe(202);
    const verify = new URL(await outboxLink(newEmail, "/verify-email")).searchParams.get("token")!;
    expect((await post("/api/auth/verify-email", { token: verify })).status).toBe(200);
    expect((await post("/api/auth/password-reset", { email: newEmail })).status).toBe(202);
    const reset = new URL(await outboxLink(newEmail, "/reset-password")).searchParams.get("token")!;
    expect((await post("/api/auth/password-reset/confirm", { token: reset, password: "a brand new password" })).status).toBe(204);
    const again = new CookieJar();
    expect((await post("/api/auth/login", { login: user.username, password: "a brand new password" }, again)).status).toBe(200);
    expect((await post("/api/auth/logout-all", {}, again)).status).toBe(204);

    const expected = ["login.succeeded", "session.revoked", "email.change_requested", "email.changed", "password.reset", "login.succeeded", "sessions.revoked_all"];
    expect(kinds(await eventsOf(user.id))).toEqual(expected);
    const changed = (await eventsOf(user.id, "email.changed"))[0]!;
    expect(changed.details).toEqual({ from: user.email, to: newEmail });

    // The user's own view, three at a time.
    const mine = new CookieJar();
    expect((await post("/api/auth/login", { login: user.username, password: "a brand new password" }, mine)).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (await node.req(`/api/auth/security-events?limit=3${cursor ? `&cursor=${cursor}` : ""}`, {}, mine)).json()) as AuditPage;
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events.map((e) => e.kind));
      cursor = page.nextCursor;
    }
    expect(seen.reverse()).toEqual([...expected, "login.succeeded"]);
  });
});

describe("the admin's audit log", () => {
  test("anyone but an instance admin is refused the log and its export with 403 ADMIN_REQUIRED", async () => {
    const { jar } = await registerUser(node);
    for (const path of ["/api/admin/audit", "/api/admin/audit/export?format=csv"]) {
      const res = await node.req(path, {}, jar);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ADMIN_REQUIRED");
      expect((await node.req(path)).status).toBe(401);
    }
  });

  test("the log exports as NDJSON and as CSV (with formula cells defused), filtered like the list, and the export is logged", async () => {
    const { user } = await registerUser(node);
    await post("/api/auth/login", { login: user.username, password: "=HYPERLINK(\"x\")" }, undefined, "192.0.2.77");
    await post("/api/auth/login", { login: "cmd|calc", password: "wrong password" }, undefined, "192.0.2.77", "=cmd|' /C calc'!A0");
    const nd = await node.req(`/api/admin/audit/export?format=ndjson&user=${user.id}`, {}, admin.jar);
    expect(nd.headers.get("content-type")).toContain("application/x-ndjson");
    expect(nd.headers.get("content-disposition")).toMatch(/attachment; filename="parley-audit-\d{4}-\d\d-\d\d\.ndjson"/);
    const lines = (await nd.text()).trim().split("\n").map((l) => JSON.parse(l) as AuditEvent);
    expect(lines.map((e) => e.kind)).toEqual(["login.failed"]);
    expect(lines[0]).toMatchObject({ ip: "192.0.2.77", target: { id: user.id } });

    const csv = await node.req("/api/admin/audit/export?format=csv&kind=login.failed", {}, admin.jar);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = (await csv.text()).split("\r\n");
    expect(rows[0]).toBe("id,at,kind,actor_id,actor_username,target_id,target_username,ip,user_agent,details");
    const injected = rows.find((r) => r.includes("cmd|calc"))!;
    expect(injected).toContain(`"'=cmd|' /C calc'!A0","{""login"":""cmd|calc""}"`);
    expect(rows.filter((r) => r.includes(",login.failed,")).length).toBeGreaterThanOrEqual(2);

    const exported = (await eventsOf(admin.user.id, "admin.audit_exported")).map((e) => e.details);
    expect(exported.slice(0, 2)).toEqual([{ format: "csv", kind: "login.failed" }, { format: "ndjson", userId: user.id }]);
  });

  test("an export larger than one batch streams every row, and events past AUDIT_RETENTION_DAYS are pruned", async () => {
    const { user } = await registerUser(node);
    for (let i = 0; i < 520; i++) await node.audit.record({ kind: "login.failed", targetId: user.id, details: { i } });
    const all = (await (await node.req(`/api/admin/audit/export?user=${user.id}`, {}, admin.jar)).text()).trim().split("\n");
    expect(all.length).toBe(520);
    expect(JSON.parse(all[0]!).details).toEqual({ i: 519 });
    // From the newest id, not this file's clock: ids never go back in time, so one minted
    // earlier in this process under a later clock (another suite's) dates the rows after it.
    now = idTime(JSON.parse(all[0]!).id) + 31 * 86_400_000;
    await node.audit.record({ kind: "login.failed", targetId: user.id, details: { i: "late" } });
    expect(await node.audit.prune()).toBeGreaterThanOrEqual(520);
    expect((await eventsOf(user.id)).map((e) => e.details)).toEqual([{ i: "late" }]);
  });
});
