/**
 * The instance admin's console (/api/admin/*) and message reports: list queries, rows, settings
 * and live metrics. Every list is paged by an opaque cursor and costs one query per page. See
 * docs/PROTOCOL.md "Admin console".
 */
import { z } from "zod";
import { Id, Str } from "./wire";

export const ADMIN_PAGE_MAX = 100;
const Limit = z.coerce.number().int().min(1).max(ADMIN_PAGE_MAX).default(25);

/**
 * Where an account stands, for the console's badges: `deleting` while its deletion is scheduled
 * (the grace period, until the sweeper's erasure is done), `deleted` once erased. One state wins
 * where several hold: deleted, then deleting, then disabled.
 */
export const ACCOUNT_STATES = ["active", "disabled", "deleting", "deleted"] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/** An account a console row names. */
export interface AdminAccountRef {
  id: string;
  username: string | null;
  state: AccountState;
}

/** GET /api/admin/users: `q` matches a username or email containing it (any case); `state` keeps only accounts in it. */
export const AdminUsersQuery = z.object({
  q: Str().trim().max(320).optional(),
  state: z.enum(ACCOUNT_STATES).optional(),
  cursor: Id.optional(),
  limit: Limit,
});
export type AdminUsersQuery = z.infer<typeof AdminUsersQuery>;

export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  email: string;
  emailVerified: boolean;
  instanceAdmin: boolean;
  createdAt: string;
  /** Set while the account is disabled. */
  disabledAt: string | null;
  /** When a scheduled deletion falls due; null when none is. */
  deletionScheduledFor: string | null;
  /** When the account was erased. */
  deletedAt: string | null;
  state: AccountState;
  totpEnabled: boolean;
}

export interface AdminUsersPage {
  users: AdminUser[];
  /** Newest accounts first; pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export const AdminPageQuery = z.object({ cursor: Id.optional(), limit: Limit });
export type AdminPageQuery = z.infer<typeof AdminPageQuery>;

export interface AdminSpace {
  id: string;
  name: string;
  owner: AdminAccountRef;
  memberCount: number;
  createdAt: string;
}

export interface AdminSpacesPage {
  spaces: AdminSpace[];
  nextCursor: string | null;
}

export const REPORT_REASON_MAX = 500;

/** POST /api/messages/:id/report */
export const ReportMessageBody = z.object({ reason: Str().trim().min(1, "Say what is wrong with it").max(REPORT_REASON_MAX) }).strict();
export type ReportMessageBody = z.infer<typeof ReportMessageBody>;

/** GET /api/admin/reports: open ones, or resolved ones. */
export const AdminReportsQuery = z.object({ status: z.enum(["open", "resolved"]).default("open"), cursor: Id.optional(), limit: Limit });
export type AdminReportsQuery = z.infer<typeof AdminReportsQuery>;

export interface AdminReport {
  id: string;
  messageId: string;
  conversationId: string;
  reporter: AdminAccountRef;
  /** Null for a guest's message. */
  author: AdminAccountRef | null;
  /** A guest's message: the name they posted it under. */
  guestName: string | null;
  /** What the message said when it was reported. */
  content: string;
  reason: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface AdminReportsPage {
  reports: AdminReport[];
  nextCursor: string | null;
}

/** GET /api/admin/settings: the effective configuration that is safe to show (no secrets, no URLs with credentials). */
export type AdminSettings = Record<string, Record<string, string | number | boolean | null | string[]>>;

/** GET /api/admin/metrics */
export interface AdminMetrics {
  /** When these were read. */
  at: string;
  /** WebSocket connections open on the node that answered. */
  connections: number;
  /** Messages sent per second across the instance, averaged over the last `windowSeconds`. */
  messagesPerSecond: number;
  windowSeconds: number;
  /** Calls going on across the instance (DMs, groups, voice channels, rooms). */
  activeCalls: number;
  /** The answering node's resident memory, bytes. */
  memoryBytes: number;
  uptimeSeconds: number;
}
