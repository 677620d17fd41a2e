import { Hono } from "hono";
import type { AuthService } from "../../auth/service";
import type { IceService } from "../../calls/ice";
import { requireActor, type Env } from "../context";

export function rtcRoutes(auth: AuthService, ice: IceService) {
  const r = new Hono<Env>();
  r.get("/ice-servers", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(ice.servers(await requireActor(c, auth)));
  });
  return r;
}
