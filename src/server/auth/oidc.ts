/**
 * OpenID Connect sign-in: authorization code + PKCE + state + nonce. The flow's secrets
 * ride in a short-lived signed cookie (so any node can finish the flow); the ID token is
 * verified against the issuer's JWKS before an account is found, linked or created.
 */
import * as oidc from "openid-client";
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { cleanName } from "../../shared/names";
import { RESERVED_USERNAMES, USERNAME_RE } from "../../shared/protocol";
import type { OidcProviderConfig } from "../config";
import type { Store, UserRow } from "../store/store";
import type { AuthService, Client, SignIn } from "./service";

interface Flow {
  provider: string;
  state: string;
  nonce: string;
  verifier: string;
  /** Where the browser lands after the sign-in: a path of this app (absent in flows begun before it existed). */
  next?: string;
}

interface Discovered {
  config: oidc.Configuration;
  jwks: JWTVerifyGetKey;
}

const FLOW_TTL_SECONDS = 600;
/** A path of this app ("/settings/security"); anything else (another origin, "//host") lands on "/". */
const APP_PATH = /^\/(?![/\\])[\w\-./]*$/;

export class OidcService {
  readonly #discovered = new Map<string, Promise<Discovered>>();
  readonly #key: Uint8Array;

  constructor(
    private readonly providers: readonly OidcProviderConfig[],
    private readonly publicUrl: string,
    secret: string,
    private readonly store: Store,
    private readonly auth: AuthService,
    private readonly clock: () => number = Date.now,
  ) {
    this.#key = new TextEncoder().encode(`oidc-flow:${secret}`);
  }

  callbackUrl(providerId: string): string {
    return `${this.publicUrl}/api/auth/oidc/${providerId}/callback`;
  }

