/** Two-factor sign-in: the signed-in user's enrolment, and the second step of a sign-in. */
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "../../../shared/errors";
import { TotpChangeBody, TotpCodeBody, TotpEnrolBody, type SessionResult, type TotpRequiredDetails } from "../../../shared/protocol";
import type { WindowLimiter } from "../../auth/limiter";
import type { AuthService, RecentFailures } from "../../auth/service";
import type { PendingSignIn, TotpService } from "../../auth/totp";
import type { Config } from "../../config";
import { toMe } from "../../social/users";
import { clientOf, parseJson, requireActor, type Ctx, type Env } from "../context";
import { setSessionCookies } from "./auth";

/** The pending sign-in rides in an HttpOnly cookie sent only to these routes, after a password or an OIDC callback alike. */
const PENDING_COOKIE = "totp_pending";
const PENDING_PATH = "/api/auth/totp";

export function setPendingSignIn(c: Ctx, config: Readonly<Config>, p: PendingSignIn): void {
  const maxAge = Math.max(1, Math.floor((Date.parse(p.expiresAt) - Date.now()) / 1000));
  setCookie(c, PENDING_COOKIE, p.pendingToken, { httpOnly: true, sameSite: "Lax", secure: config.secureCookies, path: PENDING_PATH, maxAge });
}

/** The first factor was right: 401 TOTP_REQUIRED, with the pending sign-in's cookie. */
export function totpRequired(c: Ctx, config: Readonly<Config>, p: PendingSignIn, recentFailures: RecentFailures | null): Response {
  setPendingSignIn(c, config, p);
  const details: TotpRequiredDetails = { expiresAt: p.expiresAt, recentFailures };
  const err = new AppError("TOTP_REQUIRED", "Enter the code from your authenticator app", details);
  return c.json({ error: err.toBody() }, 401);
}

export function totpRoutes({ config, auth, totp, ipLimiter }: { config: Readonly<Config>; auth: AuthService; totp: TotpService; ipLimiter: WindowLimiter }) {
  const r = new Hono<Env>();

  r.get("/", async (c) => c.json(await totp.status((await requireActor(c, auth)).userId)));

  // These take the password, so guessing it is held to the sign-in budget.
  r.post("/enrol", async (c) => {
    const actor = await requireActor(c, auth);
    ipLimiter.hit(clientOf(c, config.trustProxy).ip);
    const { password } = await parseJson(c, TotpEnrolBody);
    return c.json(await totp.enrol(actor, password));
  });

  r.post("/confirm", async (c) => {
    const { userId } = await requireActor(c, auth);
    const { code } = await parseJson(c, TotpCodeBody);
    return c.json(await totp.confirm(userId, code, clientOf(c, config.trustProxy)));
  });

  r.post("/disable", async (c) => {
    const { userId } = await requireActor(c, auth);
    ipLimiter.hit(clientOf(c, config.trustProxy).ip);
    await totp.disable(userId, await parseJson(c, TotpChangeBody), clientOf(c, config.trustProxy));
    return c.body(null, 204);
  });

  r.post("/recovery-codes", async (c) => {
    const { userId } = await requireActor(c, auth);
    ipLimiter.hit(clientOf(c, config.trustProxy).ip);
    return c.json(await totp.newRecoveryCodes(userId, await parseJson(c, TotpChangeBody), clientOf(c, config.trustProxy)));
  });

  r.post("/verify", async (c) => {
    ipLimiter.hit(clientOf(c, config.trustProxy).ip);
    const { code } = await parseJson(c, TotpCodeBody);
    try {
      const { user, recoveryCodesLeft, ...tokens } = await auth.completeSignIn(getCookie(c, PENDING_COOKIE), code, clientOf(c, config.trustProxy));
      deleteCookie(c, PENDING_COOKIE, { path: PENDING_PATH, secure: config.secureCookies });
      setSessionCookies(c, config, tokens);
      const body: SessionResult = { user: toMe(user), accessExpiresAt: tokens.accessExpiresAt, ...(recoveryCodesLeft === undefined ? {} : { recoveryCodesLeft }) };
      return c.json(body);
    } catch (err) {
      if (err instanceof AppError && err.code === "UNAUTHORIZED") deleteCookie(c, PENDING_COOKIE, { path: PENDING_PATH, secure: config.secureCookies });
      throw err;
    }
  });

  return r;
}
