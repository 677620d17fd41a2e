import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";

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
    const ok = await node.req("/api/users/me", { method: "PATCH", json: { displayName: "Ada L." } }, a.jar);
    expect(ok.status).toBe(200);
    const bad = await node.req("/api/users/me", { method: "PATCH", json: { displayName: "" } }, a.jar);
    expect(bad.status).toBe(400);
    // Avatars are uploaded, never pointed at another host (which would see every viewer).
    const outside = await node.req("/api/users/me", { method: "PATCH", json: { avatarUrl: "https://tracker.example/pixel.png" } }, a.jar);
    expect(outside.status).toBe(400);
    const sneaky = await node.req("/api/users/me", { method: "PATCH", json: { email: "evil@example.com" } }, a.jar);
    expect(sneaky.status).toBe(400);
    const { user } = (await (await node.req("/api/users/me", {}, a.jar)).json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ displayName: "Ada L.", avatarUrl: null, email: a.user.email });
  });

  test("an avatar is uploaded, served by the app to anyone with its URL, type-checked, and removed", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 4, 5, 6]);
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const refused = await node.req("/api/users/me/avatar", { method: "PUT", body: html, headers: { "content-type": "image/png" } }, a.jar);
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    const huge = await node.req("/api/users/me/avatar", { method: "PUT", body: new Uint8Array(600 * 1024).fill(1) }, a.jar);
    expect(huge.status).toBe(413);
    expect((await node.req("/api/users/me/avatar", { method: "PUT", body: png })).status).toBe(401);

    const up = (await (await node.req("/api/users/me/avatar", { method: "PUT", body: png }, a.jar)).json()) as { user: { avatarUrl: string } };
    expect(up.user.avatarUrl).toMatch(new RegExp(`^/api/users/${a.user.id}/avatar/[0-9a-f-]{36}\\.png$`));
    const seen = (await (await node.req(`/api/users/${a.user.id}`, {}, b.jar)).json()) as { user: { avatarUrl: string } };
    expect(seen.user.avatarUrl).toBe(up.user.avatarUrl);
    const served = await node.req(up.user.avatarUrl);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    // Another user's id with this file name serves nothing.
    expect((await node.req(up.user.avatarUrl.replace(a.user.id, b.user.id))).status).toBe(404);

    const removed = (await (await node.req("/api/users/me/avatar", { method: "DELETE" }, a.jar)).json()) as { user: { avatarUrl: string | null } };
    expect(removed.user.avatarUrl).toBeNull();
    expect((await node.req(up.user.avatarUrl)).status).toBe(404);
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

describe("auth over HTTP", () => {
  test("login, refresh and me say when the access token expires, following ACCESS_TTL_SECONDS", async () => {
    const short = await startNode({ ACCESS_TTL_SECONDS: "120" });
    try {
      const expiry = async (res: Response, jar: CookieJar) => {
        const { accessExpiresAt } = (await res.json()) as { accessExpiresAt: string };
        const exp = JSON.parse(Buffer.from(jar.get("access_token")!.split(".")[1]!, "base64url").toString()).exp as number;
        expect(accessExpiresAt).toBe(new Date(exp * 1000).toISOString());
        expect(Date.parse(accessExpiresAt) - Date.now()).toBeGreaterThan(100_000);
        expect(Date.parse(accessExpiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
      };
      const jar = new CookieJar();
      const json = { email: "ttl@example.com", username: "ttl_user", password: "0123456789" };
      expect((await short.req("/api/auth/register", { method: "POST", json })).status).toBe(201);
      await expiry(await short.req("/api/auth/login", { method: "POST", json: { login: "ttl_user", password: json.password } }, jar), jar);
      await expiry(await short.req("/api/auth/refresh", { method: "POST" }, jar), jar);
      await expiry(await short.req("/api/users/me", {}, jar), jar);
    } finally {
      await short.dispose();
    }
  });

  test("behind a trusted proxy the limit follows the rightmost X-Forwarded-For entry, not the client's", async () => {
    const proxied = await startNode({ TRUST_PROXY: "true", AUTH_RATE_LIMIT: "3", AUTH_RATE_WINDOW_SECONDS: "60" });
    try {
      const attempt = (xff: string) =>
        proxied.req("/api/auth/login", { method: "POST", json: { login: "x_user", password: "whatever1234" }, headers: { "x-forwarded-for": xff } });
      for (let i = 0; i < 3; i++) expect((await attempt(`198.51.100.${i}, 203.0.113.7`)).status).toBe(401);
      expect((await attempt("198.51.100.99, 203.0.113.7")).status).toBe(429);
      expect((await attempt("203.0.113.7")).status).toBe(429);
      // The address our proxy saw is what counts: another one has its own budget.
      expect((await attempt("198.51.100.1, 203.0.113.8")).status).toBe(401);
    } finally {
      await proxied.dispose();
    }
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
    // Images too come only from the app (avatars are uploaded), so no other host sees viewers.
    expect(csp).toContain("img-src 'self' data: blob:;");
    expect(csp).not.toMatch(/https?:|\*/);
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

  test("healthz and readyz answer", async () => {
    expect((await node.req("/healthz")).status).toBe(200);
    const ready = await node.req("/readyz");
    expect(ready.status).toBe(200);
  });

  test("readyz reports 503 when the store is unreachable", async () => {
    const other = await startNode();
    await other.store.close();
    const res = await other.req("/readyz");
    expect(res.status).toBe(503);
    await other.dispose();
  });
});
