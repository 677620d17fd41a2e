/** The instance admin's console (/api/admin/*): every route answers 403 ADMIN_REQUIRED to anyone else signed in. */
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { AuditQuery } from "../../../shared/audit";
import type { AdminService } from "../../admin/service";
import { csvLine, CSV_HEADER } from "../../audit/audit-log";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import { clientOf, parseWith, requireActor, type Env } from "../context";

export function adminRoutes({ config, auth, admin }: { config: Readonly<Config>; auth: AuthService; admin: AdminService }) {
  const r = new Hono<Env>();

  r.get("/outbox", async (c) => c.json(await admin.outbox(await requireActor(c, auth))));

  r.get("/audit", async (c) => c.json(await admin.auditPage(await requireActor(c, auth), parseWith(AuditQuery, c.req.query()))));

  r.get("/audit/export", async (c) => {
    const q = parseWith(AuditQuery, c.req.query());
    const events = await admin.auditExport(await requireActor(c, auth), q, clientOf(c, config.trustProxy));
    const day = new Date().toISOString().slice(0, 10);
    c.header("Content-Type", q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
    c.header("Content-Disposition", `attachment; filename="parley-audit-${day}.${q.format === "csv" ? "csv" : "ndjson"}"`);
    return stream(c, async (s) => {
      if (q.format === "csv") await s.write(CSV_HEADER);
      for await (const e of events) await s.write(q.format === "csv" ? csvLine(e) : JSON.stringify(e) + "\n");
    });
  });

  return r;
}
