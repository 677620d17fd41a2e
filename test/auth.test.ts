import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { TokenService } from "../src/server/auth/tokens";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";

let node: TestNode;
beforeAll(async () => {
  node = await startNode();
});
afterAll(() => node.dispose());

const me = (jar: CookieJar) => node.req("/api/users/me", {}, jar);
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("registration", () => {
  test("a new account gets its profile and both session cookies, HttpOnly and SameSite=Lax", async () => {
    const jar = new CookieJar();
    const res = await node.req("/api/auth/register", { method: "POST", json: { email: "Dana@Example.com", username: "dana", password: "0123456789" } }, jar);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ username: "dana", email: "dana@example.com", displayName: "dana", emailVerified: false });
    expect(body.user).not.toHaveProperty("password_hash");
    const cookies = res.headers.getSetCookie();
    for (const name of ["access_token", "refresh_token"]) {
      const c = cookies.find((x) => x.startsWith(name + "="));
      expect(c).toContain("HttpOnly");
      expect(c).toContain("SameSite=Lax");
      expect(c).not.toContain("Secure");
    }
    expect((await me(jar)).status).toBe(200);
  });

  test("invalid email, username and password are each named in the validation error", async () => {
    const res = await node.req("/api/auth/register", { method: "POST", json: { email: "nope", username: "A!", password: "short" } });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { fields: Record<string, string> } } };
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(Object.keys(error.details.fields).sort()).toEqual(["email", "password", "username"]);
  });

  test("a taken username is a 409 CONFLICT naming the field, whether or not the email is taken too", async () => {
    const { user } = await registerUser(node);
    for (const email of ["fresh@example.com", user.email]) {
      const dupName = await node.req("/api/auth/register", { method: "POST", json: { email, username: user.username, password: "0123456789" } });
      expect(dupName.status).toBe(409);
      expect(((await dupName.json()) as { error: { details: { field: string } } }).error.details.field).toBe("username");
    }
  });

  test("a taken email is a 409 CONFLICT naming the field, whether the check or the unique index caught it (concurrent registrations)", async () => {
    const { user } = await registerUser(node);
    const checked = await node.req("/api/auth/register", { method: "POST", json: { email: user.email, username: "checked_dup", password: "0123456789" } });
    expect(checked.status).toBe(409);
    expect(((await checked.json()) as { error: { details: { field: string } } }).error.details.field).toBe("email");
    const email = `race_${crypto.randomUUID().slice(0, 8)}@example.com`;
    const raced = await Promise.all(
      ["race_one", "race_two"].map((username) => node.req("/api/auth/register", { method: "POST", json: { email, username, password: "0123456789" } })),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    const lost = raced.find((r) => r.status === 409)!;
    expect(((await lost.json()) as { error: { details: { field: string } } }).error.details.field).toBe("email");
  }, 30_000);

  test("a body that is not JSON is a validation error", async () => {
    const res = await node.req("/api/auth/register", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("VALIDATION_ERROR");
  });
});

describe("registration with HIDE_REGISTERED_EMAILS", () => {
  let hidden: TestNode;
  beforeAll(async () => {
    hidden = await startNode({ HIDE_REGISTERED_EMAILS: "true" });
  });
  afterAll(() => hidden.dispose());

  test("a new account is answered 202 without a session, and signing in then works", async () => {
    const res = await hidden.req("/api/auth/register", { method: "POST", json: { email: "Erin@Example.com", username: "erin", password: "0123456789" } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "verification-sent", email: "erin@example.com" });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await hidden.req("/api/auth/login", { method: "POST", json: { login: "erin", password: "0123456789" } })).status).toBe(200);
  }, 30_000);

  test("a taken email is answered exactly like a new one (202, same body, no cookie), and the account is unchanged", async () => {
    const { user, password } = await registerUser(hidden);
    const taken = await hidden.req("/api/auth/register", { method: "POST", json: { email: user.email.toUpperCase(), username: "squatter_a", password: "0123456789" } });
    const fresh = await hidden.req("/api/auth/register", { method: "POST", json: { email: "Brand_New@example.com", username: "squatter_b", password: "0123456789" } });
    expect([taken.status, fresh.status]).toEqual([202, 202]);
    expect(Object.keys(await taken.json())).toEqual(Object.keys(await fresh.json()));
    expect([taken.headers.getSetCookie(), fresh.headers.getSetCookie()]).toEqual([[], []]);
    expect((await hidden.req("/api/auth/login", { method: "POST", json: { login: user.email, password } })).status).toBe(200);
    expect((await hidden.req("/api/auth/login", { method: "POST", json: { login: "squatter_a", password: "0123456789" } })).status).toBe(401);
  }, 30_000);

  test("concurrent registrations of one address: both are answered 202, one account exists", async () => {
    const email = `race_${crypto.randomUUID().slice(0, 8)}@example.com`;
    const raced = await Promise.all(
      ["race_one", "race_two"].map((username) => hidden.req("/api/auth/register", { method: "POST", json: { email, username, password: "0123456789" } })),
    );
    expect(raced.map((r) => r.status)).toEqual([202, 202]);
    const signedIn = await Promise.all(["race_one", "race_two"].map((login) => hidden.req("/api/auth/login", { method: "POST", json: { login, password: "0123456789" } })));
    expect(signedIn.map((r) => r.status).sort()).toEqual([200, 401]);
  }, 30_000);

});

