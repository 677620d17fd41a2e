/** The signed-in user's account as a whole (mounted at /api/account): scheduling and cancelling its deletion. */
import { Hono } from "hono";
import { DeleteAccountBody, type AccountSettings, type DeletionScheduled } from "../../../shared/protocol";
import type { AccountDeletionService } from "../../auth/deletion";
import type { WindowLimiter } from "../../auth/limiter";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import { clientOf, parseJson, requireActor, type Env } from "../context";
import { clearSessionCookies } from "./auth";

export interface AccountRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  accountDeletion: AccountDeletionService;
  ipLimiter: WindowLimiter;
}

export function accountRoutes({ config, auth, accountDeletion, ipLimiter }: AccountRouteDeps) {
  const r = new Hono<Env>();

  r.get("/", async (c) => {
    await requireActor(c, auth);
    const body: AccountSettings = { deletionGraceHours: config.accounts.deletionGraceHours };
    return c.json(body);
  });

  r.post("/deletion", async (c) => {
    const actor = await requireActor(c, auth);
    // A password is checked here, so guessing is held to the sign-in budget.
    ipLimiter.hit(clientOf(c, config.trustProxy).ip);
    const body: DeletionScheduled = await accountDeletion.schedule(actor, await parseJson(c, DeleteAccountBody), clientOf(c, config.trustProxy));
    clearSessionCookies(c, config);
    return c.json(body, 202);
  });

  r.delete("/deletion", async (c) => {
    await accountDeletion.cancel(await requireActor(c, auth), clientOf(c, config.trustProxy));
    return c.body(null, 204);
  });

  return r;
}
