import { Hono } from "hono";
import { UpdateMeBody, UserSearchQuery } from "../../../shared/protocol";
import type { AuthService } from "../../auth/service";
import type { UserService } from "../../social/users";
import { listingActor, parseJson, parseWith, requireActor, type Env } from "../context";

export function userRoutes(auth: AuthService, users: UserService) {
  const r = new Hono<Env>();

  r.get("/me", async (c) => {
    const user = await users.me(await requireActor(c, auth));
    return c.json({ user, accessExpiresAt: c.get("accessExpiresAt") });
  });

  r.patch("/me", async (c) => {
    const actor = await requireActor(c, auth);
    return c.json({ user: await users.updateMe(actor, await parseJson(c, UpdateMeBody)) });
  });

  r.get("/", async (c) => {
    const actor = await listingActor(c, auth);
    const { q } = parseWith(UserSearchQuery, { q: c.req.query("q") });
    return c.json({ users: await users.search(actor, q) });
  });

  r.get("/:id", async (c) => {
    const actor = await requireActor(c, auth);
    return c.json({ user: await users.byId(actor, c.req.param("id")) });
  });

  return r;
}
