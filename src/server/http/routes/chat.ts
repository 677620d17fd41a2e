import { Hono } from "hono";
import { AddMembersBody, CreateGroupBody, EditMessageBody, HistoryQuery, ReactionEmoji, NotifyLevelBody, ReadBody, SendMessageBody, ThreadListQuery, UpdateConversationBody } from "../../../shared/protocol";
import type { AuthService } from "../../auth/service";
import type { ConversationService } from "../../chat/conversations";
import type { MessageService } from "../../chat/messages";
import { listingActor, parseJson, parseWith, requireActor, type Env } from "../context";

export function conversationRoutes(auth: AuthService, conversations: ConversationService, messages: MessageService) {
  const r = new Hono<Env>();
  r.get("/", async (c) => c.json({ conversations: await conversations.list(await listingActor(c, auth)) }));
  r.post("/", async (c) => {
    const actor = await requireActor(c, auth);
    return c.json({ conversation: await conversations.createGroup(actor, await parseJson(c, CreateGroupBody)) }, 201);
  });
  r.get("/:id", async (c) => c.json({ conversation: await conversations.get(await requireActor(c, auth), c.req.param("id")) }));
  r.patch("/:id", async (c) => {
    const actor = await requireActor(c, auth);
    const { name } = await parseJson(c, UpdateConversationBody);
    return c.json({ conversation: await conversations.rename(actor, c.req.param("id"), name) });
  });
  r.post("/:id/members", async (c) => {
    const actor = await requireActor(c, auth);
    const { userIds } = await parseJson(c, AddMembersBody);
    return c.json({ conversation: await conversations.addMembers(actor, c.req.param("id"), userIds) });
  });
  r.delete("/:id/members/me", async (c) => {
    await conversations.leave(await requireActor(c, auth), c.req.param("id"));
    return c.body(null, 204);
  });
  r.put("/:id/notify-level", async (c) => {
    const actor = await requireActor(c, auth);
    await conversations.setNotifyLevel(actor, c.req.param("id"), (await parseJson(c, NotifyLevelBody)).level);
    return c.body(null, 204);
  });
  r.get("/:id/messages", async (c) => {
    const actor = await requireActor(c, auth);
    const page = parseWith(HistoryQuery, c.req.query());
    return c.json(await messages.history(actor, c.req.param("id"), page));
  });
  r.post("/:id/messages", async (c) => {
    const actor = await requireActor(c, auth);
    const body = await parseJson(c, SendMessageBody);
    return c.json({ message: await messages.send(actor, { conversationId: c.req.param("id"), ...body }) }, 201);
  });
  r.get("/:id/threads", async (c) => {
    const actor = await listingActor(c, auth);
    const { limit } = parseWith(ThreadListQuery, c.req.query());
    return c.json({ threads: await messages.threads.list(actor, c.req.param("id"), limit) });
  });
  r.post("/:id/read", async (c) => {
    const actor = await requireActor(c, auth);
    await messages.markRead(actor, c.req.param("id"), (await parseJson(c, ReadBody)).messageId);
    return c.body(null, 204);
  });
  return r;
}

export function messageRoutes(auth: AuthService, messages: MessageService) {
  const r = new Hono<Env>();
  r.patch("/:id", async (c) => {
    const actor = await requireActor(c, auth);
    const { content } = await parseJson(c, EditMessageBody);
    return c.json({ message: await messages.edit(actor, c.req.param("id"), content) });
  });
  r.delete("/:id", async (c) => {
    await messages.remove(await requireActor(c, auth), c.req.param("id"));
    return c.body(null, 204);
  });
  r.get("/:id/thread", async (c) => {
    const actor = await requireActor(c, auth);
    return c.json(await messages.threads.page(actor, c.req.param("id"), parseWith(HistoryQuery, c.req.query())));
  });
  r.post("/:id/thread/read", async (c) => {
    const actor = await requireActor(c, auth);
    await messages.threads.markRead(actor, c.req.param("id"), (await parseJson(c, ReadBody)).messageId);
    return c.body(null, 204);
  });
  r.get("/:id/edits", async (c) => c.json({ edits: await messages.edits(await requireActor(c, auth), c.req.param("id")) }));
  // The emoji travels percent-encoded in the path; Hono hands it over decoded.
  r.put("/:id/reactions/:emoji", async (c) => {
    const actor = await requireActor(c, auth);
    await messages.reactions.add(actor, c.req.param("id"), parseWith(ReactionEmoji, c.req.param("emoji")));
    return c.body(null, 204);
  });
  r.delete("/:id/reactions/:emoji", async (c) => {
    const actor = await requireActor(c, auth);
    await messages.reactions.remove(actor, c.req.param("id"), parseWith(ReactionEmoji, c.req.param("emoji")));
    return c.body(null, 204);
  });
  return r;
}
