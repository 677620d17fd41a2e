/**
 * Guest tokens: HS256 JWTs for visitors of one room. Signed with a key derived from the JWT
 * secret for this purpose alone, so an access token never verifies as a guest token nor the
 * reverse, and carrying an audience and the room they are good for. Nothing is stored: a guest
 * session ends when its token expires (the gateway closes the socket then).
 */
import { SignJWT, jwtVerify, errors } from "jose";
import { AppError } from "../../shared/errors";
import { GUEST_ID_RE } from "../../shared/calls";

const AUDIENCE = "parley:guest";

export interface GuestClaims {
  /** "g-<uuid>": the guest's participant id. */
  id: string;
  name: string;
  roomId: string;
  conversationId: string;
  /** Epoch seconds. */
  exp: number;
}

export class GuestTokens {
  readonly #key: Promise<Uint8Array>;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.#key = crypto.subtle.digest("SHA-256", new TextEncoder().encode(`parley guest tokens\u0000${secret}`)).then((d) => new Uint8Array(d));
  }

  async sign(claims: Omit<GuestClaims, "exp">, nowMs = Date.now()): Promise<{ token: string; exp: number }> {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ name: claims.name, room: claims.roomId, conv: claims.conversationId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.id)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.#key);
    return { token, exp };
  }

  async verify(token: string | undefined): Promise<GuestClaims> {
    if (!token) throw new AppError("UNAUTHORIZED", "Not signed in");
    try {
      const { payload: p } = await jwtVerify(token, await this.#key, { algorithms: ["HS256"], audience: AUDIENCE });
      if (typeof p.sub !== "string" || !GUEST_ID_RE.test(p.sub) || typeof p.name !== "string" || typeof p.room !== "string" || typeof p.conv !== "string" || typeof p.exp !== "number") {
        throw new AppError("UNAUTHORIZED", "Malformed guest token");
      }
      return { id: p.sub, name: p.name, roomId: p.room, conversationId: p.conv, exp: p.exp };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AppError("TOKEN_EXPIRED", "Your guest session expired; join again");
      if (err instanceof AppError) throw err;
      throw new AppError("UNAUTHORIZED", "Invalid guest token");
    }
  }
}
