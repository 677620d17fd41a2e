/** The audit log (migration 0022): append, page newest first, prune by age. */
import type { Kysely, Selectable } from "kysely";
import type { AccountState } from "../../shared/admin";
import { joinedStateOf } from "./admin";
import type { AuditEventsTable, Database } from "./schema";

export type AuditRow = Selectable<AuditEventsTable>;
/** A row with the usernames and account states of its actor and target (null where the event names none). */
export type AuditListRow = AuditRow & { actor_username: string | null; actor_state: AccountState | null; target_username: string | null; target_state: AccountState | null };

export interface AuditFilter {
  kind?: string;
  /** Events this user did or that concern them. */
  userId?: string;
  /** Only events the user is the target of (their own Security page). */
  targetId?: string;
  /** Older than this id. */
  before?: string;
}

export interface AuditStore {
  add(row: AuditRow): Promise<void>;
  /** Newest first, one query whatever the page size. */
  list(filter: AuditFilter, limit: number): Promise<AuditListRow[]>;
  /** Deletes events with ids below `beforeId` (an id floor: older than its millisecond); answers how many. */
  prune(beforeId: string): Promise<number>;
}

export class KyselyAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(row: AuditRow) {
    await this.db.insertInto("audit_events").values(row).execute();
  }

  list(f: AuditFilter, limit: number) {
    let q = this.db
      .selectFrom("audit_events as e")
      .leftJoin("users as a", "a.id", "e.actor_id")
      .leftJoin("users as t", "t.id", "e.target_id")
      .selectAll("e")
      .select(["a.username as actor_username", "t.username as target_username"])
      .select([joinedStateOf("a").as("actor_state"), joinedStateOf("t").as("target_state")]);
    if (f.kind) q = q.where("e.kind", "=", f.kind);
    if (f.userId) q = q.where((eb) => eb.or([eb("e.actor_id", "=", f.userId!), eb("e.target_id", "=", f.userId!)]));
    if (f.targetId) q = q.where("e.target_id", "=", f.targetId);
    if (f.before) q = q.where("e.id", "<", f.before);
    return q.orderBy("e.id", "desc").limit(limit).execute();
  }

  async prune(beforeId: string) {
    const r = await this.db.deleteFrom("audit_events").where("id", "<", beforeId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
