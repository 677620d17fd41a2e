import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { LoginBody, RegisterBody, type AuthProviders, type SessionInfo } from "../../../shared/protocol";
import type { AuthService, IssuedTokens } from "../../auth/service";
import type { AccountMailService } from "../../auth/account-mail";
import type { RegisterResult } from "../../../shared/account-mail";
import type { WindowLimiter } from "../../auth/limiter";
import type { Config } from "../../config";
import { toMe } from "../../social/users";
import { AppError } from "../../../shared/errors";
import { TAKEN } from "../../store/accounts";
import { clientOf, parseJson, parseWith, requireActor, type Ctx, type Env } from "../context";
import { totpRequired } from "./totp";
import type { AuditLog } from "../../audit/audit-log";
import { SecurityEventsQuery } from "../../../shared/audit";

export interface AuthRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  accountMail: AccountMailService;
  ipLimiter: WindowLimiter;
  audit: AuditLog;
}

/** Refresh cookies are only ever sent to the auth routes. */
const REFRESH_PATH = "/api/auth";

export function setSessionCookies(c: Ctx, config: Readonly<Config>, t: IssuedTokens): void {
  const base = { httpOnly: true, sameSite: "Lax", secure: config.secureCookies } as const;
  setCookie(c, "access_token", t.accessToken, { ...base, path: "/", maxAge: config.accessTtlSeconds });
  setCookie(c, "refresh_token", t.refreshToken, { ...base, path: REFRESH_PATH, maxAge: config.refreshTtlSeconds });
}

export function clearSessionCookies(c: Ctx, config: Readonly<Config>): void {
  deleteCookie(c, "access_token", { path: "/", secure: config.secureCookies });
  deleteCookie(c, "refresh_token", { path: REFRESH_PATH, secure: config.secureCookies });
}

export function authRoutes({ config, auth, accountMail, ipLimiter, audit }: AuthRouteDeps) {
  const r = new Hono<Env>();
  const limited = (c: Ctx, bucket = "") => ipLimiter.hit(bucket + clientOf(c, config.trustProxy).ip);

  r.get("/providers", (c) => {
    const body: AuthProviders = { password: true, oidc: config.oidc.map((p) => ({ id: p.id, name: p.name })) };
    return c.json(body);
  });

  r.post("/register", async (c) => {
    limited(c);
    const input = await parseJson(c, RegisterBody);
    const result = await auth.register(input);
    if ("created" in result) accountMail.registered(result.created);
    else accountMail.registeredAgain(result.taken);
    if (config.mail.hideRegisteredEmails) {
      // One answer for a new and a registered address; the mail tells its reader which it was.
      const body: RegisterResult = { status: "verification-sent", email: input.email };
      return c.json(body, 202);
    }
    // The contract's default: a new account is signed in at once, so a taken address is said.
    if ("taken" in result) throw new AppError("CONFLICT", TAKEN.email, { field: "email" });
    const tokens = await auth.startSession(result.created.id, clientOf(c, config.trustProxy));
    setSessionCookies(c, config, tokens);
    return c.json({ user: toMe(result.created), accessExpiresAt: tokens.accessExpiresAt }, 201);
  });

  r.post("/login", async (c) => {
    limited(c);
    const input = await parseJson(c, LoginBody);
    const { user, recentFailures, ...tokens } = await auth.login(input, clientOf(c, config.trustProxy));
    if (tokens.kind === "totp") return totpRequired(c, config, tokens, recentFailures);
    setSessionCookies(c, config, tokens);
    return c.json({ user: toMe(user), accessExpiresAt: tokens.accessExpiresAt, recentFailures });
  });

  r.post("/refresh", async (c) => {
    // Every open tab refreshes on a timer: refreshes get their own budget so they never
    // starve logins from the same address (many users behind one NAT).
    limited(c, "refresh:");
    try {
      const tokens = await auth.refresh(getCookie(c, "refresh_token"), clientOf(c, config.trustProxy));
      setSessionCookies(c, config, tokens);
      return c.json({ ok: true, accessExpiresAt: tokens.accessExpiresAt });
    } catch (err) {
      clearSessionCookies(c, config);
      throw err;
    }
  });

  r.post("/logout", async (c) => {
    const actor = await auth.authenticate(getCookie(c, "access_token")).catch(() => null);
    if (actor) await auth.logout(actor);
    clearSessionCookies(c, config);
    return c.body(null, 204);
  });

  r.post("/logout-all", async (c) => {
    await auth.logoutAll(await requireActor(c, auth), clientOf(c, config.trustProxy));
    clearSessionCookies(c, config);
    return c.body(null, 204);
  });

  r.get("/sessions", async (c) => {
    const rows = await auth.sessions(await requireActor(c, auth));
    const sessions: SessionInfo[] = rows.map((s) => ({
      id: s.id,
      userAgent: s.user_agent,
      ip: s.ip,
      createdAt: s.created_at,
      lastUsedAt: s.last_used_at,
      current: s.current,
    }));
    return c.json({ sessions });
  });

  r.get("/security-events", async (c) => {
    const { userId } = await requireActor(c, auth);
    const q = parseWith(SecurityEventsQuery, c.req.query());
    return c.json(await audit.page({ targetId: userId }, q.cursor, q.limit));
  });

  r.delete("/sessions/:id", async (c) => {
    await auth.revokeSession(await requireActor(c, auth), c.req.param("id"), clientOf(c, config.trustProxy));
    return c.body(null, 204);
  });

  return r;
}
