/**
 * Links mailed to prove an address or reset a password: an HS256 JWT (its own key, derived from
 * the JWT secret for this alone, with an audience) naming the user, the purpose, the address it
 * was sent to and a row id in account_tokens. The signature and expiry are checked first; the
 * row makes it single-use, and following one link of a purpose retires the others.
 */
import { SignJWT, errors, jwtVerify } from "jose";
import { AppError } from "../../shared/errors";
import type { AccountTokenRow, Store, TokenPurpose } from "../store/store";

const AUDIENCE = "parley:link";

export class LinkTokens {
  readonly #key: Promise<Uint8Array>;

  constructor(
    secret: string,
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {
    this.#key = crypto.subtle.digest("SHA-256", new TextEncoder().encode(`parley account links\u0000${secret}`)).then((d) => new Uint8Array(d));
  }

  async issue(userId: string, purpose: TokenPurpose, email: string, ttlSeconds: number): Promise<string> {
    const now = this.clock();
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    const exp = Math.floor(now / 1000) + ttlSeconds;
    await this.store.mail.issueToken({ id, user_id: userId, purpose, email, created_at: iso(now), expires_at: iso(exp * 1000) });
    return new SignJWT({ pur: purpose, em: email })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setJti(id)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp)
      .sign(await this.#key);
  }

  /** The token's claims if its signature, purpose and expiry hold (nothing is spent). */
  async check(token: string, purpose: TokenPurpose): Promise<{ userId: string; email: string; id: string }> {
    try {
      const { payload: p } = await jwtVerify(token, await this.#key, { algorithms: ["HS256"], audience: AUDIENCE, currentDate: new Date(this.clock()) });
      if (p.pur !== purpose || typeof p.sub !== "string" || typeof p.em !== "string" || typeof p.jti !== "string") throw new Error("wrong shape");
      return { userId: p.sub, email: p.em, id: p.jti };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AppError("LINK_EXPIRED", "This link has expired; ask for a new one");
      throw invalid();
    }
  }

  /** Checks, then spends the token for good. */
  async spend(token: string, purpose: TokenPurpose): Promise<AccountTokenRow> {
    const claims = await this.check(token, purpose);
    const row = await this.store.mail.spendToken(claims.id, purpose, iso(this.clock()));
    if (!row || row.user_id !== claims.userId) throw invalid();
    return row;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const invalid = () => new AppError("LINK_INVALID", "This link was already used, replaced by a newer one, or is not valid; ask for a new one");