describe("login", () => {
  test("login works by email or by username, case-insensitively", async () => {
    const { user, password } = await registerUser(node);
    for (const login of [user.email.toUpperCase(), user.username]) {
      const jar = new CookieJar();
      const res = await node.req("/api/auth/login", { method: "POST", json: { login, password } }, jar);
      expect(res.status).toBe(200);
      expect((await me(jar)).status).toBe(200);
    }
  });

  test("an unknown user gets the same error as a wrong password", async () => {
    const { user } = await registerUser(node);
    const wrong = await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password: "not the password" } });
    const unknown = await node.req("/api/auth/login", { method: "POST", json: { login: "nobody_here", password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  test("an unknown user costs a password check like a wrong password: with one check at a time and one queued, a third concurrent sign-in of either kind is refused", async () => {
    const capped = await startNode({ HASH_CONCURRENCY: "1", HASH_QUEUE: "1" });
    try {
      const { user } = await registerUser(capped);
      const burst = async (logins: string[]) =>
        (await Promise.all(logins.map((login, i) => capped.req("/api/auth/login", { method: "POST", json: { login, password: "not the password" }, ip: `10.9.0.${i + 1}` })))).map((r) => r.status).sort();
      // The first unknown sign-in makes the hash it checks against; from then on it costs one check.
      await burst(["nobody_warm"]);
      expect(await burst([user.username, user.username, user.username])).toEqual([401, 401, 429]);
      expect(await burst(["nobody_1", "nobody_2", "nobody_3"])).toEqual([401, 401, 429]);
    } finally {
      await capped.dispose();
    }
  });

  test("a successful login resets the failure count", async () => {
    const { user, password } = await registerUser(node);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password: "wrong password" } });
      }
      expect((await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password } })).status).toBe(200);
    }
  }, 30_000);
});