  #provider(id: string): OidcProviderConfig {
    const p = this.providers.find((x) => x.id === id);
    if (!p) throw new AppError("NOT_FOUND", "No such sign-in provider");
    return p;
  }

  #discover(p: OidcProviderConfig): Promise<Discovered> {
    let d = this.#discovered.get(p.id);
    if (!d) {
      const insecure = new URL(p.issuer).protocol === "http:";
      d = oidc
        .discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .then((config) => {
          const jwksUri = config.serverMetadata().jwks_uri;
          if (!jwksUri) throw new AppError("OIDC_ERROR", "The provider publishes no JWKS");
          return { config, jwks: createRemoteJWKSet(new URL(jwksUri)) };
        });
      // A failed discovery is retried on the next sign-in instead of being cached.
      d.catch(() => this.#discovered.delete(p.id));
      this.#discovered.set(p.id, d);
    }
    return d;
  }

  /**
   * Returns the provider's authorization URL and the signed flow cookie value. `next`: where the
   * browser lands afterwards. `reauth`: the user proves themselves again (prompt=login), so a
   * provider session left open in the browser does not stand in for them.
   */
  async begin(providerId: string, opts: { next?: string; reauth?: boolean } = {}): Promise<{ url: string; flowCookie: string; maxAge: number }> {
    const p = this.#provider(providerId);
    const { config } = await this.#discover(p).catch((err) => {
      throw err instanceof AppError ? err : new AppError("OIDC_ERROR", "The sign-in provider is unreachable");
    });
    const flow: Flow = {
      provider: p.id,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      next: opts.next && APP_PATH.test(opts.next) ? opts.next : "/",
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl(p.id),
      scope: "openid email profile",
      response_type: "code",
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: "S256",
      state: flow.state,
      nonce: flow.nonce,
      ...(opts.reauth ? { prompt: "login" } : {}),
    });
    const iat = Math.floor(this.clock() / 1000);
    const flowCookie = await new SignJWT({ ...flow })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + FLOW_TTL_SECONDS)
      .sign(this.#key);
    return { url: url.href, flowCookie, maxAge: FLOW_TTL_SECONDS };
  }

  /** A session, or the second step when the account has two-factor on (the provider is only the first factor); and where to land. */
  async complete(providerId: string, currentUrl: URL, flowCookie: string | undefined, client: Client): Promise<{ signIn: SignIn; next: string }> {
    const p = this.#provider(providerId);
    const flow = await this.#readFlow(flowCookie, p.id);
    const { config, jwks } = await this.#discover(p);
    // The callback arrives at the public URL; rebuild it so redirect_uri matches exactly.
    const callback = new URL(this.callbackUrl(p.id));
    callback.search = currentUrl.search;
    let idToken: string | undefined;
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      idToken = tokens.id_token;
      accessToken = tokens.access_token;
    } catch (err) {
      throw new AppError("OIDC_ERROR", `Sign-in was not completed: ${(err as Error).message}`);
    }
    if (!idToken) throw new AppError("OIDC_ERROR", "The provider returned no ID token");
    const claims = await jwtVerify(idToken, jwks, { issuer: config.serverMetadata().issuer, audience: p.clientId })
      .then((r) => r.payload)
      .catch((err) => {
        throw new AppError("OIDC_ERROR", `The ID token failed verification: ${(err as Error).message}`);
      });
    if (claims.nonce !== flow.nonce || typeof claims.sub !== "string") {
      throw new AppError("OIDC_ERROR", "The ID token does not belong to this sign-in");
    }
    const user = await this.#account(p.id, await this.#profile(config, accessToken, claims as IdClaims));
    return { signIn: await this.auth.signIn(user.id, client, "oidc"), next: flow.next ?? "/" };
  }

  /**
   * Spec-conformant providers release scope claims (email, profile) from the UserInfo
   * endpoint rather than the ID token when an access token is issued (OIDC Core §5.4), so
   * fetch them when the ID token has no email. The subject is checked against the ID token.
   */
  async #profile(config: oidc.Configuration, accessToken: string, claims: IdClaims): Promise<IdClaims> {
    if (typeof claims.email === "string") return claims;
    const info = await oidc.fetchUserInfo(config, accessToken, claims.sub).catch((err) => {
      throw new AppError("OIDC_ERROR", `The provider's user info could not be read: ${(err as Error).message}`);
    });
    // email and email_verified must come from the same response to mean anything together.
    return { ...claims, ...info, sub: claims.sub, email: info.email, email_verified: info.email_verified };
  }

  async #readFlow(cookie: string | undefined, providerId: string): Promise<Flow> {
    if (!cookie) throw new AppError("OIDC_ERROR", "The sign-in attempt expired; start again");
    try {
      const { payload } = await jwtVerify(cookie, this.#key, { algorithms: ["HS256"] });
      const f = payload as unknown as Flow;
      if (f.provider !== providerId) throw new Error("provider mismatch");
      return f;
    } catch {
      throw new AppError("OIDC_ERROR", "The sign-in attempt expired; start again");
    }
  }

  /**
   * Finds the linked account, links one by verified email, or creates one with a free username.
   * Linking proves the email, which ends a pre-registrant's password and sessions.
   */
  async #account(provider: string, c: IdClaims): Promise<UserRow> {
    const now = new Date(this.clock()).toISOString();
    const linked = await this.store.accounts.userIdForIdentity(provider, c.sub);
    if (linked) {
      const u = await this.store.accounts.userById(linked);
      if (u) return u;
    }
    const email = typeof c.email === "string" ? c.email.trim().toLowerCase() : undefined;
    if (!email) throw new AppError("OIDC_ERROR", "The provider did not share an email address");
    const existing = await this.store.accounts.userByEmail(email);
    if (existing) {
      if (c.email_verified !== true) {
        throw new AppError("OIDC_ERROR", "An account with this email exists; sign in with your password first");
      }
      await this.store.accounts.linkIdentity(provider, c.sub, existing.id, now);
      await this.auth.emailProven(existing.id);
      return existing;
    }
    const username = await this.#freeUsername(c, email);
    const user = await this.store.accounts.createUser({
      id: newId(),
      email,
      username,
      // The claim passes the rules a typed name does, less what they refuse.
      displayName: (typeof c.name === "string" && cleanName(c.name, 64)) || cleanName(email.split("@")[0]!, 64) || username,
      passwordHash: null,
      emailVerified: true,
      now,
    });
    await this.store.accounts.linkIdentity(provider, c.sub, user.id, now);
    return user;
  }

  async #freeUsername(c: IdClaims, email: string): Promise<string> {
    const seed = (typeof c.preferred_username === "string" ? c.preferred_username : email.split("@")[0]!)
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_")
      .slice(0, 24)
      .padEnd(3, "_");
    // A reserved seed ("here") takes a suffix like a taken one.
    if (USERNAME_RE.test(seed) && !RESERVED_USERNAMES.has(seed) && !(await this.store.accounts.usernameTaken(seed))) return seed;
    for (let i = 0; i < 20; i++) {
      const candidate = `${seed}_${Math.floor(Math.random() * 10 ** (2 + Math.min(i, 5)))}`.slice(0, 32);
      if (!(await this.store.accounts.usernameTaken(candidate))) return candidate;
    }
    return `user_${newId().replace(/-/g, "").slice(-12)}`;
  }
}

interface IdClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  preferred_username?: unknown;
}
