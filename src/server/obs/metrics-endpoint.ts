/**
 * Where /metrics is served and to whom. Nothing on the public port by default: there only to
 * bearers of METRICS_TOKEN; METRICS_PORT serves it on a port of its own (the Prometheus habit),
 * which the network, not the app, keeps private — unless the token is set, which it then asks too.
 */
import type { Server } from "bun";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import type { Metrics } from "./metrics";

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export function metricsResponse(metrics: Metrics, token: string | null, authorization: string | null | undefined): Response {
  if (token !== null && !bearerMatches(authorization, token)) {
    return errorResponse(401, "UNAUTHORIZED", "Metrics need the bearer token", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  return new Response(metrics.render(), { headers: { "Content-Type": "text/plain; version=0.0.4" } });
}

/** The metrics listener of METRICS_PORT (port 0 picks a free one), or none. */
export function serveMetrics(metrics: Metrics, config: Config["metrics"], hostname: string): Server<undefined> | undefined {
  if (config.port === null) return undefined;
  return Bun.serve({
    port: config.port,
    hostname,
    // No body is read here; without a cap none gets Bun's bare 413 (every answer is JSON).
    maxRequestBodySize: Infinity,
    fetch: (req) =>
      new URL(req.url).pathname === "/metrics"
        ? metricsResponse(metrics, config.token, req.headers.get("authorization"))
        : errorResponse(404, "NOT_FOUND", "No such route"),
  });
}
