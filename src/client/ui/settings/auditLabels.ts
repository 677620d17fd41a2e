/** Words for audit-log event kinds, shared by the Security page and the admin console. */
import type { AuditEvent, AuditKind } from "../../../shared/audit";

export const AUDIT_LABELS: Record<AuditKind, string> = {
  "login.succeeded": "Signed in",
  "login.failed": "Wrong password",
  "login.throttled": "Sign-ins slowed after failures",
  "login.disabled": "Sign-in refused: account disabled",
  "totp.failed": "Wrong two-factor code",
  "totp.enabled": "Two-factor turned on",
  "totp.disabled": "Two-factor turned off",
  "totp.recovery_renewed": "New recovery codes made",
  "token.reused": "Stolen session token refused",
  "session.revoked": "Signed a device out",
  "sessions.revoked_all": "Signed out everywhere",
  "password.reset": "Password reset by email",
  "email.change_requested": "Email change requested",
  "email.changed": "Email address changed",
  "account.deletion_scheduled": "Account deletion scheduled",
  "account.deletion_cancelled": "Account deletion cancelled",
  "account.erased": "Account erased",
  "admin.user_disabled": "Account disabled by an admin",
  "admin.user_enabled": "Account enabled by an admin",
  "admin.totp_reset": "Two-factor reset by an admin",
  "admin.space_deleted": "Space deleted by an admin",
  "admin.report_resolved": "Report resolved",
  "admin.audit_exported": "Audit log exported",
};

/** Kinds a user would want to look into when they did not do them. */
export const ALARMING: ReadonlySet<AuditKind> = new Set(["login.failed", "login.throttled", "totp.failed", "token.reused"]);

/** The short extra a row shows after its label, from its details. */
export function auditDetail(e: AuditEvent): string {
  const d = e.details;
  if (e.kind === "login.succeeded") return d.secondFactor === "recovery" ? "with a recovery code" : d.secondFactor ? "with a two-factor code" : d.method === "oidc" ? "with single sign-on" : "with a password";
  if (e.kind === "email.changed" && typeof d.to === "string") return `to ${d.to}`;
  if (e.kind === "email.change_requested" && typeof d.to === "string") return `to ${d.to}`;
  if (e.kind === "login.failed" && typeof d.login === "string") return `as “${d.login}”`;
  if (e.kind === "admin.space_deleted" && typeof d.name === "string") return `“${d.name}”`;
  return "";
}
