/** The instance admin's console (/api/admin/*): every route answers 403 ADMIN_REQUIRED to anyone else signed in. */
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { AuditQuery } from "../../../shared/audit";
import { AdminPageQuery, AdminReportsQuery, AdminUsersQuery, ReportMessageBody } from "../../../shared/admin";
import type { ReportService } from "../../admin/reports";
import type { AdminService } from "../../admin/service";
import { csvLine, CSV_HEADER } from "../../audit/audit-log";
import type { AuthService } from "../../auth/service";
import type { Config } from "../../config";
import { clientOf, parseJson, parseWith, requireActor, type Env } from "../context";

export function adminRoutes({ config, auth, admin }: { config: Readonly<Config>; auth: AuthService; admin: AdminService }) {
  const r = new Hono<Env>();
  const client = (c: Parameters<typeof clientOf>[0]) => clientOf(c, config.trustProxy);

  r.get("/users", async (c) => c.json(await admin.users(await requireActor(c, auth), parseWith(AdminUsersQuery, c.req.query()))));
  r.post("/users/:id/disable", async (c) => c.json({ user: await admin.setDisabled(await requireActor(c, auth), c.req.param("id"), true, client(c)) }));
  r.post("/users/:id/enable", async (c) => c.json({ user: await admin.setDisabled(await requireActor(c, auth), c.req.param("id"), false, client(c)) }));
  r.delete("/users/:id/totp", async (c) => {
    await admin.resetTotp(await requireActor(c, auth), c.req.param("id"), client(c));
    return c.body(null, 204);
  });

  r.get("/spaces", async (c) => c.json(await admin.spaces(await requireActor(c, auth), parseWith(AdminPageQuery, c.req.query()))));
  r.delete("/spaces/:id", async (c) => {
    await admin.deleteSpace(await requireActor(c, auth), c.req.param("id"), client(c));
    return c.body(null, 204);
  });

  r.get("/reports", async (c) => c.json(await admin.reports(await requireActor(c, auth), parseWith(AdminReportsQuery, c.req.query()))));
  r.post("/reports/:id/resolve", async (c) => {
    await admin.resolveReport(await requireActor(c, auth), c.req.param("id"), client(c));
    return c.body(null, 204);
  });

  r.get("/settings", async (c) => c.json(await admin.settings(await requireActor(c, auth))));
  r.get("/metrics", async (c) => c.json(await admin.metrics(await requireActor(c, auth))));
  r.get("/outbox", async (c) => c.json(await admin.outbox(await requireActor(c, auth))));

  r.get("/audit", async (c) => c.json(await admin.auditPage(await requireActor(c, auth), parseWith(AuditQuery, c.req.query()))));
  r.get("/audit/export", async (c) => {
    const q = parseWith(AuditQuery, c.req.query());
    const events = await admin.auditExport(await requireActor(c, auth), q, client(c));
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

/** Reporting a message to the instance admins (mounted at /api/messages). */
export function reportRoutes(auth: AuthService, reports: ReportService) {
  const r = new Hono<Env>();
  r.post("/:id/report", async (c) => {
    const actor = await requireActor(c, auth);
    const { reason } = await parseJson(c, ReportMessageBody);
    await reports.report(actor, c.req.param("id"), reason);
    return c.body(null, 204);
  });
  return r;
}
