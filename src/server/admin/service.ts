/**
 * The instance admin's console: every method first checks that the actor administers the
 * instance (ADMIN_REQUIRED otherwise), and what changes anything is written to the audit log.
 * Lists are paged by id and cost one query per page. Knows nothing of HTTP.
 */
import { AppError } from "../../shared/errors";
import type { AuditEvent, AuditPage, AuditQuery } from "../../shared/audit";
import type { OutboxResult } from "../../shared/account-mail";
import type { AdminMetrics, AdminPageQuery, AdminReportsPage, AdminReportsQuery, AdminSettings, AdminSpacesPage, AdminUser, AdminUsersPage, AdminUsersQuery } from "../../shared/admin";
import type { Mailer } from "../mail/mailer";
import type { AuditLog } from "../audit/audit-log";
import type { Actor, Client } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { Config } from "../config";
import type { LiveMetrics } from "../obs/live";
import type { SpaceService } from "../spaces/service";
import type { AdminUserRow, Store } from "../store/store";
import { safeSettings } from "./settings";
import { toReport } from "./reports";

export interface AdminDeps {
  config: Readonly<Config>;
  store: Store;
  bus: Bus;
  audit: AuditLog;
  mailer: Mailer;
  spaces: SpaceService;
  live: LiveMetrics;
  clock?: () => number;
}

/** One page of rows fetched with one extra: the extra says whether there is a next page. */
function paged<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): { items: T[]; nextCursor: string | null } {
  return { items: rows.slice(0, limit).map(map), nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
}

export class AdminService {
  readonly #clock: () => number;

  constructor(private readonly d: AdminDeps) {
    this.#clock = d.clock ?? Date.now;
  }

  /** ADMIN_REQUIRED unless the actor administers the instance. */
  async requireAdmin(actor: Actor): Promise<void> {
    const user = await this.d.store.accounts.userById(actor.userId);
    if (!user || Number(user.instance_admin) !== 1) throw new AppError("ADMIN_REQUIRED", "Only the instance's admins may see this");
  }

  async users(actor: Actor, q: AdminUsersQuery): Promise<AdminUsersPage> {
    await this.requireAdmin(actor);
    const { items, nextCursor } = paged(await this.d.store.admin.users(q.q || undefined, q.state, q.cursor, q.limit + 1), q.limit, toAdminUser);
    return { users: items, nextCursor };
  }

  /**
   * A disabled account cannot sign in (ACCOUNT_DISABLED after the right password), and every
   * session it had ends now — refresh tokens refused, open sockets closed with 4401 on every
   * node. An admin cannot disable their own account (someone must be left to enable it).
   */
  async setDisabled(actor: Actor, userId: string, disabled: boolean, client: Client): Promise<AdminUser> {
    await this.requireAdmin(actor);
    if (disabled && userId === actor.userId) throw new AppError("CONFLICT", "You cannot disable your own account");
    const user = await this.d.store.admin.setDisabled(userId, disabled ? new Date(this.#clock()).toISOString() : null);
    if (!user) throw new AppError("NOT_FOUND", "No such user");
    await this.d.audit.record({ kind: disabled ? "admin.user_disabled" : "admin.user_enabled", actorId: actor.userId, targetId: userId, client });
    if (disabled) await this.d.bus.publish({ type: "sessions:ended", userId, sessionIds: "all" });
    return toAdminUser(user);
  }

  /** For someone who lost their authenticator and recovery codes: their password alone signs them in again. */
  async resetTotp(actor: Actor, userId: string, client: Client): Promise<void> {
    await this.requireAdmin(actor);
    const factor = await this.d.store.totp.factor(userId);
    if (!factor) throw new AppError("NOT_FOUND", "That account has no two-factor sign-in");
    await this.d.store.totp.remove(userId);
    await this.d.audit.record({ kind: "admin.totp_reset", actorId: actor.userId, targetId: userId, client });
  }

  async spaces(actor: Actor, q: AdminPageQuery): Promise<AdminSpacesPage> {
    await this.requireAdmin(actor);
    const { items, nextCursor } = paged(await this.d.store.admin.spaces(q.cursor, q.limit + 1), q.limit, (s) => ({
      id: s.id,
      name: s.name,
      owner: { id: s.owner_id, username: s.owner_username, state: s.owner_state },
      memberCount: Number(s.member_count),
      createdAt: s.created_at,
    }));
    return { spaces: items, nextCursor };
  }

  async deleteSpace(actor: Actor, spaceId: string, client: Client): Promise<void> {
    await this.requireAdmin(actor);
    const space = await this.d.spaces.removeByAdmin(spaceId);
    await this.d.audit.record({ kind: "admin.space_deleted", actorId: actor.userId, targetId: space.owner_id, client, details: { spaceId, name: space.name } });
  }

  async reports(actor: Actor, q: AdminReportsQuery): Promise<AdminReportsPage> {
    await this.requireAdmin(actor);
    const { items, nextCursor } = paged(await this.d.store.admin.reports(q.status === "resolved", q.cursor, q.limit + 1), q.limit, toReport);
    return { reports: items, nextCursor };
  }

  async resolveReport(actor: Actor, reportId: string, client: Client): Promise<void> {
    await this.requireAdmin(actor);
    if (!(await this.d.store.admin.resolveReport(reportId, actor.userId, new Date(this.#clock()).toISOString()))) throw new AppError("NOT_FOUND", "No such open report");
    await this.d.audit.record({ kind: "admin.report_resolved", actorId: actor.userId, client, details: { reportId } });
  }

  async settings(actor: Actor): Promise<AdminSettings> {
    await this.requireAdmin(actor);
    return safeSettings(this.d.config);
  }

  async metrics(actor: Actor): Promise<AdminMetrics> {
    await this.requireAdmin(actor);
    return this.d.live.read();
  }

  /** The newest 100 mails kept when no SMTP server is configured (empty with SMTP). */
  async outbox(actor: Actor): Promise<OutboxResult> {
    await this.requireAdmin(actor);
    const rows = this.d.mailer.kind === "outbox" ? await this.d.store.mail.outbox(100) : [];
    return {
      transport: this.d.mailer.kind,
      messages: rows.map((m) => ({ id: m.id, to: m.to_address, subject: m.subject, text: m.text, createdAt: m.created_at })),
    };
  }

  async auditPage(actor: Actor, q: AuditQuery): Promise<AuditPage> {
    await this.requireAdmin(actor);
    return this.d.audit.page({ kind: q.kind, userId: q.user }, q.cursor, q.limit);
  }

  /** Every matching event, newest first; the export itself is logged first. */
  async auditExport(actor: Actor, q: AuditQuery, client: Client): Promise<AsyncGenerator<AuditEvent>> {
    await this.requireAdmin(actor);
    const filter = { kind: q.kind, userId: q.user };
    await this.d.audit.record({ kind: "admin.audit_exported", actorId: actor.userId, client, details: { format: q.format, ...filter } });
    return this.d.audit.all(filter);
  }
}

function toAdminUser(u: AdminUserRow): AdminUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    emailVerified: Number(u.email_verified) === 1,
    instanceAdmin: Number(u.instance_admin) === 1,
    createdAt: u.created_at,
    disabledAt: u.disabled_at,
    deletionScheduledFor: u.deletion_due_at,
    deletedAt: u.deleted_at,
    state: u.state,
    totpEnabled: Number(u.totp_enabled) === 1,
  };
}
