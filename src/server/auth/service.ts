/**
 * Accounts and sessions: register, log in, rotate refresh tokens with reuse detection,
 * log out, list and revoke sessions. Knows nothing of HTTP; callers pass plain values.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { RESERVED_USERNAMES, USERNAME_RESERVED_MESSAGE, type LoginBody, type RegisterBody } from "../../shared/protocol";
import type { SessionRow, Store, UserRow } from "../store/store";
import { TAKEN } from "../store/accounts";
import type { Bus } from "../bus/bus";
import type { PasswordHasher } from "./passwords";
import { hashRefreshToken, newRefreshToken, type TokenService } from "./tokens";
import { loginKey } from "../store/accounts";
import { ACCOUNT_WIDE } from "../store/throttle";
import type { PendingSignIn, TotpService } from "./totp";
import type { AuditLog } from "../audit/audit-log";
import type { SessionCache } from "./session-cache";

export interface Client {
  ip: string;
  userAgent: string;
}

export interface Actor {
  userId: string;
  sessionId: string;
}

export interface IssuedTokens {
  accessToken: string;
  /** ISO time the access token expires. */
  accessExpiresAt: string;
  refreshToken: string;
  sessionId: string;
}

/** The first factor a sign-in passed. */
export type SignInMethod = "password" | "oidc";

/** What a right first factor (password or OIDC provider) leads to: a session, or the second step. */
export type SignIn = ({ kind: "session" } & IssuedTokens) | ({ kind: "totp" } & PendingSignIn);

export interface AuthOptions {
  refreshTtlSeconds: number;
  lockout: { threshold: number; seconds: number; addresses: number };
}

