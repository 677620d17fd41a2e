import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "../../../shared/errors";
import type { AuthService } from "../../auth/service";
import type { OidcService } from "../../auth/oidc";
import type { WindowLimiter } from "../../auth/limiter";
import type { Config } from "../../config";
import type { Logger } from "../../obs/log";
import { clientOf, type Env } from "../context";
import { setSessionCookies } from "./auth";
import { setPendingSignIn } from "./totp";

const FLOW_COOKIE = "oidc_flow";
const FLOW_PATH = "/api/auth/oidc";

/** Browser navigations, not API calls: failures redirect to the login page with a code. */
export function oidcRoutes(d: { config: Readonly<Config>; auth: AuthService; oidc: OidcService; ipLimiter: WindowLimiter; log: Logger }) {
  const r = new Hono<Env>();
  const fail = (err: unknown) => {
    const code = err instanceof AppError ? err.code : "OIDC_ERROR";
    if (!(err instanceof AppError)) d.log.error("oidc sign-in failed", { error: String(err) });
    return `/login?error=${encodeURIComponent(code)}`;
  };

  r.get("/:provider", async (c) => {
    try {
      d.ipLimiter.hit(clientOf(c, d.config.trustProxy).ip);
      const { url, flowCookie, maxAge } = await d.oidc.begin(c.req.param("provider"), { next: c.req.query("next"), reauth: c.req.query("reauth") === "1" });
      setCookie(c, FLOW_COOKIE, flowCookie, { httpOnly: true, sameSite: "Lax", secure: d.config.secureCookies, path: FLOW_PATH, maxAge });
      return c.redirect(url, 302);
    } catch (err) {
      return c.redirect(fail(err), 302);
    }
  });

  r.get("/:provider/callback", async (c) => {
    const flow = getCookie(c, FLOW_COOKIE);
    deleteCookie(c, FLOW_COOKIE, { path: FLOW_PATH, secure: d.config.secureCookies });
    try {
      const { signIn, next } = await d.oidc.complete(c.req.param("provider"), new URL(c.req.url), flow, clientOf(c, d.config.trustProxy));
      if (signIn.kind === "totp") {
        setPendingSignIn(c, d.config, signIn);
        return c.redirect("/login?step=totp", 302);
      }
      setSessionCookies(c, d.config, signIn);
      return c.redirect(next, 302);
    } catch (err) {
      d.log.warn("oidc callback refused", { error: err instanceof Error ? err.message : String(err) });
      return c.redirect(fail(err), 302);
    }
  });

  return r;
}
