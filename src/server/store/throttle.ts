/** Failed sign-ins per (account key, client address) and per account ("*"): see migration 0009. */
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema";

export const ACCOUNT_WIDE = "*";

export interface LoginThrottleStore {
  /** Blocks in force for this key: from this address, and account-wide. */
  loginBlocks(key: string, ip: string): Promise<{ address: string | null; account: string | null }>;
  /**
   * Counts a failure from ip and for the account (counts idle since windowStart start over).
   * Returns this address's failures and how many addresses failed since windowStart. Rows idle
   * since windowStart whose blocks are over are forgotten.
   */
  recordLoginFailure(key: string, ip: string, now: string, windowStart: string): Promise<{ failures: number; addresses: number }>;
  /** Sets a block on this address (or ACCOUNT_WIDE) of the key. */
  blockLogin(key: string, ip: string, until: string): Promise<void>;
  /** A sign-in succeeded from ip: the failures since the last one (any address), then this address's and the account's counts are cleared. */
  loginSucceeded(key: string, ip: string): Promise<{ count: number; lastAt: string } | null>;
}

export class KyselyLoginThrottleStore implements LoginThrottleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async loginBlocks(key: string, ip: string) {
    const rows = await this.db.selectFrom("login_throttle").select(["ip", "blocked_until"]).where("key", "=", key).where("ip", "in", [ip, ACCOUNT_WIDE]).execute();
    const of = (which: string) => rows.find((r) => r.ip === which)?.blocked_until ?? null;
    return { address: of(ip), account: of(ACCOUNT_WIDE) };
  }

  async recordLoginFailure(key: string, ip: string, now: string, windowStart: string) {
    await this.db
      .deleteFrom("login_throttle")
      .where("updated_at", "<", windowStart)
      .where((eb) => eb.or([eb("blocked_until", "is", null), eb("blocked_until", "<", now)]))
      .execute();
    const bump = (which: string) =>
      this.db
        .insertInto("login_throttle")
        .values({ key, ip: which, failures: 1, blocked_until: null, updated_at: now })
        .onConflict((oc) =>
          oc.columns(["key", "ip"]).doUpdateSet({
            failures: sql<number>`case when login_throttle.updated_at < ${windowStart} then 1 else login_throttle.failures + 1 end`,
            updated_at: now,
          }),
        )
        .returning("failures")
        .executeTakeFirstOrThrow();
    const mine = await bump(ip);
    await bump(ACCOUNT_WIDE);
    const { n } = await this.db
      .selectFrom("login_throttle")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("key", "=", key)
      .where("ip", "!=", ACCOUNT_WIDE)
      .where("updated_at", ">=", windowStart)
      .executeTakeFirstOrThrow();
    return { failures: Number(mine.failures), addresses: Number(n) };
  }

  async blockLogin(key: string, ip: string, until: string) {
    await this.db.updateTable("login_throttle").set({ blocked_until: until }).where("key", "=", key).where("ip", "=", ip).execute();
  }

  async loginSucceeded(key: string, ip: string) {
    const total = await this.db.selectFrom("login_throttle").select(["failures", "updated_at"]).where("key", "=", key).where("ip", "=", ACCOUNT_WIDE).executeTakeFirst();
    if (!total) return null;
    await this.db.deleteFrom("login_throttle").where("key", "=", key).where("ip", "in", [ip, ACCOUNT_WIDE]).execute();
    return { count: Number(total.failures), lastAt: total.updated_at };
  }
}