/** Failed sign-ins since the account's last successful one, from any address. */
export interface RecentFailures {
  count: number;
  lastAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** An address's first delay once it reaches the threshold; each further failure doubles it, up to LOCKOUT_SECONDS. */
const FIRST_DELAY_SECONDS = 30;

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly opts: AuthOptions,
    private readonly bus: Bus,
    private readonly totp: TotpService,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
    /** Remembers live sessions between requests; without it every check reads the row. */
    private readonly liveSessions?: SessionCache,
  ) {}

  /**
   * Creates the account, or finds that the email already has one. No session: the caller starts
   * one for a new account, or (HIDE_REGISTERED_EMAILS) answers both alike and mails the address
   * (a verification link, or a note to its owner). The password is hashed in both cases so the
   * timing matches too. Usernames are public, so a taken one is a plain CONFLICT, checked first
   * so that answer does not depend on the email. `here` and `everyone` are nobody's.
   */
  async register(input: RegisterBody): Promise<{ created: UserRow } | { taken: UserRow }> {
    if (RESERVED_USERNAMES.has(input.username)) throw new AppError("USERNAME_RESERVED", USERNAME_RESERVED_MESSAGE, { field: "username" });
    if (await this.store.accounts.usernameTaken(input.username)) {
      throw new AppError("CONFLICT", TAKEN.username, { field: "username" });
    }
    const passwordHash = await this.hasher.hash(input.password);
    const owner = await this.store.accounts.userByEmail(input.email);
    if (owner) return { taken: owner };
    try {
      const created = await this.store.accounts.createUser({
        id: newId(),
        email: input.email,
        username: input.username,
        displayName: input.username,
        passwordHash,
        now: iso(this.clock()),
      });
      return { created };
    } catch (err) {
      // A concurrent registration of the same address won the unique index.
      const winner = err instanceof AppError && (err.details as { field?: string } | undefined)?.field === "email" ? await this.store.accounts.userByEmail(input.email) : undefined;
      if (winner) return { taken: winner };
      throw err;
    }
  }

  /**
   * Failures are throttled per account and client address (OWASP's answer to lockout as a
   * weapon): after LOCKOUT_THRESHOLD failures an address waits 30 s, then twice as long after
   * each further failure, up to LOCKOUT_SECONDS — other addresses are untouched, so the owner
   * still signs in. Only when LOCKOUT_ADDRESSES distinct addresses fail within LOCKOUT_SECONDS
   * does the whole account slow down (1 s, doubling per further address). Identifiers with no
   * account are throttled the same way under their normalized login, and the same queries and
   * argon2id work run either way, so no answer tells whether an account exists. An account
   * without a password (OIDC only) fails as a wrong password does.
   */
  async login(input: LoginBody, client: Client): Promise<{ user: UserRow; recentFailures: RecentFailures | null } & SignIn> {
    const user = await this.store.accounts.userByLogin(input.login);
    const key = user ? `u:${user.id}` : `l:${loginKey(input.login)}`;
    const now = this.clock();
    const blocks = await this.store.throttle.loginBlocks(key, client.ip);
    const blockedUntil = [blocks.address, blocks.account].filter((u): u is string => u !== null && Date.parse(u) > now).sort().at(-1);
    if (blockedUntil) throw this.#locked(blockedUntil, now);
    const ok =
      user?.password_hash != null
        ? await this.hasher.verify(input.password, user.password_hash)
        : await this.hasher.verifyNothing(input.password);
    if (!ok || !user) await this.#failed(key, client, now, user?.id ?? null, input.login);
    const recentFailures = await this.store.throttle.loginSucceeded(key, client.ip);
    const issued = await this.signIn(user!.id, client, "password");
    // The email's owner may have claimed the account (dropping this password) during the verify.
    if ((await this.store.accounts.userById(user!.id))?.password_hash !== user!.password_hash) {
      if (issued.kind === "session") await this.store.accounts.revokeSession(user!.id, issued.sessionId, iso(this.clock()));
      throw new AppError("INVALID_CREDENTIALS", "Wrong login or password");
    }
    return { user: user!, recentFailures, ...issued };
  }

  /** `userId` null: no account has that login, which the log keeps (the login is what was tried). */
  async #failed(key: string, client: Client, now: number, userId: string | null, login: string): Promise<never> {
    const { threshold, seconds, addresses: manyAddresses } = this.opts.lockout;
    const after = (delaySeconds: number) => iso(now + Math.min(seconds, delaySeconds) * 1000);
    const ip = client.ip;
    const { failures, addresses } = await this.store.throttle.recordLoginFailure(key, ip, iso(now), iso(now - seconds * 1000));
    await this.audit.record({ kind: "login.failed", targetId: userId, client, details: userId ? {} : { login: login.slice(0, 256) } });
    const throttled = (scope: "address" | "account", until: string) =>
      this.audit.record({ kind: "login.throttled", targetId: userId, client, details: { scope, until, ...(userId ? {} : { login: login.slice(0, 256) }) } });
    if (addresses >= manyAddresses) {
      const until = after(2 ** (addresses - manyAddresses));
      await this.store.throttle.blockLogin(key, ACCOUNT_WIDE, until);
      await throttled("account", until);
    }
    if (failures >= threshold) {
      const until = after(FIRST_DELAY_SECONDS * 2 ** (failures - threshold));
      await this.store.throttle.blockLogin(key, ip, until);
      await throttled("address", until);
      throw this.#locked(until, now);
    }
    throw new AppError("INVALID_CREDENTIALS", "Wrong login or password");
  }

  #locked(until: string, now: number): AppError {
    const retry = Math.max(1, Math.ceil((Date.parse(until) - now) / 1000));
    return new AppError("ACCOUNT_LOCKED", `Too many failed attempts; try again in ${retry} s`, { until }, retry);
  }

  /** After a right first factor: a session, or a pending sign-in when the account has two-factor on. */
  async signIn(userId: string, client: Client, method: SignInMethod): Promise<SignIn> {
    await this.#refuseDisabled(userId, client);
    const pending = await this.totp.challenge(userId);
    if (pending) return { kind: "totp", ...pending };
    const issued = await this.startSession(userId, client);
    await this.audit.record({ kind: "login.succeeded", actorId: userId, targetId: userId, client, details: { method } });
    return { kind: "session", ...issued };
  }

  /** The second step of a sign-in: a right code (or recovery code) turns the pending sign-in into a session. */
  async completeSignIn(pendingToken: string | undefined, code: string, client: Client): Promise<{ user: UserRow; recoveryCodesLeft?: number } & IssuedTokens> {
    const { userId, recoveryCodesLeft } = await this.totp.complete(pendingToken, code, client);
    const user = await this.store.accounts.userById(userId);
    if (!user) throw new AppError("UNAUTHORIZED", "This sign-in has expired; enter your password again");
    await this.#refuseDisabled(userId, client, user);
    const issued = await this.startSession(userId, client);
    const secondFactor = recoveryCodesLeft === undefined ? "totp" : "recovery";
    await this.audit.record({ kind: "login.succeeded", actorId: userId, targetId: userId, client, details: { secondFactor } });
    return { user, recoveryCodesLeft, ...issued };
  }

  /** Said only after a right first factor, so it tells nobody else whether an account is disabled. */
  async #refuseDisabled(userId: string, client: Client, known?: UserRow): Promise<void> {
    const user = known ?? (await this.store.accounts.userById(userId));
    if (!user?.disabled_at) return;
    await this.audit.record({ kind: "login.disabled", targetId: userId, client });
    throw new AppError("ACCOUNT_DISABLED", "This account has been disabled by the instance's admins");
  }

  async startSession(userId: string, client: Client): Promise<IssuedTokens> {
    const now = this.clock();
    const refreshToken = newRefreshToken();
    const session = await this.store.accounts.createSession({
      id: newId(),
      userId,
      userAgent: client.userAgent.slice(0, 512),
      ip: client.ip,
      refreshHash: hashRefreshToken(refreshToken),
      now: iso(now),
      expiresAt: iso(now + this.opts.refreshTtlSeconds * 1000),
    });
    const access = await this.tokens.signAccess({ userId, sessionId: session.id }, now);
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken, sessionId: session.id };
  }

  async refresh(refreshToken: string | undefined, client: Client): Promise<IssuedTokens> {
    if (!refreshToken) throw new AppError("UNAUTHORIZED", "Not signed in");
    const now = this.clock();
    const next = newRefreshToken();
    const r = await this.store.accounts.rotateRefresh(hashRefreshToken(refreshToken), hashRefreshToken(next), iso(now));
    if (r.kind === "reused") {
      const session = await this.store.accounts.sessionById(r.sessionId);
      await this.audit.record({ kind: "token.reused", targetId: session?.user_id ?? null, client, details: { sessionId: r.sessionId } });
      if (session) await this.bus.publish({ type: "sessions:ended", userId: session.user_id, sessionIds: [session.id] });
      throw new AppError("TOKEN_REUSED", "This refresh token was already used; the session has been signed out");
    }
    if (r.kind === "invalid") throw new AppError("UNAUTHORIZED", "Session expired or signed out");
    const access = await this.tokens.signAccess({ userId: r.session.user_id, sessionId: r.session.id }, now);
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken: next, sessionId: r.session.id };
  }

  /** Resolves an access token to a live session's actor. */
  async authenticate(accessToken: string | undefined): Promise<Actor> {
    return (await this.authenticateWithExpiry(accessToken)).actor;
  }

  /** As authenticate, with the token's expiry (epoch seconds) for long-lived connections. */
  async authenticateWithExpiry(accessToken: string | undefined): Promise<{ actor: Actor; exp: number }> {
    if (!accessToken) throw new AppError("UNAUTHORIZED", "Not signed in");
    const claims = await this.tokens.verifyAccess(accessToken);
    const read = async () => {
      const session = await this.store.accounts.sessionById(claims.sessionId);
      return !!session && !session.revoked_at && session.user_id === claims.userId;
    };
    const live = this.liveSessions ? await this.liveSessions.isLive(claims.userId, claims.sessionId, read) : await read();
    if (!live) throw new AppError("UNAUTHORIZED", "Session signed out");
    return { actor: { userId: claims.userId, sessionId: claims.sessionId }, exp: claims.exp };
  }

  async logout(actor: Actor): Promise<void> {
    await this.store.accounts.revokeSession(actor.userId, actor.sessionId, iso(this.clock()));
    await this.bus.publish({ type: "sessions:ended", userId: actor.userId, sessionIds: [actor.sessionId] });
  }

  async logoutAll(actor: Actor, client: Client): Promise<void> {
    await this.store.accounts.revokeAllSessions(actor.userId, iso(this.clock()));
    await this.audit.record({ kind: "sessions.revoked_all", actorId: actor.userId, targetId: actor.userId, client });
    await this.bus.publish({ type: "sessions:ended", userId: actor.userId, sessionIds: "all" });
  }

  /**
   * An OIDC provider vouched for this account's email. If nobody had proven it before (a
   * password registration), whoever registered it may not be its owner: their password and
   * every session, open sockets included, end here.
   */
  async emailProven(userId: string): Promise<void> {
    if (await this.store.accounts.claimEmail(userId, iso(this.clock()))) {
      await this.bus.publish({ type: "sessions:ended", userId, sessionIds: "all" });
    }
  }

  async sessions(actor: Actor): Promise<Array<SessionRow & { current: boolean }>> {
    const rows = await this.store.accounts.listSessions(actor.userId, iso(this.clock()));
    return rows.map((s) => ({ ...s, current: s.id === actor.sessionId }));
  }

  async revokeSession(actor: Actor, sessionId: string, client: Client): Promise<void> {
    if (!(await this.store.accounts.revokeSession(actor.userId, sessionId, iso(this.clock())))) {
      throw new AppError("NOT_FOUND", "No such session");
    }
    await this.audit.record({ kind: "session.revoked", actorId: actor.userId, targetId: actor.userId, client, details: { sessionId } });
    await this.bus.publish({ type: "sessions:ended", userId: actor.userId, sessionIds: [sessionId] });
  }
}
