import { Hono } from "hono";
import { BlockBody, FriendRequestBody } from "../../../shared/protocol";
import type { AuthService } from "../../auth/service";
import type { FriendService } from "../../social/friends";
import { listingActor, parseJson, requireActor, type Env } from "../context";

export function friendRoutes(auth: AuthService, friends: FriendService) {
  const r = new Hono<Env>();
  r.get("/", async (c) => c.json({ friends: await friends.list(await listingActor(c, auth)) }));
  r.get("/requests", async (c) => c.json(await friends.requests(await listingActor(c, auth))));
  r.post("/requests", async (c) => {
    const actor = await requireActor(c, auth);
    const result = await friends.request(actor, await parseJson(c, FriendRequestBody));
    return c.json(result, result.request ? 201 : 200);
  });
  r.post("/requests/:id/accept", async (c) => c.json(await friends.accept(await requireActor(c, auth), c.req.param("id"))));
  r.post("/requests/:id/reject", async (c) => {
    await friends.withdraw(await requireActor(c, auth), c.req.param("id"), "recipient");
    return c.body(null, 204);
  });
  r.delete("/requests/:id", async (c) => {
    await friends.withdraw(await requireActor(c, auth), c.req.param("id"), "sender");
    return c.body(null, 204);
  });
  r.delete("/:userId", async (c) => {
    await friends.unfriend(await requireActor(c, auth), c.req.param("userId"));
    return c.body(null, 204);
  });
  return r;
}

export function blockRoutes(auth: AuthService, friends: FriendService) {
  const r = new Hono<Env>();
  r.get("/", async (c) => c.json({ users: await friends.blocked(await listingActor(c, auth)) }));
  r.post("/", async (c) => {
    const actor = await requireActor(c, auth);
    await friends.block(actor, (await parseJson(c, BlockBody)).userId);
    return c.body(null, 204);
  });
  r.delete("/:userId", async (c) => {
    await friends.unblock(await requireActor(c, auth), c.req.param("userId"));
    return c.body(null, 204);
  });
  return r;
}
