/** Conversations: listing with unread counts, group DMs (create, rename, add, leave), muting, access checks. */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { MAX_GROUP_MEMBERS, type Conversation, type NotifyLevel, type ReadOnly } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { ConversationRow, ConversationSummary, Store } from "../store/store";
import { listOf, SystemMessages } from "./system";
import { toConversation } from "./wire";

export class ConversationService {
  /** Group changes leave a line in the timeline; MessageService and calls write theirs here too. */
  readonly system: SystemMessages;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: () => number = Date.now,
  ) {
    this.system = new SystemMessages(store, bus, clock);
  }

  /** The conversation, if the actor belongs to it; FORBIDDEN otherwise (existence is not revealed). */
  async requireMember(actor: Actor, conversationId: string): Promise<ConversationRow> {
    const conversation = await this.store.chat.memberConversation(conversationId, actor.userId);
    if (!conversation) throw new AppError("FORBIDDEN", "You are not a member of this conversation");
    return conversation;
  }

  /** requireMember, then assertWritable, in one query (every send asks). */
  async requireWritable(actor: Actor, conversationId: string): Promise<ConversationRow> {
    const found = await this.store.chat.writableConversation(conversationId, actor.userId);
    if (!found) throw new AppError("FORBIDDEN", "You are not a member of this conversation");
    refuseReadOnly(found.deleted ? "deleted" : found.blocked ? "blocked" : false);
    return found.conversation;
  }

  /** A DM is read-only while either side blocks the other, and for good once either account is deleted. */
  async readOnly(c: ConversationRow): Promise<ReadOnly> {
    if (c.kind !== "dm" || !c.dm_key) return false;
    const [a, b] = c.dm_key.split(":") as [string, string];
    const [blocked, deleted] = await Promise.all([this.store.social.blockedBetween(a, b), this.store.accounts.anyDeleted(a, b)]);
    return deleted ? "deleted" : blocked ? "blocked" : false;
  }

  /** Refuses a write to a read-only DM: PEER_DELETED once the other account is deleted, else FORBIDDEN saying `blocked`. */
  async assertWritable(c: ConversationRow, blocked?: string): Promise<void> {
    refuseReadOnly(await this.readOnly(c), blocked);
  }

  async #wire(s: ConversationSummary): Promise<Conversation> {
    return toConversation(s, await this.readOnly(s.conversation));
  }

  /** Blocks are read once for the whole list, so it costs the same queries for 1 or 1000 conversations. */
  async list(actor: Actor): Promise<Conversation[]> {
    const [summaries, blocked] = await Promise.all([this.store.chat.summaries(actor.userId), this.store.social.blockedEitherWay(actor.userId)]);
    return summaries.map((s) => {
      if (s.conversation.kind !== "dm") return toConversation(s, false);
      const other = s.members.find((m) => m.user.id !== actor.userId)?.user;
      return toConversation(s, other?.deleted_at ? "deleted" : other && blocked.has(other.id) ? "blocked" : false);
    });
  }

  async get(actor: Actor, id: string): Promise<Conversation> {
    await this.requireMember(actor, id);
    const [s] = await this.store.chat.summaries(actor.userId, { id });
    return this.#wire(s!);
  }

  /** Sends each member their own view (unread counts differ) of a conversation. */
  async announce(conversationId: string, type: "conversation:new" | "conversation:updated", userIds?: string[]): Promise<void> {
    const members = userIds ?? (await this.store.chat.memberIds(conversationId));
    for (const userId of members) {
      const [s] = await this.store.chat.summaries(userId, { id: conversationId });
      if (s) await this.bus.publish({ type: "deliver", to: { users: [userId] }, event: { type, conversation: await this.#wire(s) } });
    }
  }

  async #joined(conversationId: string, userIds: string[]): Promise<void> {
    for (const userId of userIds) await this.bus.publish({ type: "membership", userId, conversationId, joined: true });
  }

  async #requireFriends(actor: Actor, userIds: string[]): Promise<void> {
    const friends = new Set(await this.store.social.friendIds(actor.userId));
    const strangers = userIds.filter((id) => id !== actor.userId && !friends.has(id));
    if (strangers.length) throw new AppError("FORBIDDEN", "You can only add friends to a group", { userIds: strangers });
  }

  async createGroup(actor: Actor, input: { memberIds: string[]; name?: string }): Promise<Conversation> {
    const memberIds = [...new Set(input.memberIds.filter((id) => id !== actor.userId))];
    if (memberIds.length === 0) throw new AppError("VALIDATION_ERROR", "A group needs at least one other member");
    if (memberIds.length + 1 > MAX_GROUP_MEMBERS) throw new AppError("VALIDATION_ERROR", `A group holds at most ${MAX_GROUP_MEMBERS} members`);
    await this.#requireFriends(actor, memberIds);
    const row = await this.store.chat.createGroup({
      id: newId(),
      ownerId: actor.userId,
      name: input.name ?? null,
      memberIds,
      now: new Date(this.clock()).toISOString(),
    });
    const all = [actor.userId, ...memberIds];
    await this.#joined(row.id, all);
    await this.announce(row.id, "conversation:new", all);
    return this.get(actor, row.id);
  }

  async rename(actor: Actor, id: string, name: string | null): Promise<Conversation> {
    const c = await this.requireMember(actor, id);
    if (c.kind !== "group") throw new AppError("FORBIDDEN", "Only group conversations can be renamed");
    if ((c.name ?? null) === name) return this.get(actor, id);
    await this.store.chat.rename(id, name);
    await this.announce(id, "conversation:updated");
    const who = (await this.system.names([actor.userId]))(actor.userId);
    await this.system.post(id, name === null ? `${who} removed the group name` : `${who} renamed the group to “${name}”`);
    return this.get(actor, id);
  }

  async addMembers(actor: Actor, id: string, userIds: string[]): Promise<Conversation> {
    const c = await this.requireMember(actor, id);
    if (c.kind !== "group") throw new AppError("FORBIDDEN", "Members can only be added to group conversations");
    await this.#requireFriends(actor, userIds);
    const current = await this.store.chat.memberIds(id);
    const fresh = [...new Set(userIds)].filter((u) => !current.includes(u));
    // The store enforces the cap in the same transaction as the insert, concurrent adds included.
    const added = await this.store.chat.addMembers(id, fresh, new Date(this.clock()).toISOString(), MAX_GROUP_MEMBERS);
    await this.#joined(id, added);
    await this.announce(id, "conversation:new", added);
    await this.announce(id, "conversation:updated", current);
    if (added.length) {
      const name = await this.system.names([actor.userId, ...added]);
      await this.system.post(id, `${name(actor.userId)} added ${listOf(added.map(name))}`);
    }
    return this.get(actor, id);
  }

  /** Per member, so only the actor's own devices hear of it. */
  async setNotifyLevel(actor: Actor, id: string, level: NotifyLevel): Promise<void> {
    if (!(await this.store.chat.setNotifyLevel(id, actor.userId, level))) throw new AppError("FORBIDDEN", "You are not a member of this conversation");
    await this.bus.publish({ type: "deliver", to: { users: [actor.userId] }, event: { type: "conversation:notify-level", conversationId: id, level } });
  }

  async leave(actor: Actor, id: string): Promise<void> {
    const c = await this.requireMember(actor, id);
    if (c.kind !== "group") throw new AppError("FORBIDDEN", "You cannot leave a direct conversation");
    await this.store.chat.removeMember(id, actor.userId);
    await this.bus.publish({ type: "membership", userId: actor.userId, conversationId: id, joined: false });
    await this.bus.publish({ type: "deliver", to: { users: [actor.userId] }, event: { type: "conversation:removed", conversationId: id } });
    await this.announce(id, "conversation:updated");
    await this.system.post(id, `${(await this.system.names([actor.userId]))(actor.userId)} left the group`);
  }
}

function refuseReadOnly(readOnly: ReadOnly, blocked = "This conversation is read-only"): void {
  if (readOnly === "deleted") throw new AppError("PEER_DELETED", "This account was deleted");
  if (readOnly) throw new AppError("FORBIDDEN", blocked);
}
