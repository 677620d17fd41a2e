/**
 * Two-factor sign-in with TOTP, in-process: enrolment, the second step of a login, clock skew,
 * replays, recovery codes, turning it off, and the limits on wrong codes. The node's clock is
 * held still (and moved by the tests) so every code falls where the test means it to.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import type { KyselyStore } from "../src/server/store/store";
import { RECENT_SIGN_IN_SECONDS } from "../src/shared/protocol";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";

// Each test signs in several times; argon2id on a busy 2-core machine can take most of the 5 s default.
setDefaultTimeout(30_000);

const STEP = 30_000;
let node: TestNode;
/** The node's clock: a few seconds into a time step. */
let now = Math.floor(Date.now() / STEP) * STEP + 5_000;

beforeAll(async () => {
  node = await startNode({}, { clock: () => now });
});
afterAll(() => node.dispose());

const codeAt = (secret: string, stepsFromNow = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now + stepsFromNow * STEP });
/** Moves the clock to a later time step, so the next code is a fresh one. */
const nextStep = () => void (now += STEP);
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; details?: Record<string, unknown> } }).error;
const post = (path: string, json: unknown, jar?: CookieJar) => node.req(path, { method: "POST", json }, jar);

/** A fresh account with two-factor on: its secret, recovery codes and credentials. */
async function enrolled() {
  const account = await registerUser(node);
  const enrol = await post("/api/auth/totp/enrol", { password: account.password }, account.jar);
  expect(enrol.status).toBe(200);
  const { secret } = (await enrol.json()) as { secret: string };
  const confirm = await post("/api/auth/totp/confirm", { code: codeAt(secret) }, account.jar);
  expect(confirm.status).toBe(200);
  const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
  nextStep();
  return { ...account, secret, recoveryCodes };
}

/** The password step; answers the jar holding the pending sign-in. */
async function passwordStep(a: { user: { username: string }; password: string }) {
  const jar = new CookieJar();
  const res = await post("/api/auth/login", { login: a.user.username, password: a.password }, jar);
  expect(res.status).toBe(401);
  expect((await errorOf(res)).code).toBe("TOTP_REQUIRED");
  return jar;
}

const verify = (jar: CookieJar, code: string) => post("/api/auth/totp/verify", { code }, jar);
const status = async (jar: CookieJar) => (await (await node.req("/api/auth/totp", {}, jar)).json()) as { enabled: boolean; recoveryCodesLeft: number | null };

describe("enrolment", () => {
  test("enrolment gives a secret, an otpauth URI and a QR code, and turns two-factor on only with a right code", async () => {
    const { jar, user, password } = await registerUser(node);
    const res = await post("/api/auth/totp/enrol", { password }, jar);
    const body = (await res.json()) as { secret: string; otpauthUrl: string; qrCode: string };
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(body.otpauthUrl);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(body.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(user.username);
    expect(body.qrCode).toStartWith("data:image/svg+xml;base64,");
    expect(Buffer.from(body.qrCode.split(",")[1]!, "base64").toString()).toContain("<svg");

    const wrong = await post("/api/auth/totp/confirm", { code: codeAt(body.secret, 5) }, jar);
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).code).toBe("TOTP_INVALID");
    expect(await status(jar)).toEqual({ enabled: false, recoveryCodesLeft: null });
    // Not confirmed: the password alone still signs in.
    expect((await post("/api/auth/login", { login: user.username, password })).status).toBe(200);

    const confirm = await post("/api/auth/totp/confirm", { code: codeAt(body.secret) }, jar);
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await status(jar)).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect((await post("/api/auth/totp/enrol", { password }, jar)).status).toBe(409);
    nextStep();
  });

  test("the secret is stored sealed and the recovery codes only as keyed hashes", async () => {
    const { user, secret, recoveryCodes } = await enrolled();
    const factor = await node.store.totp.factor(user.id);
    expect(factor?.secret).toStartWith("v1.");
    expect(factor?.secret).not.toContain(secret);
    const rows = await (node.store as KyselyStore).db.selectFrom("totp_recovery_codes").selectAll().where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(10);
    const stored = rows.map((r) => r.hash).join(" ");
    for (const c of recoveryCodes) expect(stored).not.toContain(c.replace(/-/g, ""));
  });

  test("the enrolment and settings routes need a session", async () => {
    for (const [method, path] of [["GET", "/api/auth/totp"], ["POST", "/api/auth/totp/enrol"], ["POST", "/api/auth/totp/confirm"], ["POST", "/api/auth/totp/disable"], ["POST", "/api/auth/totp/recovery-codes"]] as const) {
      const res = await node.req(path, { method, ...(method === "POST" ? { json: { code: "123456" } } : {}) });
      expect(res.status).toBe(401);
    }
  });
});

