/**
 * Two-factor sign-in with TOTP (RFC 6238, through the maintained `otpauth` package): enrolment
 * confirmed by a code, ten one-time recovery codes, the pending sign-in between the password
 * (or OIDC provider) and the code, and turning it off with a code. Knows nothing of HTTP.
 *
 * Codes are SHA-1, 6 digits, 30 s — what every authenticator app reads from a QR code. A code
 * of the step before or after the server's is accepted (clocks up to ~30 s apart, RFC 6238
 * §5.2), and each step is accepted once: the newest accepted step is stored and a code at or
 * before it is refused, so a code seen over a shoulder or in a log cannot be replayed.
 *
 * Setting it up, turning it off and new recovery codes re-ask the password (an account without
 * one: a sign-in within RECENT_SIGN_IN_SECONDS to set up, the code to change), so a stolen
 * session cannot put its own authenticator on the account and lock the owner out.
 */
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { AppError } from "../../shared/errors";
import { RECENT_SIGN_IN_SECONDS, RECOVERY_CODE_COUNT, TOTP_DIGITS, type RecoveryCodes, type TotpChangeBody, type TotpEnrolment, type TotpStatus } from "../../shared/totp";
import type { Store, TotpFactorRow, UserRow } from "../store/store";
import type { PasswordHasher } from "./passwords";
import type { SecretBox } from "./secret-box";
import { hashRefreshToken, newRefreshToken } from "./tokens";
import type { AuditLog } from "../audit/audit-log";
import type { Actor, Client } from "./service";

const PERIOD = 30;
const ALGORITHM = "SHA1";
const WINDOW = 1;
/** How long the second step may take after the first. */
const CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes one pending sign-in takes before the password must be given again. */
export const CHALLENGE_MAX_FAILURES = 3;
/** The account's wait once it reaches the threshold; doubles per further wrong code, up to LOCKOUT_SECONDS. */
const FIRST_DELAY_SECONDS = 30;
/** Crockford's base32: no i, l, o or u, so a code read aloud or copied by hand survives. */
const RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** 12 symbols of 5 bits: 60 bits per code. */
const RECOVERY_LENGTH = 12;

export interface TotpOptions {
  /** Shown by the authenticator app next to the account name. */
  issuer: string;
  /** Wrong codes per account before each further one waits (LOCKOUT_THRESHOLD, LOCKOUT_SECONDS). */
  lockout: { threshold: number; seconds: number };
}

export interface PendingSignIn {
  /** Opaque; the server keeps only its SHA-256. */
  pendingToken: string;
  expiresAt: string;
}

type Passed = "totp" | "recovery";

const iso = (ms: number) => new Date(ms).toISOString();
const invalid = (attemptsLeft?: number) =>
  new AppError("TOTP_INVALID", "That code is not valid", attemptsLeft === undefined ? undefined : { attemptsLeft });
const gone = () => new AppError("UNAUTHORIZED", "This sign-in has expired; enter your password again");

/**
 * Whether this key opens the two-factor secrets already stored (true when there are none). A node
 * on another key — TOTP_KEY unset on a node whose DATA_DIR is not shared, or a lost totp-key file —
 * would fail every two-factor sign-in that reaches it, so it must not start (server.ts).
 */
export async function totpKeyOpens(store: Store, box: SecretBox): Promise<boolean> {
  const factor = await store.totp.anyFactor();
  if (!factor) return true;
  return box.open(factor.secret, factor.user_id).then(() => true, () => false);
}

export class TotpService {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly hasher: PasswordHasher,
    private readonly opts: TotpOptions,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  async status(userId: string): Promise<TotpStatus> {
    const factor = await this.store.totp.factor(userId);
    if (!factor?.enabled_at) return { enabled: false, recoveryCodesLeft: null };
    return { enabled: true, recoveryCodesLeft: await this.store.totp.recoveryCodesLeft(userId) };
  }

