import { Hono } from "hono";
import type { AuthService } from "../../auth/service";
import type { UserService } from "../../social/users";
import { requireActor, type Env } from "../context";

/** Avatar upload (the request body is the image) and serving, under /api/users. */
export function avatarRoutes(auth: AuthService, users: UserService) {
  const r = new Hono<Env>();

  r.put("/me/avatar", async (c) => {
    const actor = await requireActor(c, auth);
    return c.json({ user: await users.setAvatar(actor, new Uint8Array(await c.req.arrayBuffer())) });
  });

  r.delete("/me/avatar", async (c) => c.json({ user: await users.setAvatar(await requireActor(c, auth), null) }));

  r.get("/:id/avatar/:name", async (c) => {
    const { file, mime } = await users.avatar(c.req.param("id"), c.req.param("name"));
    return new Response(file, {
      headers: { "Content-Type": mime, "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=31536000, immutable" },
    });
  });

  return r;
}