describe("tokens", () => {
  test("a tampered access token is rejected", async () => {
    const { jar } = await registerUser(node);
    const token = jar.get("access_token")!;
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    payload.sub = "01900000-0000-7000-8000-000000000000";
    const forged = new CookieJar();
    forged.set("access_token", `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`);
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("UNAUTHORIZED");
  });

  test("an access token with alg none is rejected", async () => {
    const { jar } = await registerUser(node);
    const payload = JSON.parse(Buffer.from(jar.get("access_token")!.split(".")[1]!, "base64url").toString());
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const forged = new CookieJar();
    forged.set("access_token", `${header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`);
    expect((await me(forged)).status).toBe(401);
  });

  test("an access token signed with another key is rejected", async () => {
    const { jar } = await registerUser(node);
    const payload = JSON.parse(Buffer.from(jar.get("access_token")!.split(".")[1]!, "base64url").toString());
    const token = await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("x".repeat(48)));
    const forged = new CookieJar();
    forged.set("access_token", token);
    expect((await me(forged)).status).toBe(401);
  });

  test("an expired access token is refused with TOKEN_EXPIRED", async () => {
    let now = Date.now();
    const timed = await startNode({}, { clock: () => now });
    try {
      const { jar, user, password } = await registerUser(timed);
      expect((await timed.req("/api/users/me", {}, jar)).status).toBe(200);
      // jose checks exp against the real clock, so the token is minted 16 minutes in the past.
      now -= 16 * 60 * 1000;
      expect((await timed.req("/api/auth/login", { method: "POST", json: { login: user.username, password } }, jar)).status).toBe(200);
      const res = await timed.req("/api/users/me", {}, jar);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe("TOKEN_EXPIRED");
    } finally {
      await timed.dispose();
    }
  });

  test("an access token that verified before is refused with TOKEN_EXPIRED once it expires", async () => {
    const tokens = new TokenService("k".repeat(48), 1);
    const { token } = await tokens.signAccess({ userId: "u1", sessionId: "s1" });
    expect(await tokens.verifyAccess(token)).toMatchObject({ userId: "u1", sessionId: "s1" });
    // exp is whole seconds, one after issue: past it however the second boundaries fall.
    await Bun.sleep(1100);
    await expect(tokens.verifyAccess(token)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  test("refresh rotates both cookies and the new pair keeps working", async () => {
    const { jar } = await registerUser(node);
    const before = jar.get("refresh_token");
    const res = await node.req("/api/auth/refresh", { method: "POST" }, jar);
    expect(res.status).toBe(200);
    expect(jar.get("refresh_token")).not.toBe(before);
    expect((await me(jar)).status).toBe(200);
    expect((await node.req("/api/auth/refresh", { method: "POST" }, jar)).status).toBe(200);
  });

  test("a reused refresh token revokes the whole session family", async () => {
    const { jar } = await registerUser(node);
    const stolen = jar.get("refresh_token")!;
    expect((await node.req("/api/auth/refresh", { method: "POST" }, jar)).status).toBe(200);
    // Used once, so the node remembers the session as live (SessionCache) until the reuse ends it.
    expect((await me(jar)).status).toBe(200);
    const attacker = new CookieJar();
    attacker.set("refresh_token", stolen);
    const reuse = await node.req("/api/auth/refresh", { method: "POST" }, attacker);
    expect(reuse.status).toBe(401);
    expect(await errorCode(reuse)).toBe("TOKEN_REUSED");
    // The legitimate holder's access token and newest refresh token are dead too.
    expect((await me(jar)).status).toBe(401);
    expect((await node.req("/api/auth/refresh", { method: "POST" }, jar)).status).toBe(401);
  });

  test("an unknown refresh token is UNAUTHORIZED and revokes nothing", async () => {
    const { jar } = await registerUser(node);
    const junk = new CookieJar();
    junk.set("refresh_token", "not-a-token");
    const res = await node.req("/api/auth/refresh", { method: "POST" }, junk);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("UNAUTHORIZED");
    expect((await me(jar)).status).toBe(200);
  });
});

describe("sessions", () => {
  test("logout ends this session only", async () => {
    const { jar, user, password } = await registerUser(node);
    const other = new CookieJar();
    await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password } }, other);
    const out = await node.req("/api/auth/logout", { method: "POST" }, jar);
    expect(out.status).toBe(204);
    expect(jar.size).toBe(0);
    expect((await me(other)).status).toBe(200);
  });

  test("a logged-out access token no longer works even before it expires, though the node had just seen it live", async () => {
    const { jar } = await registerUser(node);
    const kept = new CookieJar();
    kept.set("access_token", jar.get("access_token")!);
    expect((await me(kept)).status).toBe(200);
    await node.req("/api/auth/logout", { method: "POST" }, jar);
    expect((await me(kept)).status).toBe(401);
  });

  test("logout-all ends every session of the user", async () => {
    const { jar, user, password } = await registerUser(node);
    const other = new CookieJar();
    await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password } }, other);
    expect((await me(other)).status).toBe(200);
    expect((await node.req("/api/auth/logout-all", { method: "POST" }, jar)).status).toBe(204);
    expect((await me(other)).status).toBe(401);
    expect((await node.req("/api/auth/refresh", { method: "POST" }, other)).status).toBe(401);
  });

  test("sessions are listed with device and the current one marked, and another can be revoked", async () => {
    const { jar, user, password } = await registerUser(node);
    const phone = new CookieJar();
    await node.req("/api/auth/login", { method: "POST", json: { login: user.username, password }, headers: { "user-agent": "ParleyPhone/1.0" } }, phone);
    const res = await node.req("/api/auth/sessions", {}, jar);
    const { sessions } = (await res.json()) as { sessions: Array<{ id: string; userAgent: string; current: boolean }> };
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const phoneSession = sessions.find((s) => s.userAgent === "ParleyPhone/1.0")!;
    expect(phoneSession.current).toBe(false);
    expect((await me(phone)).status).toBe(200);
    expect((await node.req(`/api/auth/sessions/${phoneSession.id}`, { method: "DELETE" }, jar)).status).toBe(204);
    expect((await me(phone)).status).toBe(401);
    expect((await me(jar)).status).toBe(200);
  });

  test("a user cannot revoke another user's session", async () => {
    const a = await registerUser(node);
    const b = await registerUser(node);
    const { sessions } = (await (await node.req("/api/auth/sessions", {}, b.jar)).json()) as { sessions: Array<{ id: string }> };
    const res = await node.req(`/api/auth/sessions/${sessions[0]!.id}`, { method: "DELETE" }, a.jar);
    expect(res.status).toBe(404);
    expect((await me(b.jar)).status).toBe(200);
  });
});

describe("rate limits", () => {
  test("auth routes are rate limited per IP with 429 and Retry-After", async () => {
    const limited = await startNode({ AUTH_RATE_LIMIT: "3", AUTH_RATE_WINDOW_SECONDS: "60" });
    try {
      const attempt = (ip: string) => limited.req("/api/auth/login", { method: "POST", json: { login: "x_user", password: "whatever1234" }, ip });
      for (let i = 0; i < 3; i++) expect((await attempt("10.1.1.1")).status).toBe(401);
      const blocked = await attempt("10.1.1.1");
      expect(blocked.status).toBe(429);
      expect(await errorCode(blocked)).toBe("RATE_LIMITED");
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await attempt("10.1.1.2")).status).toBe(401);
    } finally {
      await limited.dispose();
    }
  });

  test("password hashing is capped: excess concurrent registrations are refused, not queued forever", async () => {
    const capped = await startNode({ HASH_CONCURRENCY: "1", HASH_QUEUE: "2" });
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          capped.req("/api/auth/register", { method: "POST", json: { email: `cap${i}@example.com`, username: `cap_${i}`, password: "0123456789" } }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201).length).toBe(3);
      expect(statuses.filter((s) => s === 429).length).toBe(5);
    } finally {
      await capped.dispose();
    }
  });
});
