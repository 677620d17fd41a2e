import { Hono } from "hono";
import { CreateRoomBody } from "../../../shared/calls";
import type { AuthService } from "../../auth/service";
import type { RoomService } from "../../rooms/service";
import { anonymousRequest, parseJson, requireActor, type Env } from "../context";
import { publicOrigin } from "../origin";

export function roomRoutes(auth: AuthService, rooms: RoomService) {
  const r = new Hono<Env>();
  r.post("/", async (c) => {
    const a = await requireActor(c, auth);
    return c.json({ room: await rooms.create(a, await parseJson(c, CreateRoomBody), publicOrigin(c)) }, 201);
  });
  r.get("/", async (c) => c.json({ rooms: await rooms.mine(await requireActor(c, auth), publicOrigin(c)) }));
  // Anyone holding the link may look before joining (signed in or not).
  r.get("/:slug", async (c) => {
    anonymousRequest(c);
    return c.json({ room: await rooms.preview(c.req.param("slug")) });
  });
  r.delete("/:slug", async (c) => {
    await rooms.remove(await requireActor(c, auth), c.req.param("slug"));
    return c.body(null, 204);
  });
  return r;
}
