import { Hono } from "hono";
import {
  BanBody,
  CreateChannelBody,
  CreateInviteBody,
  CreateSpaceBody,
  DeleteSpaceBody,
  ReorderChannelsBody,
  SetRoleBody,
  TransferBody,
  UpdateChannelBody,
  UpdateSpaceBody,
} from "../../../shared/protocol";
import type { AuthService } from "../../auth/service";
import type { SpaceService } from "../../spaces/service";
import type { InviteService } from "../../spaces/invites";
import { anonymousRequest, listingActor, parseJson, requireActor, type Env } from "../context";
import { publicOrigin } from "../origin";

export function spaceRoutes(auth: AuthService, spaces: SpaceService, invites: InviteService) {
  const r = new Hono<Env>();
  const actor = (c: Parameters<typeof requireActor>[0]) => requireActor(c, auth);
  const lister = (c: Parameters<typeof requireActor>[0]) => listingActor(c, auth);

  r.get("/", async (c) => c.json({ spaces: await spaces.list(await lister(c)) }));
  r.post("/", async (c) => {
    const a = await actor(c);
    return c.json({ space: await spaces.create(a, (await parseJson(c, CreateSpaceBody)).name) }, 201);
  });
  r.get("/:id", async (c) => c.json({ space: await spaces.get(await actor(c), c.req.param("id")) }));
  r.patch("/:id", async (c) => {
    const a = await actor(c);
    return c.json({ space: await spaces.update(a, c.req.param("id"), await parseJson(c, UpdateSpaceBody)) });
  });
  r.delete("/:id", async (c) => {
    const a = await actor(c);
    await spaces.remove(a, c.req.param("id"), (await parseJson(c, DeleteSpaceBody)).confirm);
    return c.body(null, 204);
  });
  r.post("/:id/leave", async (c) => {
    await spaces.leave(await actor(c), c.req.param("id"));
    return c.body(null, 204);
  });
  r.post("/:id/transfer", async (c) => {
    const a = await actor(c);
    await spaces.transfer(a, c.req.param("id"), (await parseJson(c, TransferBody)).userId);
    return c.body(null, 204);
  });

  // The icon is the request body itself; its type is sniffed from the bytes.
  r.put("/:id/icon", async (c) => {
    const a = await actor(c);
    return c.json({ space: await spaces.setIcon(a, c.req.param("id"), new Uint8Array(await c.req.arrayBuffer())) });
  });
  r.delete("/:id/icon", async (c) => c.json({ space: await spaces.setIcon(await actor(c), c.req.param("id"), null) }));
  r.get("/:id/icon/:name", async (c) => {
    const { file, mime } = await spaces.icon(c.req.param("id"), c.req.param("name"));
    return new Response(file, {
      headers: { "Content-Type": mime, "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=31536000, immutable" },
    });
  });

  r.post("/:id/channels", async (c) => {
    const a = await actor(c);
    return c.json({ channel: await spaces.createChannel(a, c.req.param("id"), await parseJson(c, CreateChannelBody)) }, 201);
  });
  r.post("/:id/channels/reorder", async (c) => {
    const a = await actor(c);
    return c.json({ channels: await spaces.reorderChannels(a, c.req.param("id"), (await parseJson(c, ReorderChannelsBody)).channelIds) });
  });

  r.get("/:id/members", async (c) => c.json({ members: await spaces.members(await lister(c), c.req.param("id")) }));
  r.patch("/:id/members/:userId", async (c) => {
    const a = await actor(c);
    await spaces.setRole(a, c.req.param("id"), c.req.param("userId"), (await parseJson(c, SetRoleBody)).role);
    return c.body(null, 204);
  });
  r.delete("/:id/members/:userId", async (c) => {
    await spaces.kick(await actor(c), c.req.param("id"), c.req.param("userId"));
    return c.body(null, 204);
  });
  r.get("/:id/bans", async (c) => c.json({ bans: await spaces.bans(await lister(c), c.req.param("id")) }));
  r.post("/:id/bans", async (c) => {
    const a = await actor(c);
    await spaces.ban(a, c.req.param("id"), (await parseJson(c, BanBody)).userId);
    return c.body(null, 204);
  });
  r.delete("/:id/bans/:userId", async (c) => {
    await spaces.unban(await actor(c), c.req.param("id"), c.req.param("userId"));
    return c.body(null, 204);
  });

  r.get("/:id/invites", async (c) => c.json({ invites: await invites.list(await lister(c), c.req.param("id"), publicOrigin(c)) }));
  r.post("/:id/invites", async (c) => {
    const a = await actor(c);
    return c.json({ invite: await invites.create(a, c.req.param("id"), await parseJson(c, CreateInviteBody), publicOrigin(c)) }, 201);
  });
  return r;
}

export function channelRoutes(auth: AuthService, spaces: SpaceService) {
  const r = new Hono<Env>();
  r.patch("/:id", async (c) => {
    const a = await requireActor(c, auth);
    return c.json({ channel: await spaces.renameChannel(a, c.req.param("id"), (await parseJson(c, UpdateChannelBody)).name) });
  });
  r.delete("/:id", async (c) => {
    await spaces.deleteChannel(await requireActor(c, auth), c.req.param("id"));
    return c.body(null, 204);
  });
  return r;
}

/** Preview needs no session: visitors see where an invite leads before signing up. */
export function inviteRoutes(auth: AuthService, invites: InviteService) {
  const r = new Hono<Env>();
  r.get("/:code", async (c) => {
    anonymousRequest(c);
    return c.json({ invite: await invites.preview(c.req.param("code")) });
  });
  r.post("/:code/accept", async (c) => c.json({ space: await invites.accept(await requireActor(c, auth), c.req.param("code")) }));
  r.delete("/:code", async (c) => {
    await invites.revoke(await requireActor(c, auth), c.req.param("code"));
    return c.body(null, 204);
  });
  return r;
}
