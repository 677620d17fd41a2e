import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser, startNode, type TestNode } from "./support/parley";

let node: TestNode;
beforeAll(async () => {
  node = await startNode({ BODY_LIMIT_BYTES: "65536" });
});
afterAll(() => node.dispose());

describe("users", () => {
  test("a public profile has no email or secrets", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const res = await node.req(`/api/users/${b.user.id}`, {}, a.jar);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(Object.keys(user).sort()).toEqual(["avatarUrl", "displayName", "id", "username"]);
    expect(JSON.stringify(user)).not.toContain("@example.com");
  });

  test("an unknown user id is 404 NOT_FOUND", async () => {
    const a = await registerUser(node);
    const res = await node.req("/api/users/01900000-0000-7000-8000-000000000000", {}, a.jar);
    expect(res.status).toBe(404);
  });

  test("user routes need a session", async () => {
    for (const path of ["/api/users/me", "/api/users?q=a", "/api/users/x"]) {
      const res = await node.req(path);
      expect(res.status).toBe(401);
    }
  });

  test("the profile can be edited and bad values are refused without changing it", async () => {
    const a = await registerUser(node);
    const ok = await node.req("/api/users/me", { method: "PATCH", json: { displayName: "Ada L.", avatarUrl: "https://img.example.com/a.png" } }, a.jar);
    expect(ok.status).toBe(200);
    const bad = await node.req("/api/users/me", { method: "PATCH", json: { displayName: "", avatarUrl: "javascript:alert(1)" } }, a.jar);
    expect(bad.status).toBe(400);
    const sneaky = await node.req("/api/users/me", { method: "PATCH", json: { email: "evil@example.com" } }, a.jar);
    expect(sneaky.status).toBe(400);
    const { user } = (await (await node.req("/api/users/me", {}, a.jar)).json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ displayName: "Ada L.", avatarUrl: "https://img.example.com/a.png", email: a.user.email });
  });

  test("search finds users by username prefix, at most 20", async () => {
    const me = await registerUser(node);
    for (let i = 0; i < 23; i++) await registerUser(node, `zeta_${String(i).padStart(2, "0")}`);
    const res = await node.req("/api/users?q=zeta_", {}, me.jar);
    const { users } = (await res.json()) as { users: Array<{ username: string }> };
    expect(users).toHaveLength(20);
    expect(users.every((u) => u.username.startsWith("zeta_"))).toBe(true);
    const one = (await (await node.req("/api/users?q=ZETA_07", {}, me.jar)).json()) as { users: Array<{ username: string; email?: string }> };
    expect(one.users.map((u) => u.username)).toEqual(["zeta_07"]);
    expect(one.users[0]).not.toHaveProperty("email");
  });

  test("SQL injection strings in search return nothing harmful and change nothing", async () => {
    const me = await registerUser(node);
    const attacks = ["' OR '1'='1", "%", "_", "\\", "'; DROP TABLE users; --", "\" OR 1=1 --", "zeta_%' --", "%%%%"];
    for (const q of attacks) {
      const res = await node.req(`/api/users?q=${encodeURIComponent(q)}`, {}, me.jar);
      expect(res.status).toBe(200);
      const { users } = (await res.json()) as { users: unknown[] };
      expect(users).toEqual([]);
    }
    expect((await node.req("/api/users/me", {}, me.jar)).status).toBe(200);
  });
});

describe("http hygiene", () => {
  test("an oversize body is refused with 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await node.req("/api/auth/register", {
      method: "POST",
      body: JSON.stringify({ email: "a@b.io", username: "big_one", password: "x".repeat(100_000) }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("a cross-site POST is blocked with 403 even with valid cookies", async () => {
    const a = await registerUser(node);
    const res = await node.req("/api/auth/logout-all", { method: "POST", headers: { origin: "https://evil.example" } }, a.jar);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    const fetchMeta = await node.req("/api/auth/logout-all", { method: "POST", headers: { "sec-fetch-site": "cross-site" } }, a.jar);
    expect(fetchMeta.status).toBe(403);
    expect((await node.req("/api/users/me", {}, a.jar)).status).toBe(200);
  });

  test("a same-origin POST passes the Origin check", async () => {
    const a = await registerUser(node);
    const res = await node.req("/api/users/me", { method: "PATCH", json: { displayName: "Same Origin" }, headers: { origin: node.config.publicUrl } }, a.jar);
    expect(res.status).toBe(200);
  });

  test("responses carry a same-origin CSP and the secure headers", async () => {
    const res = await node.req("/healthz");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  test("HSTS is sent only when the public URL is https", async () => {
    expect((await node.req("/healthz")).headers.get("strict-transport-security")).toBeNull();
    const https = await startNode({ PUBLIC_URL: "https://chat.example.com" });
    expect((await https.req("/healthz")).headers.get("strict-transport-security")).toContain("max-age=");
    await https.dispose();
  });

  test("unknown API routes are a JSON 404", async () => {
    const res = await node.req("/api/nope");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  test("healthz and readyz answer, and metrics expose per-route counts, latency and memory", async () => {
    expect((await node.req("/healthz")).status).toBe(200);
    const ready = await node.req("/readyz");
    expect(ready.status).toBe(200);
    await node.req("/api/users/me");
    const text = await (await node.req("/metrics")).text();
    expect(text).toContain('parley_http_requests_total{method="GET",route="/api/users/me",status="401"}');
    expect(text).toContain('parley_http_request_duration_seconds_bucket{method="GET",route="/api/users/me",le="+Inf"}');
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  test("readyz reports 503 when the store is unreachable", async () => {
    const other = await startNode();
    await other.store.close();
    const res = await other.req("/readyz");
    expect(res.status).toBe(503);
    await other.dispose();
  });
});