  /**
   * A new secret awaiting its confirmation code; starting again replaces an unconfirmed one.
   * Takes the current password; an account without one, a session signed in within
   * RECENT_SIGN_IN_SECONDS (else REAUTH_REQUIRED: sign in again through the provider).
   */
  async enrol(actor: Actor, password: string | undefined): Promise<TotpEnrolment> {
    const userId = actor.userId;
    const user = await this.#user(userId);
    if (user.password_hash !== null) await this.#password(user, password);
    else await this.#recentSignIn(actor);
    const secret = new Secret({ size: 20 }).base32;
    if (!(await this.store.totp.beginEnrolment(userId, await this.box.seal(secret, userId), iso(this.clock())))) {
      throw new AppError("CONFLICT", "Two-factor sign-in is already on");
    }
    const otpauthUrl = new TOTP({ issuer: this.opts.issuer, label: user.username, secret, algorithm: ALGORITHM, digits: TOTP_DIGITS, period: PERIOD }).toString();
    const svg = await QRCode.toString(otpauthUrl, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return { secret, otpauthUrl, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
  }

  /** Turns two-factor on with a code from the app just set up; answers the recovery codes, shown only now. */
  async confirm(userId: string, code: string, client: Client): Promise<RecoveryCodes> {
    const factor = await this.store.totp.factor(userId);
    if (!factor) throw new AppError("NOT_FOUND", "Start the set-up first");
    if (factor.enabled_at) throw new AppError("CONFLICT", "Two-factor sign-in is already on");
    this.#guard(factor);
    const step = isTotpCode(code) ? await this.#step(factor, code) : null;
    if (step === null) return this.#failed(userId, client);
    const codes = newRecoveryCodes();
    if (!(await this.store.totp.enable(userId, step, await this.#hashes(userId, codes), iso(this.clock())))) {
      throw new AppError("CONFLICT", "Two-factor sign-in is already on");
    }
    await this.audit.record({ kind: "totp.enabled", actorId: userId, targetId: userId, client });
    return { recoveryCodes: codes };
  }

  /** Turns two-factor off; takes a code from the app or a recovery code, and the password of an account with one. */
  async disable(userId: string, body: TotpChangeBody, client: Client): Promise<void> {
    await this.#changeCheck(userId, body, client);
    await this.store.totp.remove(userId);
    await this.audit.record({ kind: "totp.disabled", actorId: userId, targetId: userId, client });
  }

  /** Replaces the recovery codes (those left are void); takes a code from the app or a recovery code, and the password of an account with one. */
  async newRecoveryCodes(userId: string, body: TotpChangeBody, client: Client): Promise<RecoveryCodes> {
    await this.#changeCheck(userId, body, client);
    const codes = newRecoveryCodes();
    await this.store.totp.replaceRecoveryCodes(userId, await this.#hashes(userId, codes), iso(this.clock()));
    await this.audit.record({ kind: "totp.recovery_renewed", actorId: userId, targetId: userId, client });
    return { recoveryCodes: codes };
  }

  /** After the first factor: a pending sign-in when the account has two-factor on, else null. */
  async challenge(userId: string): Promise<PendingSignIn | null> {
    const factor = await this.store.totp.factor(userId);
    if (!factor?.enabled_at) return null;
    const now = this.clock();
    const pendingToken = newRefreshToken();
    const expiresAt = iso(now + CHALLENGE_TTL_SECONDS * 1000);
    await this.store.totp.createChallenge(hashRefreshToken(pendingToken), userId, iso(now), expiresAt);
    return { pendingToken, expiresAt };
  }

  /** The second step: spends the pending sign-in on a right code and answers whose it was. */
  async complete(pendingToken: string | undefined, code: string, client: Client): Promise<{ userId: string; recoveryCodesLeft?: number }> {
    if (!pendingToken) throw gone();
    const hash = hashRefreshToken(pendingToken);
    const now = iso(this.clock());
    const pending = await this.store.totp.challenge(hash, now);
    if (!pending || pending.failures >= CHALLENGE_MAX_FAILURES) throw gone();
    const factor = await this.store.totp.factor(pending.user_id);
    if (!factor?.enabled_at) throw gone();
    this.#guard(factor);
    const passed = await this.#check(factor, code);
    if (!passed) return this.#failed(factor.user_id, client, hash);
    // Two right codes sent at once: only one of them gets the session.
    if (!(await this.store.totp.consumeChallenge(hash, now, CHALLENGE_MAX_FAILURES))) throw gone();
    await this.store.totp.clearFailures(factor.user_id);
    if (passed === "totp") return { userId: factor.user_id };
    return { userId: factor.user_id, recoveryCodesLeft: await this.store.totp.recoveryCodesLeft(factor.user_id) };
  }

  /** Before a drastic step (deleting the account): when two-factor is on, a right code is required too. */
  async confirmIfEnabled(userId: string, code: string | undefined, client: Client): Promise<void> {
    const factor = await this.store.totp.factor(userId);
    if (!factor?.enabled_at) return;
    if (!code) throw invalid();
    await this.#enabledCheck(userId, code, client);
  }

  async #user(userId: string): Promise<UserRow> {
    const user = await this.store.accounts.userById(userId);
    if (!user) throw new AppError("UNAUTHORIZED", "Not signed in");
    return user;
  }

  /** The password first: a wrong one spends no code. */
  async #changeCheck(userId: string, { code, password }: TotpChangeBody, client: Client): Promise<void> {
    const user = await this.#user(userId);
    if (user.password_hash !== null) await this.#password(user, password);
    await this.#enabledCheck(userId, code, client);
  }

  async #password(user: UserRow, password: string | undefined): Promise<void> {
    if (!(await this.hasher.verify(password ?? "", user.password_hash!))) throw new AppError("INVALID_CREDENTIALS", "Wrong password");
  }

  async #recentSignIn(actor: Actor): Promise<void> {
    const session = await this.store.accounts.sessionById(actor.sessionId);
    if (session && Date.parse(session.created_at) >= this.clock() - RECENT_SIGN_IN_SECONDS * 1000) return;
    throw new AppError("REAUTH_REQUIRED", "Sign in again to set up two-factor authentication", { maxAgeSeconds: RECENT_SIGN_IN_SECONDS });
  }

  async #enabledCheck(userId: string, code: string, client: Client): Promise<void> {
    const factor = await this.store.totp.factor(userId);
    if (!factor?.enabled_at) throw new AppError("NOT_FOUND", "Two-factor sign-in is not on");
    this.#guard(factor);
    if (!(await this.#check(factor, code))) await this.#failed(userId, client);
    await this.store.totp.clearFailures(userId);
  }

  /** A code from the app (each step once) or an unused recovery code (spent here). */
  async #check(factor: TotpFactorRow, code: string): Promise<Passed | null> {
    if (isTotpCode(code)) {
      const step = await this.#step(factor, code);
      return step !== null && (await this.store.totp.acceptStep(factor.user_id, step)) ? "totp" : null;
    }
    const recovery = normalizeRecoveryCode(code);
    if (recovery === null) return null;
    return (await this.store.totp.useRecoveryCode(factor.user_id, await this.box.mac(`${factor.user_id}:${recovery}`), iso(this.clock()))) ? "recovery" : null;
  }

  /** The time step a code belongs to, within ±WINDOW of the server's, or null. */
  async #step(factor: TotpFactorRow, code: string): Promise<number | null> {
    const secret = Secret.fromBase32(await this.box.open(factor.secret, factor.user_id));
    const timestamp = this.clock();
    const delta = TOTP.validate({ token: code.replace(/\s/g, ""), secret, algorithm: ALGORITHM, digits: TOTP_DIGITS, period: PERIOD, timestamp, window: WINDOW });
    return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp }) + delta;
  }

  #guard(factor: TotpFactorRow): void {
    const now = this.clock();
    if (factor.blocked_until && Date.parse(factor.blocked_until) > now) {
      const retry = Math.max(1, Math.ceil((Date.parse(factor.blocked_until) - now) / 1000));
      throw new AppError("RATE_LIMITED", `Too many wrong codes; try again in ${retry} s`, { until: factor.blocked_until }, retry);
    }
  }

  /**
   * A wrong code counts against the account (each one past LOCKOUT_THRESHOLD waits 30 s, doubling
   * up to LOCKOUT_SECONDS, until a right code) and against the pending sign-in, if any.
   */
  async #failed(userId: string, client: Client, challengeHash?: string): Promise<never> {
    const failures = await this.store.totp.recordFailure(userId);
    await this.audit.record({ kind: "totp.failed", targetId: userId, client, details: { during: challengeHash === undefined ? "settings" : "sign-in" } });
    const attemptsLeft = challengeHash === undefined ? undefined : Math.max(0, CHALLENGE_MAX_FAILURES - (await this.store.totp.failChallenge(challengeHash)));
    const { threshold, seconds } = this.opts.lockout;
    if (failures >= threshold) {
      const now = this.clock();
      const until = iso(now + Math.min(seconds, FIRST_DELAY_SECONDS * 2 ** (failures - threshold)) * 1000);
      await this.store.totp.block(userId, until);
      const retry = Math.max(1, Math.ceil((Date.parse(until) - now) / 1000));
      throw new AppError("RATE_LIMITED", `Too many wrong codes; try again in ${retry} s`, { until, attemptsLeft }, retry);
    }
    throw invalid(attemptsLeft);
  }

  /**
   * Recovery codes carry 60 random bits, so unlike passwords they need no slow hash to resist
   * guessing: argon2id would cost ~40–160 ms per code here, ten at enrolment. A keyed hash
   * (HMAC-SHA-256 under TOTP_KEY) is enough and means a leaked database alone cannot even be
   * searched offline. The account id is part of the input, so equal codes of two accounts differ.
   */
  #hashes(userId: string, codes: string[]): Promise<string[]> {
    return Promise.all(codes.map((c) => this.box.mac(`${userId}:${normalizeRecoveryCode(c)}`)));
  }
}

function isTotpCode(code: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code.replace(/\s/g, ""));
}

/** Lowercase, dashes and spaces dropped, the letters Crockford's base32 leaves out read as the digits they resemble. */
function normalizeRecoveryCode(code: string): string | null {
  const c = code
    .toLowerCase()
    .replace(/[\s-]/g, "")
    .replace(/[il]/g, "1")
    .replace(/o/g, "0");
  return c.length === RECOVERY_LENGTH && [...c].every((ch) => RECOVERY_ALPHABET.includes(ch)) ? c : null;
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    // 32 symbols divide 256 evenly, so taking each byte modulo 32 is unbiased.
    const symbols = [...crypto.getRandomValues(new Uint8Array(RECOVERY_LENGTH))].map((b) => RECOVERY_ALPHABET[b % 32]).join("");
    return symbols.match(/.{4}/g)!.join("-");
  });
}
