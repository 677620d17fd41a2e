/** The signed-in user's account as a whole (mounted at /api/account): its deletion, and exports of its data. */
import { Hono } from "hono";
import { DeleteAccountBody, type AccountSettings, type DeletionScheduled } from "../../../shared/protocol";
import type { AccountDeletionService } from "../../auth/deletion";
import type { ExportService } from "../../account/export";
import type { WindowLimiter } from "../../auth/limiter";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import { clientOf, parseJson, requireActor, type Env } from "../context";
import { clearSessionCookies } from "./auth";

export interface AccountRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  accountDeletion: AccountDeletionService;
  accountExport: ExportService;
  ipLimiter: WindowLimiter;
}

export function accountRoutes({ config, auth, accountDeletion, accountExport, ipLimiter }: AccountRouteDeps) {
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

  r.post("/export", async (c) => c.json({ export: await accountExport.request(await requireActor(c, auth)) }, 202));

  r.get("/export", async (c) => c.json({ export: await accountExport.current(await requireActor(c, auth)) }));

  r.get("/export/:id/download", async (c) => {
    const { file, row } = await accountExport.download(await requireActor(c, auth), c.req.param("id"));
    const name = `parley-export-${row.created_at.slice(0, 10)}.zip`;
    return new Response(file.body(), {
      headers: {
        "Content-Type": "application/zip",
        "Content-Length": String(file.size),
        "Content-Disposition": `attachment; filename="${name}"`,
        "Cache-Control": "private, no-store",
      },
    });
  });

  return r;
}
