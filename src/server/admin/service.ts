/**
 * The instance admin's console: every method first checks that the actor administers the
 * instance (ADMIN_REQUIRED otherwise), and what changes anything is written to the audit log.
 * Lists are paged by id and cost one query per page. Knows nothing of HTTP.
 */
import { AppError } from "../../shared/errors";
import type { AuditEvent, AuditPage, AuditQuery } from "../../shared/audit";
import type { OutboxResult } from "../../shared/account-mail";
import type { Mailer } from "../mail/mailer";
import type { AuditLog } from "../audit/audit-log";
import type { Actor, Client } from "../auth/service";
import type { Store } from "../store/store";

export class AdminService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly mailer: Mailer,
  ) {}

  /** ADMIN_REQUIRED unless the actor administers the instance. */
  async requireAdmin(actor: Actor): Promise<void> {
    const user = await this.store.accounts.userById(actor.userId);
    if (!user || Number(user.instance_admin) !== 1) throw new AppError("ADMIN_REQUIRED", "Only the instance's admins may see this");
  }

  /** The newest 100 mails kept when no SMTP server is configured (empty with SMTP). */
  async outbox(actor: Actor): Promise<OutboxResult> {
    await this.requireAdmin(actor);
    const rows = this.mailer.kind === "outbox" ? await this.store.mail.outbox(100) : [];
    return {
      transport: this.mailer.kind,
      messages: rows.map((m) => ({ id: m.id, to: m.to_address, subject: m.subject, text: m.text, createdAt: m.created_at })),
    };
  }

  async auditPage(actor: Actor, q: AuditQuery): Promise<AuditPage> {
    await this.requireAdmin(actor);
    return this.audit.page({ kind: q.kind, userId: q.user }, q.cursor, q.limit);
  }

  /** Every matching event, newest first; the export itself is logged first. */
  async auditExport(actor: Actor, q: AuditQuery, client: Client): Promise<AsyncGenerator<AuditEvent>> {
    await this.requireAdmin(actor);
    const filter = { kind: q.kind, userId: q.user };
    await this.audit.record({ kind: "admin.audit_exported", actorId: actor.userId, client, details: { format: q.format, ...filter } });
    return this.audit.all(filter);
  }
}
