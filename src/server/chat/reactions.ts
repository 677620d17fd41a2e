/** Reactions: add and remove (each idempotent), live to the conversation, batched onto history pages. */
import { AppError } from "../../shared/errors";
import { MAX_REACTIONS_PER_MESSAGE, type Message, type Reaction } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { ReactionRow, Store } from "../store/store";
import type { ConversationService } from "./conversations";

export class ReactionService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly conversations: ConversationService,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Adding a reaction the user already has changes nothing and tells no one. */
  async add(actor: Actor, messageId: string, emoji: string): Promise<void> {
    const m = await this.#target(actor, messageId);
    const now = new Date(this.clock()).toISOString();
    const result = await this.store.reactions.add({ messageId, userId: actor.userId, emoji, now }, MAX_REACTIONS_PER_MESSAGE);
    if (result === "full") {
      throw new AppError("TOO_MANY_REACTIONS", `A message carries at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`, { max: MAX_REACTIONS_PER_MESSAGE });
    }
    if (result === "added") await this.#publish(m.conversation_id, messageId, emoji, actor.userId, true);
  }

  /** Removing one the user does not have changes nothing and tells no one. */
  async remove(actor: Actor, messageId: string, emoji: string): Promise<void> {
    const m = await this.#target(actor, messageId);
    if (await this.store.reactions.remove(messageId, actor.userId, emoji)) await this.#publish(m.conversation_id, messageId, emoji, actor.userId, false);
  }

  /** A message the user may react to: in a conversation they belong to and may write in, not deleted. */
  async #target(actor: Actor, messageId: string) {
    const m = await this.store.chat.message(messageId);
    // Members only; to others a message that exists looks like one that does not.
    const c = m && !m.deleted_at ? await this.store.chat.memberConversation(m.conversation_id, actor.userId) : undefined;
    if (!m || !c) throw new AppError("NOT_FOUND", "No such message");
    await this.conversations.assertWritable(c);
    return m;
  }

  async #publish(conversationId: string, messageId: string, emoji: string, userId: string, added: boolean): Promise<void> {
    const count = await this.store.reactions.count(messageId, emoji);
    await this.bus.publish({ type: "deliver", to: { conversation: conversationId }, event: { type: "reaction:updated", conversationId, messageId, emoji, userId, added, count } });
  }
}

/** Gives each message of a page its reactions, from one query for the whole page. */
export async function withReactions(store: Store, messages: Message[]): Promise<Message[]> {
  const rows = await store.reactions.forMessages(messages.map((m) => m.id));
  if (rows.length === 0) return messages;
  const byMessage = new Map<string, Reaction[]>();
  for (const r of rows) addRow(byMessage, r);
  return messages.map((m) => {
    const reactions = byMessage.get(m.id);
    return reactions ? { ...m, reactions } : m;
  });
}

function addRow(byMessage: Map<string, Reaction[]>, r: ReactionRow): void {
  let list = byMessage.get(r.message_id);
  if (!list) byMessage.set(r.message_id, (list = []));
  let reaction = list.find((x) => x.emoji === r.emoji);
  if (!reaction) list.push((reaction = { emoji: r.emoji, count: 0, userIds: [] }));
  reaction.count++;
  reaction.userIds.push(r.user_id);
}
