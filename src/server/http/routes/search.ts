import { Hono } from "hono";
import { SearchQuery } from "../../../shared/search";
import type { AuthService } from "../../auth/service";
import type { SearchService } from "../../search/service";
import { listingActor, parseWith, type Env } from "../context";

export function searchRoutes(auth: AuthService, search: SearchService) {
  const r = new Hono<Env>();
  // An expensive read: it spends one of the caller's read tokens.
  r.get("/", async (c) => c.json(await search.search(await listingActor(c, auth), parseWith(SearchQuery, c.req.query()))));
  return r;
}
