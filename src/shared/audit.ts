/**
 * The audit log's wire shapes: the kinds of security event, one event as listed, and the
 * filters of the admin's list and export. See docs/PROTOCOL.md "Audit log".
 */
import type { AccountState } from "./admin";
import { z } from "zod";
import { Id } from "./wire";

export const AUDIT_KINDS = [
  /** details: {method: "password" | "oidc", secondFactor?: "totp" | "recovery"} */
  "login.succeeded",
  /** A wrong password (or a login with no account: target null, details {login}). */
  "login.failed",
  /** Failures reached the threshold: details {scope: "address" | "account", until}. */
  "login.throttled",
  /** The right password for a disabled account. */
  "login.disabled",
  /** A wrong two-factor code or recovery code. */
  "totp.failed",
  "totp.enabled",
  "totp.disabled",
  "totp.recovery_renewed",
  /** A used refresh token came back: its session is signed out. details {sessionId}. */
  "token.reused",
  "session.revoked",
  "sessions.revoked_all",
  /** Through a mailed reset link: every session ends. */
  "password.reset",
  /** details {to}: a link went to the new address. */
  "email.change_requested",
  /** details {from, to}: the new address's link was followed. */
  "email.changed",
  /** details {dueAt}: every session ends; the account is erased then unless the user cancels. */
  "account.deletion_scheduled",
  "account.deletion_cancelled",
  /** A sweeper erased the account's personal data (actor null). */
  "account.erased",
  "admin.user_disabled",
  "admin.user_enabled",
  "admin.totp_reset",
  /** details {spaceId, name} */
  "admin.space_deleted",
  /** details {reportId} */
  "admin.report_resolved",
  /** details {format, kind?, userId?} */
  "admin.audit_exported",
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** One event. actor: who did it (null: nobody signed in, e.g. a failed sign-in); target: whose account it concerns. */
export interface AuditEvent {
  id: string;
  at: string;
  kind: AuditKind;
  actor: AuditUser | null;
  target: AuditUser | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** A user an event names, with where their account stands now. */
export interface AuditUser {
  id: string;
  username: string | null;
  state: AccountState;
}

export const AUDIT_PAGE_MAX = 100;

/** GET /api/admin/audit and /api/admin/audit/export; `user` matches actor or target. */
export const AuditQuery = z.object({
  kind: z.enum(AUDIT_KINDS).optional(),
  user: Id.optional(),
  cursor: Id.optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
  format: z.enum(["csv", "ndjson"]).default("ndjson"),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** GET /api/auth/security-events: the caller's own events. */
export const SecurityEventsQuery = z.object({
  cursor: Id.optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(20),
});
export type SecurityEventsQuery = z.infer<typeof SecurityEventsQuery>;

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}
