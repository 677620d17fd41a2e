/**
 * Account mail routes (mounted at /api): following mailed links, asking for them, changing the
 * email, and the instance admin's outbox. The link routes need no session: a link may be
 * opened in another browser than the one that asked for it.
 */
import { Hono } from "hono";
import { ChangeEmailBody, PasswordResetBody, PasswordResetRequestBody, VerifyEmailBody, type OutboxResult } from "../../../shared/account-mail";
import { AppError } from "../../../shared/errors";
import type { AccountMailService } from "../../auth/account-mail";
import type { WindowLimiter } from "../../auth/limiter";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import type { Mailer } from "../../mail/mailer";
import type { Store } from "../../store/store";
import { clientOf, parseJson, requireActor, type Ctx, type Env } from "../context";

export interface AccountMailRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  accountMail: AccountMailService;
  mailer: Mailer;
  store: Store;
  ipLimiter: WindowLimiter;
}

/** The caller, if they administer the instance; FORBIDDEN for anyone else signed in. */
export async function requireInstanceAdmin(c: Ctx, auth: AuthService, store: Store) {
  const actor = await requireActor(c, auth);
  const user = await store.accounts.userById(actor.userId);
  if (!user || Number(user.instance_admin) !== 1) throw new AppError("FORBIDDEN", "Only the instance's admins may see this");
  return actor;
}

export function accountMailRoutes({ config, auth, accountMail, mailer, store, ipLimiter }: AccountMailRouteDeps) {
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
    await accountMail.resetPassword(token, password);
    return c.body(null, 204);
  });

  r.post("/users/me/email", async (c) => {
    const actor = await requireActor(c, auth);
    const { email, password } = await parseJson(c, ChangeEmailBody);
    await accountMail.requestEmailChange(actor, email, password);
    return c.body(null, 202);
  });

  r.get("/admin/outbox", async (c) => {
    await requireInstanceAdmin(c, auth, store);
    const rows = mailer.kind === "outbox" ? await store.mail.outbox(100) : [];
    const body: OutboxResult = {
      transport: mailer.kind,
      messages: rows.map((m) => ({ id: m.id, to: m.to_address, subject: m.subject, text: m.text, createdAt: m.created_at })),
    };
    return c.json(body);
  });

  return r;
}