describe("a stolen session cannot change two-factor: the password is asked again", () => {
  test("setting up needs the current password; without it no secret is made", async () => {
    const { jar, user, password } = await registerUser(node);
    for (const body of [{}, { password: "not the password" }]) {
      const res = await post("/api/auth/totp/enrol", body, jar);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe("INVALID_CREDENTIALS");
    }
    expect(await node.store.totp.factor(user.id)).toBeUndefined();
    // The refusal is about the password, not the session: it still works.
    expect((await node.req("/api/users/me", {}, jar)).status).toBe(200);
    expect((await post("/api/auth/totp/enrol", { password }, jar)).status).toBe(200);
  });

  test("turning it off and new recovery codes need the password as well as a code; a refused password spends no code", async () => {
    const a = await enrolled();
    const code = codeAt(a.secret);
    for (const path of ["/api/auth/totp/disable", "/api/auth/totp/recovery-codes"]) {
      for (const body of [{ code }, { code, password: "not the password" }, { code: a.recoveryCodes[0], password: "wrong again" }]) {
        const res = await post(path, body, a.jar);
        expect(res.status).toBe(401);
        expect((await errorOf(res)).code).toBe("INVALID_CREDENTIALS");
      }
    }
    expect(await status(a.jar)).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    // The same code and recovery code still work once the password comes with them.
    expect((await post("/api/auth/totp/recovery-codes", { code: a.recoveryCodes[0], password: a.password }, a.jar)).status).toBe(200);
    expect((await post("/api/auth/totp/disable", { code, password: a.password }, a.jar)).status).toBe(204);
  });

  test("an account without a password sets up only from a recent sign-in, and changes it with a code alone", async () => {
    const { jar, user } = await registerUser(node);
    // As after an OIDC provider claimed the address: single sign-on only.
    await (node.store as KyselyStore).db.updateTable("users").set({ password_hash: null }).where("id", "=", user.id).execute();
    now += (RECENT_SIGN_IN_SECONDS + 1) * 1000;
    const stale = await post("/api/auth/totp/enrol", {}, jar);
    expect(stale.status).toBe(403);
    expect((await errorOf(stale)).code).toBe("REAUTH_REQUIRED");
    expect(await node.store.totp.factor(user.id)).toBeUndefined();

    const fresh = new CookieJar();
    const tokens = await node.auth.startSession(user.id, { ip: "10.0.0.1", userAgent: "test" });
    fresh.set("access_token", tokens.accessToken);
    fresh.set("refresh_token", tokens.refreshToken);
    const enrol = await post("/api/auth/totp/enrol", {}, fresh);
    expect(enrol.status).toBe(200);
    const { secret } = (await enrol.json()) as { secret: string };
    expect((await post("/api/auth/totp/confirm", { code: codeAt(secret) }, fresh)).status).toBe(200);
    nextStep();
    // The old session may still make changes: the code is the proof there.
    expect((await post("/api/auth/totp/disable", { code: "000000" }, jar)).status).toBe(403);
    expect((await post("/api/auth/totp/disable", { code: codeAt(secret) }, jar)).status).toBe(204);
  });
});

