/**
 * Where absolute links the server makes (invites, and any later link to a page of the app)
 * point. PUBLIC_URL wins when set. Without it, the origin the user is on: the request's Host,
 * honoured only when it names the address and port we listen on (any name with the right
 * port when listening on every interface), or — with TRUST_PROXY — X-Forwarded-Host/-Proto.
 * Anything else falls back to PUBLIC_URL's default, http://localhost:$PORT.
 * OIDC callbacks do not use this: the provider must know them in advance, so they stay PUBLIC_URL.
 */
import type { MiddlewareHandler } from "hono";
import type { Config } from "../config";
import type { Ctx, Env } from "./context";

type OriginConfig = Pick<Config, "publicUrl" | "publicUrlSet" | "trustProxy" | "host" | "port">;

/** host[:port], a DNS name or an IP literal: nothing that could change the shape of a URL. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

const last = (v: string | undefined) => v?.split(",").at(-1)?.trim() || undefined;

function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, "");
}

function listenedOn(host: string, proto: string, cfg: OriginConfig, boundPort: number): boolean {
  const port = Number(HOST.exec(host)![1] ?? (proto === "https:" ? 443 : 80));
  if (port !== boundPort) return false;
  const name = hostnameOf(host).toLowerCase();
  if (WILDCARD.has(cfg.host)) return true;
  return name === cfg.host.toLowerCase() || (LOOPBACK.has(cfg.host) && LOOPBACK.has(name));
}

/** The origin for this request, as `publicOrigin(c)` reads it; see the file comment. */
export function resolveOrigin(c: Ctx, cfg: OriginConfig): string {
  if (cfg.publicUrlSet) return cfg.publicUrl;
  const ownProto = new URL(c.req.url).protocol;
  if (cfg.trustProxy) {
    const host = last(c.req.header("x-forwarded-host")) ?? c.req.header("host");
    const fwdProto = last(c.req.header("x-forwarded-proto"));
    const proto = fwdProto === "https" || fwdProto === "http" ? `${fwdProto}:` : ownProto;
    if (host && HOST.test(host)) return `${proto}//${host}`;
    return cfg.publicUrl;
  }
  const host = c.req.header("host");
  if (host && HOST.test(host) && listenedOn(host, ownProto, cfg, c.env?.port ?? cfg.port)) return `${ownProto}//${host}`;
  return cfg.publicUrl;
}

/** Puts the request's public origin where `publicOrigin(c)` finds it. */
export function originOf(cfg: OriginConfig): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set("publicOrigin", resolveOrigin(c, cfg));
    await next();
  };
}

/** The origin absolute links in this request's answer start with (no trailing slash). */
export function publicOrigin(c: Ctx): string {
  return c.get("publicOrigin");
}
