/** HTTP hygiene middleware: secure headers with a same-origin CSP, body limit, Origin checks. */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../shared/errors";
import { UNSTORABLE } from "../../shared/protocol";
import type { Env } from "./context";

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Avatars and icons are uploaded and served here: no other host sees who views a profile.
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function headers(https: boolean): MiddlewareHandler<Env> {
  // HSTS only means something (and only belongs) on an https deployment.
  const secure = secureHeaders({ referrerPolicy: "same-origin", xFrameOptions: "DENY", ...(https ? {} : { strictTransportSecurity: false }) });
  return async (c, next) => {
    await secure(c as never, next);
    // Served attachments bring a stricter policy of their own (routes/attachments.ts).
    if (!c.res.headers.has("Content-Security-Policy")) c.res.headers.set("Content-Security-Policy", CSP);
  };
}

export function limitBody(maxSize: number): MiddlewareHandler<Env> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than ${maxSize} bytes`);
    },
  }) as unknown as MiddlewareHandler<Env>;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site state changes are refused: a browser always sends Origin (or at least
 * Sec-Fetch-Site) on such requests. Non-browser clients send neither and pass. Allowed:
 * PUBLIC_URL, the origin the request names itself (Host), and the request's public origin
 * (http/origin.ts: behind a trusted proxy, X-Forwarded-Host), so a LAN address works when
 * PUBLIC_URL is unset.
 */
export function sameOrigin(publicUrl: string): MiddlewareHandler<Env> {
  const allowed = new URL(publicUrl).origin;
  return async (c, next) => {
    if (!SAFE.has(c.req.method)) {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      const own = new URL(c.req.url).origin;
      const host = c.req.header("host");
      const hostOrigin = host ? `${new URL(c.req.url).protocol}//${host}` : own;
      if (origin !== undefined && origin !== allowed && origin !== own && origin !== hostOrigin && origin !== c.get("publicOrigin")) {
        throw new AppError("FORBIDDEN", "Cross-site request refused");
      }
      if (origin === undefined && site === "cross-site") {
        throw new AppError("FORBIDDEN", "Cross-site request refused");
      }
    }
    await next();
  };
}

/**
 * Path segments reach the store as ids and the disk as file names: one that is not UTF-8 or
 * carries NUL or a lone surrogate (which PostgreSQL refuses and SQLite would keep) is bad
 * input, answered 400 the same on every store and for every path, never a 500.
 */
export function storablePath(): MiddlewareHandler<Env> {
  return async (c, next) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw new AppError("VALIDATION_ERROR", "The address is not valid UTF-8");
    }
    if (UNSTORABLE.test(path)) throw new AppError("VALIDATION_ERROR", "The address contains characters that are not allowed");
    await next();
  };
}
