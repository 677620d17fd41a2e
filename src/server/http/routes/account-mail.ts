/**
 * Account mail routes (mounted at /api): following mailed links, asking for them, changing the
 * email (the instance admin's outbox is in admin.ts). The link routes need no session: a link may be
 * opened in another browser than the one that asked for it.
 */
import { Hono } from "hono";
import { ChangeEmailBody, PasswordResetBody, PasswordResetRequestBody, VerifyEmailBody } from "../../../shared/account-mail";
import type { AccountMailService } from "../../auth/account-mail";
import type { WindowLimiter } from "../../auth/limiter";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import { clientOf, parseJson, requireActor, type Ctx, type Env } from "../context";

export interface AccountMailRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  accountMail: AccountMailService;
  ipLimiter: WindowLimiter;
}

export function accountMailRoutes({ config, auth, accountMail, ipLimiter }: AccountMailRouteDeps) {
  const r = new Hono<Env>();
  const ip = (c: Ctx) => clientOf(c, config.trustProxy).ip;

  r.post("/auth/verify-email", async (c) => {
    ipLimiter.hit(ip(c));
    const { token } = await parseJson(c, VerifyEmailBody);
    return c.json({ user: await accountMail.verifyEmail(token) });
  });

  r.post("/auth/verify-email/resend", async (c) => {
    await accountMail.resendVerification(await requireActor(c, auth));
    return c.body(null, 202);
  });

  r.post("/auth/password-reset", async (c) => {
    ipLimiter.hit(ip(c));
    const { email } = await parseJson(c, PasswordResetRequestBody);
    await accountMail.requestPasswordReset(email, ip(c));
    return c.body(null, 202);
  });

  r.post("/auth/password-reset/confirm", async (c) => {
    ipLimiter.hit(ip(c));
    const { token, password } = await parseJson(c, PasswordResetBody);
    await accountMail.resetPassword(token, password, clientOf(c, config.trustProxy));
    return c.body(null, 204);
  });

  r.post("/users/me/email", async (c) => {
    const actor = await requireActor(c, auth);
    const { email, password } = await parseJson(c, ChangeEmailBody);
    await accountMail.requestEmailChange(actor, email, password, clientOf(c, config.trustProxy));
    return c.body(null, 202);
  });

  return r;
}
