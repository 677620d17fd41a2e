/**
 * What account mail does: verification links (at registration, on request, for a new address),
 * password resets, and the note to an address's owner when someone registers it again. Mail
 * goes out in the background, so an answer never waits on (or reveals) whether one was sent.
 * Links always start with PUBLIC_URL, never a request's Host: whoever asks for a reset must not
 * be able to steer where its link points.
 */
import { AppError } from "../../shared/errors";
import type { Me } from "../../shared/protocol";
import type { Bus } from "../bus/bus";
import type { Mailer } from "../mail/mailer";
import { alreadyRegisteredMail, emailChangedMail, resetPasswordMail, verifyEmailMail } from "../mail/templates";
import type { Logger } from "../obs/log";
import type { Store, UserRow } from "../store/store";
import { toMe } from "../social/users";
import { WindowLimiter } from "./limiter";
import type { LinkTokens } from "./mail-tokens";
import type { PasswordHasher } from "./passwords";
import type { Actor, Client } from "./service";
import type { AuditLog } from "../audit/audit-log";

export interface AccountMailOptions {
  publicUrl: string;
  verifyTtlSeconds: number;
  resetTtlSeconds: number;
  perAccountPerHour: number;
  perAddressPerHour: number;
}

const HOUR = 3600_000;

export class AccountMailService {
  /** Mails per account and kind ("email:", "password:", "registered:"), per hour. */
  readonly #perAccount: WindowLimiter;
  /** Password reset requests per client address, per hour. */
  readonly #perAddress: WindowLimiter;
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly mailer: Mailer,
    private readonly links: LinkTokens,
    private readonly hasher: PasswordHasher,
    private readonly bus: Bus,
    private readonly opts: AccountMailOptions,
    private readonly log: Logger,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {
    this.#perAccount = new WindowLimiter(opts.perAccountPerHour, HOUR, clock);
    this.#perAddress = new WindowLimiter(opts.perAddressPerHour, HOUR, clock);
  }

  /** A new account: mail it its verification link. */
  registered(user: UserRow): void {
    this.#background(() => this.#sendVerification(user, user.email));
  }

  /** Someone registered an address that has an account: tell its owner (at most perAccountPerHour an hour). */
  registeredAgain(owner: UserRow): void {
    if (!this.#allowed(`registered:${owner.id}`)) return;
    this.#background(() => this.mailer.send(alreadyRegisteredMail(owner.email, owner.display_name, this.#link("/login"), this.#link("/forgot-password"))));
  }

  /** The banner's Resend: RATE_LIMITED past the account's budget; nothing to do once verified. */
  async resendVerification(actor: Actor): Promise<void> {
    const user = await this.#user(actor.userId);
    if (user.email_verified) return;
    this.#perAccount.hit(`email:${user.id}`);
    await this.#sendVerification(user, user.email);
  }

  /**
   * A new address takes effect only once its link is followed (the old one stays, verified or
   * not, until then), so nobody can move an account onto an address they do not read. Password
   * accounts confirm with their password. Whether the address is free is not told here: its
   * owner learns it from the link.
   */
  async requestEmailChange(actor: Actor, email: string, password: string | undefined, client: Client): Promise<void> {
    const user = await this.#user(actor.userId);
    if (user.password_hash !== null && !(await this.hasher.verify(password ?? "", user.password_hash))) {
      throw new AppError("INVALID_CREDENTIALS", "Wrong password");
    }
    if (email === user.email) throw new AppError("VALIDATION_ERROR", "That is already your address", { fields: { email: "That is already your address" } });
    this.#perAccount.hit(`email:${user.id}`);
    await this.#sendVerification(user, email);
    await this.audit.record({ kind: "email.change_requested", actorId: user.id, targetId: user.id, client, details: { to: email } });
  }

  /** Follows a verification link: the address it was sent to becomes the account's, verified. */
  async verifyEmail(token: string): Promise<Me> {
    const row = await this.links.spend(token, "email");
    const before = await this.#user(row.user_id);
    const user = await this.store.mail.proveEmail(row.user_id, row.email, iso(this.clock()));
    if (!user) throw new AppError("LINK_INVALID", "This account no longer exists");
    if (before.email !== user.email) {
      await this.audit.record({ kind: "email.changed", targetId: user.id, details: { from: before.email, to: user.email } });
      this.#background(() => this.mailer.send(emailChangedMail(before.email, user.display_name, user.email)));
    }
    const me = toMe(user);
    await this.bus.publish({ type: "deliver", to: { users: [user.id] }, event: { type: "me:updated", user: me } });
    await this.bus.publish({ type: "hello:stale", userIds: [user.id] });
    return me;
  }

  /**
   * Same answer, after the same lookup, whether or not the address has an account; the token
   * and the mail are made in the background. RATE_LIMITED past the address's budget; past the
   * account's, nothing is sent (and nothing said).
   */
  async requestPasswordReset(email: string, ip: string): Promise<void> {
    this.#perAddress.hit(ip);
    const user = await this.store.accounts.userByEmail(email);
    if (!user || !this.#allowed(`password:${user.id}`)) return;
    this.#background(async () => {
      const token = await this.links.issue(user.id, "password", user.email, this.opts.resetTtlSeconds);
      await this.mailer.send(resetPasswordMail(user.email, user.display_name, this.#link(`/reset-password?token=${token}`), Math.round(this.opts.resetTtlSeconds / 60)));
    });
  }

  /**
   * Follows a reset link: the new password, the address proven, and every session of the
   * account ended (all refresh-token families; open sockets close with 4401). No session is
   * started here: signing in again goes through every step login asks for.
   */
  async resetPassword(token: string, password: string, client: Client): Promise<void> {
    await this.links.check(token, "password");
    const hash = await this.hasher.hash(password);
    const row = await this.links.spend(token, "password");
    if (!(await this.store.mail.resetPassword(row.user_id, row.email, hash, iso(this.clock())))) {
      throw new AppError("LINK_INVALID", "This account no longer exists");
    }
    await this.audit.record({ kind: "password.reset", targetId: row.user_id, client });
    await this.bus.publish({ type: "sessions:ended", userId: row.user_id, sessionIds: "all" });
  }

  /** Waits for mail still being sent (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  async #sendVerification(user: UserRow, email: string): Promise<void> {
    const token = await this.links.issue(user.id, "email", email, this.opts.verifyTtlSeconds);
    await this.mailer.send(verifyEmailMail(email, user.display_name, this.#link(`/verify-email?token=${token}`), Math.round(this.opts.verifyTtlSeconds / 3600)));
  }

  async #user(id: string): Promise<UserRow> {
    const u = await this.store.accounts.userById(id);
    if (!u) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    return u;
  }

  #allowed(key: string): boolean {
    try {
      this.#perAccount.hit(key);
      return true;
    } catch {
      return false;
    }
  }

  #link(path: string): string {
    return `${this.opts.publicUrl}${path}`;
  }

  #background(work: () => Promise<void>): void {
    const p = work()
      .catch((err) => this.log.error("account mail failed", { error: String(err) }))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
