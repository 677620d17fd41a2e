/**
 * The audit log: services record security events here (never the HTTP layer, so every path to
 * an event — REST, OIDC callback, a mailed link — is covered by the service that does it).
 * Rows are kept AUDIT_RETENTION_DAYS; each node prunes on a timer (two pruning at once delete
 * the same rows or nothing). Knows nothing of HTTP.
 */
import { newId, idFloor } from "../../shared/ids";
import type { AuditEvent, AuditKind, AuditPage } from "../../shared/audit";
import type { AuditFilter, AuditListRow, Store } from "../store/store";
import type { Client } from "../auth/service";

export interface AuditEntry {
  kind: AuditKind;
  /** Who did it; null when nobody was signed in (a sign-in attempt, a mailed link). */
  actorId?: string | null;
  /** Whose account it concerns. */
  targetId?: string | null;
  client?: Client | null;
  details?: Record<string, unknown>;
}

/** Rows fetched per query while exporting: bounded memory whatever the log's size. */
const EXPORT_BATCH = 500;
const DAY = 86_400_000;

export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly retentionDays: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    const now = this.clock();
    await this.store.audit.add({
      id: newId(now),
      at: new Date(now).toISOString(),
      kind: e.kind,
      actor_id: e.actorId ?? null,
      target_id: e.targetId ?? null,
      ip: e.client?.ip ?? null,
      user_agent: e.client ? e.client.userAgent.slice(0, 512) : null,
      details: JSON.stringify(e.details ?? {}),
    });
  }

  /** One page, newest first; one query. */
  async page(filter: Omit<AuditFilter, "before">, cursor: string | undefined, limit: number): Promise<AuditPage> {
    const rows = await this.store.audit.list({ ...filter, before: cursor }, limit + 1);
    const events = rows.slice(0, limit).map(toEvent);
    return { events, nextCursor: rows.length > limit ? events.at(-1)!.id : null };
  }

  /** Every matching event, newest first, fetched EXPORT_BATCH at a time. */
  async *all(filter: Omit<AuditFilter, "before">): AsyncGenerator<AuditEvent> {
    let before: string | undefined;
    for (;;) {
      const rows = await this.store.audit.list({ ...filter, before }, EXPORT_BATCH);
      for (const r of rows) yield toEvent(r);
      if (rows.length < EXPORT_BATCH) return;
      before = rows.at(-1)!.id;
    }
  }

  /** Drops events older than the retention period; answers how many went. */
  prune(): Promise<number> {
    return this.store.audit.prune(idFloor(this.clock() - this.retentionDays * DAY));
  }
}

function toEvent(r: AuditListRow): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    kind: r.kind as AuditKind,
    actor: r.actor_id ? { id: r.actor_id, username: r.actor_username, state: r.actor_state ?? "deleted" } : null,
    target: r.target_id ? { id: r.target_id, username: r.target_username, state: r.target_state ?? "deleted" } : null,
    ip: r.ip,
    userAgent: r.user_agent,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

/** CSV of events (RFC 4180), details as JSON in one column. */
export const CSV_HEADER = "id,at,kind,actor_id,actor_username,target_id,target_username,ip,user_agent,details\r\n";

export function csvLine(e: AuditEvent): string {
  const cells = [e.id, e.at, e.kind, e.actor?.id, e.actor?.username, e.target?.id, e.target?.username, e.ip, e.userAgent, JSON.stringify(e.details)];
  return cells.map((c) => csvCell(c ?? "")).join(",") + "\r\n";
}

function csvCell(v: string): string {
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}