describe("signing in with two-factor on", () => {
  test("the password alone gives no session: login answers TOTP_REQUIRED, and the code completes it", async () => {
    const a = await enrolled();
    const jar = new CookieJar();
    const res = await post("/api/auth/login", { login: a.user.email, password: a.password }, jar);
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error.code).toBe("TOTP_REQUIRED");
    expect(Date.parse(error.details!.expiresAt as string)).toBe(now + 300_000);
    const cookies = res.headers.getSetCookie();
    expect(cookies.some((c) => /^(access|refresh)_token=/.test(c))).toBe(false);
    const pending = cookies.find((c) => c.startsWith("totp_pending="))!;
    expect(pending).toContain("HttpOnly");
    expect(pending).toContain("Path=/api/auth/totp");
    expect((await node.req("/api/users/me", {}, jar)).status).toBe(401);

    const done = await verify(jar, codeAt(a.secret));
    expect(done.status).toBe(200);
    expect(((await done.json()) as { user: { id: string } }).user.id).toBe(a.user.id);
    expect(jar.get("totp_pending")).toBeUndefined();
    expect((await node.req("/api/users/me", {}, jar)).status).toBe(200);
    // The pending sign-in is spent.
    jar.set("totp_pending", pending.split(";")[0]!.slice("totp_pending=".length));
    nextStep();
    expect((await errorOf(await verify(jar, codeAt(a.secret)))).code).toBe("UNAUTHORIZED");
  });

  test("a code one time step off either way is accepted; two steps off is refused", async () => {
    const a = await enrolled();
    // Two steps back must still be after the confirming step, so only the window refuses it.
    nextStep();
    nextStep();
    expect((await errorOf(await verify(await passwordStep(a), codeAt(a.secret, -2)))).code).toBe("TOTP_INVALID");
    expect((await errorOf(await verify(await passwordStep(a), codeAt(a.secret, 2)))).code).toBe("TOTP_INVALID");
    expect((await verify(await passwordStep(a), codeAt(a.secret, -1))).status).toBe(200);
    expect((await verify(await passwordStep(a), codeAt(a.secret, 1))).status).toBe(200);
  });

  test("a code already used is refused within its window (replay), and so is an older one", async () => {
    const a = await enrolled();
    const code = codeAt(a.secret);
    expect((await verify(await passwordStep(a), code)).status).toBe(200);
    const replay = await verify(await passwordStep(a), code);
    expect(replay.status).toBe(403);
    expect(await errorOf(replay)).toMatchObject({ code: "TOTP_INVALID", details: { attemptsLeft: 2 } });
    expect((await errorOf(await verify(await passwordStep(a), codeAt(a.secret, -1)))).code).toBe("TOTP_INVALID");
    nextStep();
    expect((await verify(await passwordStep(a), codeAt(a.secret))).status).toBe(200);
  });

  test("a recovery code signs in once, in any case and with or without dashes; the second use is refused", async () => {
    const a = await enrolled();
    const typed = a.recoveryCodes[3]!.toUpperCase().replace(/-/g, " ");
    const res = await verify(await passwordStep(a), typed);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { recoveryCodesLeft: number }).recoveryCodesLeft).toBe(9);
    expect((await errorOf(await verify(await passwordStep(a), a.recoveryCodes[3]!))).code).toBe("TOTP_INVALID");
    expect((await status(a.jar)).recoveryCodesLeft).toBe(9);
  });

  test("a pending sign-in takes three wrong codes, then not even the right one", async () => {
    const a = await enrolled();
    const jar = await passwordStep(a);
    const left = [];
    for (let i = 0; i < 3; i++) left.push((await errorOf(await verify(jar, "000000"))).details?.attemptsLeft);
    expect(left).toEqual([2, 1, 0]);
    const res = await verify(jar, codeAt(a.secret));
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
  });

  test("a pending sign-in expires after five minutes", async () => {
    const a = await enrolled();
    const jar = await passwordStep(a);
    now += 300_000;
    expect((await errorOf(await verify(jar, codeAt(a.secret)))).code).toBe("UNAUTHORIZED");
  });

  test("wrong codes past LOCKOUT_THRESHOLD make the account wait, whatever pending sign-in they come through", async () => {
    const a = await enrolled();
    const first = await passwordStep(a);
    for (let i = 0; i < 3; i++) await verify(first, "000000");
    const second = await passwordStep(a);
    expect((await verify(second, "000000")).status).toBe(403);
    const fifth = await verify(second, "000000");
    expect(fifth.status).toBe(429);
    expect((await errorOf(fifth)).code).toBe("RATE_LIMITED");
    expect(fifth.headers.get("retry-after")).toBe("30");
    // Even the right code waits, and so does turning two-factor off.
    expect((await verify(await passwordStep(a), codeAt(a.secret))).status).toBe(429);
    expect((await post("/api/auth/totp/disable", { code: codeAt(a.secret), password: a.password }, a.jar)).status).toBe(429);
    now += 31_000;
    expect((await verify(await passwordStep(a), codeAt(a.secret))).status).toBe(200);
  });
});

describe("turning two-factor off and new recovery codes", () => {
  test("turning two-factor off needs a right code; then the password alone signs in again", async () => {
    const a = await enrolled();
    const wrong = await post("/api/auth/totp/disable", { code: "123456", password: a.password }, a.jar);
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).code).toBe("TOTP_INVALID");
    expect((await status(a.jar)).enabled).toBe(true);
    expect((await post("/api/auth/totp/disable", { code: codeAt(a.secret), password: a.password }, a.jar)).status).toBe(204);
    expect(await status(a.jar)).toEqual({ enabled: false, recoveryCodesLeft: null });
    expect((await post("/api/auth/login", { login: a.user.username, password: a.password })).status).toBe(200);
    expect((await post("/api/auth/totp/disable", { code: codeAt(a.secret), password: a.password }, a.jar)).status).toBe(404);
  });

  test("a recovery code also turns two-factor off", async () => {
    const a = await enrolled();
    expect((await post("/api/auth/totp/disable", { code: a.recoveryCodes[0], password: a.password }, a.jar)).status).toBe(204);
    expect((await status(a.jar)).enabled).toBe(false);
  });

  test("new recovery codes need a code and void the old ones", async () => {
    const a = await enrolled();
    const res = await post("/api/auth/totp/recovery-codes", { code: codeAt(a.secret), password: a.password }, a.jar);
    expect(res.status).toBe(200);
    const { recoveryCodes } = (await res.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect((await errorOf(await verify(await passwordStep(a), a.recoveryCodes[0]!))).code).toBe("TOTP_INVALID");
    expect((await verify(await passwordStep(a), recoveryCodes[0]!)).status).toBe(200);
  });
});
