import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { CreateRoomBody, GuestBody, RoomSettingsBody } from "../../../shared/calls";
import type { Config } from "../../config";
import type { IceService } from "../../calls/ice";
import type { AuthService } from "../../auth/service";
import type { RoomService } from "../../rooms/service";
import { anonymousRequest, parseJson, requireActor, type Env } from "../context";
import { publicOrigin } from "../origin";

export function roomRoutes(config: Readonly<Config>, auth: AuthService, rooms: RoomService, ice: IceService) {
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
  r.patch("/:slug", async (c) => {
    const a = await requireActor(c, auth);
    return c.json({ room: await rooms.update(a, c.req.param("slug"), await parseJson(c, RoomSettingsBody), publicOrigin(c)) });
  });
  // A visitor becomes a guest of this room: the token rides in an httpOnly cookie the socket reads.
  r.post("/:slug/guests", async (c) => {
    anonymousRequest(c);
    const { name } = await parseJson(c, GuestBody);
    const { guest, token } = await rooms.guest(c.req.param("slug"), name, getCookie(c, "guest_token"));
    setCookie(c, "guest_token", token, { httpOnly: true, sameSite: "Lax", secure: config.secureCookies, path: "/", maxAge: config.guests.ttlSeconds });
    // Guests cannot reach /api/rtc/ice-servers: their STUN/TURN servers come with the session.
    return c.json({ guest, ice: ice.servers({ userId: guest.id, sessionId: guest.id }) }, 201);
  });
  r.delete("/:slug", async (c) => {
    await rooms.remove(await requireActor(c, auth), c.req.param("slug"));
    return c.body(null, 204);
  });
  return r;
}
