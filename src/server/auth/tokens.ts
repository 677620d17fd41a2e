/** Access tokens (HS256 JWT) and opaque refresh tokens (stored only as SHA-256 hashes). */
import { SignJWT, jwtVerify, errors } from "jose";
import { AppError } from "../../shared/errors";

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Verified tokens remembered (a few MB at most); the oldest is forgotten first. */
const VERIFIED_MAX = 10_000;

export class TokenService {
  /**
   * Tokens that passed verification, with their claims: a reconnect, or a request with the same
   * token, skips the HMAC and the JOSE parsing (most of a socket upgrade's CPU). A token string
   * verifies the same way every time; only its expiry is checked again.
   */
  readonly #verified = new Map<string, AccessClaims & { exp: number }>();
  /** Imported once: given raw bytes, jose imports the key again on every sign and verify (each socket upgrade verifies). */
  readonly #key: Promise<CryptoKey>;

  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
  ) {
    this.#key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  }

  /** Returns the token and its expiry (ISO), which clients use to schedule a refresh. */
  async signAccess(claims: AccessClaims, nowMs = Date.now()): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + this.accessTtlSeconds;
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.#key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Only HS256 with our key is accepted: `alg: none` and foreign algorithms fail here. */
  async verifyAccess(token: string): Promise<AccessClaims & { exp: number }> {
    const known = this.#verified.get(token);
    if (known) {
      // As jose decides it: expired once exp <= now in whole seconds.
      if (known.exp > Math.floor(Date.now() / 1000)) return { ...known };
      this.#verified.delete(token);
      throw new AppError("TOKEN_EXPIRED", "Access token expired");
    }
    const claims = await this.#verify(token);
    this.#verified.set(token, claims);
    if (this.#verified.size > VERIFIED_MAX) this.#verified.delete(this.#verified.keys().next().value!);
    return { ...claims };
  }

  async #verify(token: string): Promise<AccessClaims & { exp: number }> {
    try {
      const { payload } = await jwtVerify(token, await this.#key, { algorithms: ["HS256"] });
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.exp !== "number") {
        throw new AppError("UNAUTHORIZED", "Malformed access token");
      }
      return { userId: payload.sub, sessionId: payload.sid, exp: payload.exp };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AppError("TOKEN_EXPIRED", "Access token expired");
      if (err instanceof AppError) throw err;
      throw new AppError("UNAUTHORIZED", "Invalid access token");
    }
  }
}

export function newRefreshToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("base64url");
}
