/** TOTP second factors, their recovery codes and pending sign-ins: see migration 0019. */
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database, TotpChallengesTable, TotpFactorsTable } from "./schema";

export type TotpFactorRow = Selectable<TotpFactorsTable>;
export type TotpChallengeRow = Selectable<TotpChallengesTable>;

export interface TotpStore {
  factor(userId: string): Promise<TotpFactorRow | undefined>;
  /** Any one factor (the newest), to check at start-up that TOTP_KEY opens what it sealed. */
  anyFactor(): Promise<TotpFactorRow | undefined>;
  /** Starts an enrolment with this sealed secret, replacing one awaiting confirmation; false when a factor is already enabled. */
  beginEnrolment(userId: string, secret: string, now: string): Promise<boolean>;
  /** Enables the pending factor with `step` accepted and these recovery code hashes; false when none was pending. */
  enable(userId: string, step: number, recoveryHashes: string[], now: string): Promise<boolean>;
  /** Records `step` as accepted; false when it is not newer than the last accepted one (a replay), atomically. */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /** Spends an unused recovery code; false when none has this hash. */
  useRecoveryCode(userId: string, hash: string, now: string): Promise<boolean>;
  recoveryCodesLeft(userId: string): Promise<number>;
  /** Replaces every recovery code of the account. */
  replaceRecoveryCodes(userId: string, hashes: string[], now: string): Promise<void>;
  /** Removes the factor, its recovery codes and the account's pending sign-ins. */
  remove(userId: string): Promise<void>;
  /** Counts a wrong code; returns the account's wrong codes since its last right one. */
  recordFailure(userId: string): Promise<number>;
  block(userId: string, until: string): Promise<void>;
  clearFailures(userId: string): Promise<void>;
  /** Stores a pending sign-in; expired ones (anyone's) are dropped on the way. */
  createChallenge(hash: string, userId: string, now: string, expiresAt: string): Promise<void>;
  /** A pending sign-in that has not expired. */
  challenge(hash: string, now: string): Promise<TotpChallengeRow | undefined>;
  /** Counts a wrong code against a pending sign-in; returns its wrong codes so far. */
  failChallenge(hash: string): Promise<number>;
  /** Spends a pending sign-in with fewer than maxFailures wrong codes; false when it was already spent, expired or locked. */
  consumeChallenge(hash: string, now: string, maxFailures: number): Promise<boolean>;
}

/** Also run inside AccountStore.claimEmail's transaction: a factor the email's squatter set up must not lock out its owner. */
export async function removeTotp(tx: Transaction<Database>, userId: string): Promise<void> {
  await tx.deleteFrom("totp_challenges").where("user_id", "=", userId).execute();
  await tx.deleteFrom("totp_recovery_codes").where("user_id", "=", userId).execute();
  await tx.deleteFrom("totp_factors").where("user_id", "=", userId).execute();
}

export class KyselyTotpStore implements TotpStore {
  constructor(private readonly db: Kysely<Database>) {}

  factor(userId: string) {
    return this.db.selectFrom("totp_factors").selectAll().where("user_id", "=", userId).executeTakeFirst();
  }

  anyFactor() {
    return this.db.selectFrom("totp_factors").selectAll().orderBy("created_at", "desc").limit(1).executeTakeFirst();
  }

  async beginEnrolment(userId: string, secret: string, now: string) {
    const row = await this.db
      .insertInto("totp_factors")
      .values({ user_id: userId, secret, enabled_at: null, last_step: null, blocked_until: null, created_at: now })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ secret, last_step: null, created_at: now }).where("totp_factors.enabled_at", "is", null))
      .returning("user_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  enable(userId: string, step: number, recoveryHashes: string[], now: string) {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable("totp_factors")
        .set({ enabled_at: now, last_step: step, failures: 0, blocked_until: null })
        .where("user_id", "=", userId)
        .where("enabled_at", "is", null)
        .returning("user_id")
        .executeTakeFirst();
      if (!row) return false;
      await tx.deleteFrom("totp_recovery_codes").where("user_id", "=", userId).execute();
      await tx.insertInto("totp_recovery_codes").values(recoveryHashes.map((hash) => ({ user_id: userId, hash, used_at: null, created_at: now }))).execute();
      return true;
    });
  }

  async acceptStep(userId: string, step: number) {
    const row = await this.db
      .updateTable("totp_factors")
      .set({ last_step: step })
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
      .returning("user_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  async useRecoveryCode(userId: string, hash: string, now: string) {
    const row = await this.db
      .updateTable("totp_recovery_codes")
      .set({ used_at: now })
      .where("user_id", "=", userId)
      .where("hash", "=", hash)
      .where("used_at", "is", null)
      .returning("hash")
      .executeTakeFirst();
    return row !== undefined;
  }

  async recoveryCodesLeft(userId: string) {
    const { n } = await this.db
      .selectFrom("totp_recovery_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async replaceRecoveryCodes(userId: string, hashes: string[], now: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("totp_recovery_codes").where("user_id", "=", userId).execute();
      await tx.insertInto("totp_recovery_codes").values(hashes.map((hash) => ({ user_id: userId, hash, used_at: null, created_at: now }))).execute();
    });
  }

  async remove(userId: string) {
    await this.db.transaction().execute((tx) => removeTotp(tx, userId));
  }

  async recordFailure(userId: string) {
    const row = await this.db
      .updateTable("totp_factors")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("user_id", "=", userId)
      .returning("failures")
      .executeTakeFirst();
    return Number(row?.failures ?? 0);
  }

  async block(userId: string, until: string) {
    await this.db.updateTable("totp_factors").set({ blocked_until: until }).where("user_id", "=", userId).execute();
  }

  async clearFailures(userId: string) {
    await this.db.updateTable("totp_factors").set({ failures: 0, blocked_until: null }).where("user_id", "=", userId).where("failures", ">", 0).execute();
  }

  async createChallenge(hash: string, userId: string, now: string, expiresAt: string) {
    await this.db.deleteFrom("totp_challenges").where("expires_at", "<=", now).execute();
    await this.db.insertInto("totp_challenges").values({ hash, user_id: userId, created_at: now, expires_at: expiresAt }).execute();
  }

  challenge(hash: string, now: string) {
    return this.db.selectFrom("totp_challenges").selectAll().where("hash", "=", hash).where("expires_at", ">", now).executeTakeFirst();
  }

  async failChallenge(hash: string) {
    const row = await this.db
      .updateTable("totp_challenges")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("hash", "=", hash)
      .returning("failures")
      .executeTakeFirst();
    return Number(row?.failures ?? Number.MAX_SAFE_INTEGER);
  }

  async consumeChallenge(hash: string, now: string, maxFailures: number) {
    const row = await this.db
      .deleteFrom("totp_challenges")
      .where("hash", "=", hash)
      .where("expires_at", ">", now)
      .where("failures", "<", maxFailures)
      .returning("hash")
      .executeTakeFirst();
    return row !== undefined;
  }
}
