import { Hono } from "hono";
import { join, normalize } from "node:path";
import type { Env } from "../context";

/** Serves the built client; any other non-API path gets index.html (client-side routing). */
export function staticRoutes(dir: string) {
  const r = new Hono<Env>();
  const root = normalize(dir);
  r.get("/*", async (c) => {
    if (c.req.path.startsWith("/api/")) return c.notFound();
    // Hono has decoded the path once already, and storablePath() refused malformed ones.
    const path = normalize(join(root, c.req.path));
    if (path.startsWith(root + "/")) {
      const file = Bun.file(path);
      if (await file.exists()) {
        const immutable = /-[a-z0-9]{8,}\.\w+$/.test(path);
        return new Response(file, {
          headers: { "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache" },
        });
      }
    }
    return new Response(Bun.file(join(root, "index.html")), { headers: { "Cache-Control": "no-cache", "Content-Type": "text/html; charset=utf-8" } });
  });
  return r;
}
