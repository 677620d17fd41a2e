/** Messages: send (idempotent per author + clientId, acknowledged after commit), history, sync, read marks, typing. */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { MENTION_EVERYONE, MENTION_HERE, type Message, type MessageEdit, type ReplyPreview } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { Store } from "../store/store";
import type { ConversationService } from "./conversations";
import { toMessage } from "./wire";
import { can, mayModerate } from "../../shared/permissions";
import { ReactionService } from "./reactions";
import { decorate, replyTarget, threadRoot, ThreadService, threadTotals, withReplyPreviews } from "./threads";
import type { MessageRow } from "../store/store";
import { GUEST_SCOPE } from "../../shared/calls";
import { withAttachments, type AttachmentService } from "./attachments";
import { OPEN_GATE, type SendGate } from "../auth/email-gate";

/** A room guest, as their token names them. */
export interface GuestAuthor {
  id: string;
  name: string;
  conversationId: string;
}

type SendInput = { conversationId: string; clientId: string; content: string; replyToId?: string; threadId?: string; attachmentIds?: string[] };

/** A typing:start within this window of the last one is not re-broadcast. */
const TYPING_THROTTLE_MS = 2500;
/** Most messages of one conversation announced again after a node's death. */
const REANNOUNCE_MAX = 200;

/** Told when a send begins, before its commit (cluster/membership.ts: a survivor announces what a dead node may not have). */
export interface SendLedger {
  sending(conversationId: string): void;
}

export class MessageService {
  readonly #typing = new Map<string, number>();
  readonly reactions: ReactionService;
  readonly threads: ThreadService;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly conversations: ConversationService,
    readonly attachments: AttachmentService,
    private readonly clock: () => number = Date.now,
    /** REQUIRE_EMAIL_VERIFICATION's check (auth/email-gate.ts); open by default. */
    private readonly gate: SendGate = OPEN_GATE,
    private readonly ledger: SendLedger = { sending() {} },
  ) {
    this.reactions = new ReactionService(store, bus, conversations, clock);
    this.threads = new ThreadService(store, bus, conversations);
  }

  async send(actor: Actor, input: SendInput): Promise<Message> {
    await this.gate.assert(actor.userId);
    let c: Awaited<ReturnType<ConversationService["requireMember"]>>;
    try {
      c = await this.conversations.requireWritable(actor, input.conversationId);
    } catch (err) {
      // A retry of a message stored before the sender lost the right to post (blocked, left)
      // gets the original back: the client must not show as failed what the others can read.
      const original = await this.store.chat.messageByClientId(actor.userId, input.clientId);
      if (original?.conversation_id !== input.conversationId) throw err;
      return toMessage(original);
    }
    const files = sendableFiles(input);
    const replyTo = await replyTarget(this.store, c.id, input.replyToId);
    await threadRoot(this.store, c.id, input.threadId);
    const mentions = await this.#mayMentionEveryone(actor, c, input.content);
    // The id is minted with no await before the insert: a node stores its sends in id order, so
    // a reader paging after an id skips none (a role read in between let later ids go first).
    const row = {
      id: newId(this.clock()),
      conversationId: c.id,
      authorId: actor.userId,
      clientId: input.clientId,
      kind: "text" as const,
      content: input.content,
      replyToId: input.replyToId ?? null,
      threadId: input.threadId ?? null,
      ...mentions,
      now: new Date(this.clock()).toISOString(),
    };
    this.ledger.sending(c.id);
    // With files, message and attachments go in one transaction (a retry finds them attached once).
    const result = files.length > 0 ? await this.store.attachments.insertWithAttachments(row, files) : await this.store.chat.insertMessage(row);
    if (!result) throw badAttachments("Attach only files you uploaded that no message carries yet");
    const { message, created } = result;
    if (message.conversation_id !== c.id) throw new AppError("CONFLICT", "This clientId was already used for another conversation");
    const wire = await this.#sent(message, replyTo, files.length > 0 || !created);
    if (created) this.#typing.delete(`${actor.userId}:${c.id}`);
    await this.#announce(message, created, wire);
    return wire;
  }

  /** A room guest posts in their room's chat (theirs alone: `guest.conversationId`). */
  async sendAsGuest(guest: GuestAuthor, input: SendInput): Promise<Message> {
    await this.#guestRoom(guest, input.conversationId);
    const files = sendableFiles(input);
    const replyTo = await replyTarget(this.store, input.conversationId, input.replyToId);
    await threadRoot(this.store, input.conversationId, input.threadId);
    const row = {
      id: newId(this.clock()),
      conversationId: input.conversationId,
      authorId: null,
      clientId: input.clientId,
      kind: "text" as const,
      content: input.content,
      replyToId: input.replyToId ?? null,
      threadId: input.threadId ?? null,
      guest: { id: guest.id, name: guest.name },
      now: new Date(this.clock()).toISOString(),
    };
    this.ledger.sending(input.conversationId);
    const result = files.length > 0 ? await this.store.attachments.insertWithAttachments(row, files) : await this.store.chat.insertMessage(row);
    if (!result) throw badAttachments("Attach only files you uploaded that no message carries yet");
    const { message, created } = result;
    if (message.conversation_id !== input.conversationId) throw new AppError("CONFLICT", "This clientId was already used for another conversation");
    const wire = await this.#sent(message, replyTo, files.length > 0 || !created);
    await this.#announce(message, created, wire);
    return wire;
  }

  /**
   * A send fans out; so does a retry (created false), still standing: the first try may have
   * committed and then lost its reply (or its node) before announcing, and nothing else would
   * ever announce it live. Clients keep one copy per id, as for reannounce.
   */
  async #announce(message: MessageRow, created: boolean, wire: Message): Promise<void> {
    if (!created && message.deleted_at !== null) return;
    await this.bus.publish({ type: "deliver", to: { conversation: message.conversation_id }, event: { type: "message:new", message: wire } });
  }

  /**
   * Announces again a conversation's messages after `after`, oldest first: a node died between
   * committing some and announcing them. Clients keep one copy per id.
   */
  async reannounce(conversationId: string, after: string): Promise<number> {
    const rows = await this.store.chat.messages(conversationId, { after, limit: REANNOUNCE_MAX, threads: true });
    const wire = await withReplyPreviews(this.store, await withAttachments(this.store, rows.map(toMessage)));
    for (const message of wire) await this.bus.publish({ type: "deliver", to: { conversation: conversationId }, event: { type: "message:new", message } });
    return wire.length;
  }

  /** A room guest catches up on their room's chat, oldest first. */
  async guestSync(guest: GuestAuthor, conversationId: string, after: string | undefined, limit = 100): Promise<{ messages: Message[]; hasMore: boolean }> {
    await this.#guestRoom(guest, conversationId);
    const rows = await this.store.chat.messages(conversationId, { after: after ?? "", limit: limit + 1, threads: true });
    const page = await withAttachments(this.store, rows.slice(0, limit).map(toMessage));
    return { messages: await withReplyPreviews(this.store, page), hasMore: rows.length > limit };
  }

  /** A stored message as its send answers it; a retry's original gets its preview afresh. */
  async #sent(message: MessageRow, replyTo: ReplyPreview | undefined, withFiles: boolean): Promise<Message> {
    const wire = withFiles ? (await withAttachments(this.store, [toMessage(message)]))[0]! : toMessage(message);
    if (!wire.replyToId) return wire;
    return wire.replyToId === replyTo?.id ? { ...wire, replyTo } : (await withReplyPreviews(this.store, [wire]))[0]!;
  }

  async #guestRoom(guest: GuestAuthor, conversationId: string): Promise<void> {
    if (conversationId !== guest.conversationId || !(await this.store.rooms.byConversation(conversationId))) {
      throw new AppError("FORBIDDEN", GUEST_SCOPE);
    }
  }

  /** `@everyone` and `@here` (one permission). Without it the text still goes out, just without notifying anyone. */
  async #mayMentionEveryone(actor: Actor, c: { kind: string; space_id: string | null }, content: string): Promise<{ mentionsEveryone: boolean; mentionsHere: boolean }> {
    const none = { mentionsEveryone: false, mentionsHere: false };
    // Only space channels have them: a DM's or group's text is not searched for them.
    if (c.kind !== "channel" || !c.space_id) return none;
    const everyone = MENTION_EVERYONE.test(content);
    const here = MENTION_HERE.test(content);
    if (!(everyone || here) || !can(await this.store.spaces.role(c.space_id, actor.userId), "mentionEveryone")) return none;
    return { mentionsEveryone: everyone, mentionsHere: here };
  }

  /** Authors delete their own messages; in space channels, deleteMessages reaches the ranks below. */
  async remove(actor: Actor, messageId: string): Promise<void> {
    const { m, c } = await this.#existing(actor, messageId);
    if (m.author_id !== actor.userId && !(await this.#moderates(actor, c, m))) {
      throw new AppError("FORBIDDEN", "You can only delete your own messages and those of members below your role");
    }
    await this.store.chat.deleteMessage(messageId, new Date(this.clock()).toISOString());
    await this.attachments.removeForMessage(messageId);
    // A thread reply's root shows fewer replies, maybe another last one or other people, to everyone.
    const thread = m.thread_id ? { rootId: m.thread_id, authorId: m.author_id, totals: await threadTotals(this.store, c.id, m.thread_id) } : undefined;
    await this.bus.publish({ type: "deliver", to: { conversation: c.id }, event: { type: "message:deleted", conversationId: c.id, messageId, ...(thread ? { thread } : {}) } });
  }

  /**
   * Only the author edits, in a conversation they may still write in. The replaced text goes
   * to the message's history; an edit never notifies anyone anew (it may only drop @everyone or @here).
   */
  async edit(actor: Actor, messageId: string, content: string): Promise<Message> {
    const { m } = await this.#existing(actor, messageId);
    if (m.author_id !== actor.userId || m.kind !== "text") throw new AppError("FORBIDDEN", "You can only edit your own messages");
    const c = await this.conversations.requireWritable(actor, m.conversation_id);
    if (content === m.content) return toMessage(m);
    const now = new Date(this.clock()).toISOString();
    const mentionsEveryone = Number(m.mentions_everyone) === 1 && MENTION_EVERYONE.test(content);
    const mentionsHere = Number(m.mentions_here) === 1 && MENTION_HERE.test(content);
    const edited = await this.store.edits.edit({ id: newId(this.clock()), messageId, content, mentionsEveryone, mentionsHere, now });
    if (!edited) throw new AppError("NOT_FOUND", "No such message");
    // To everyone: no per-viewer thread summary (clients keep the one they hold).
    const [wire] = await decorate(this.store, null, c.id, [toMessage(edited)]);
    await this.bus.publish({ type: "deliver", to: { conversation: c.id }, event: { type: "message:updated", message: wire! } });
    return wire!;
  }

  /** The texts a message's edits replaced: for its author, and for those who could delete it. */
  async edits(actor: Actor, messageId: string): Promise<MessageEdit[]> {
    const { m, c } = await this.#existing(actor, messageId);
    if (m.author_id !== actor.userId && !(await this.#moderates(actor, c, m))) throw new AppError("FORBIDDEN", "Only moderators see the edit history of others' messages");
    return (await this.store.edits.history(messageId)).map((e) => ({ content: e.content, editedAt: e.edited_at }));
  }

  async #existing(actor: Actor, messageId: string) {
    const m = await this.store.chat.message(messageId);
    if (!m || m.deleted_at) throw new AppError("NOT_FOUND", "No such message");
    return { m, c: await this.conversations.requireMember(actor, m.conversation_id) };
  }

  /** Space moderation by rank: deleteMessages over an author of a lower rank. */
  async #moderates(actor: Actor, c: { space_id: string | null }, m: { author_id: string | null }): Promise<boolean> {
    if (!c.space_id) return false;
    const role = await this.store.spaces.role(c.space_id, actor.userId);
    const authorRole = m.author_id ? await this.store.spaces.role(c.space_id, m.author_id) : undefined;
    return mayModerate(role, "deleteMessages", authorRole);
  }

  /** Writes a system message (no author), e.g. a missed call, and delivers it. */
  system(conversationId: string, content: string): Promise<Message> {
    return this.conversations.system.post(conversationId, content);
  }

  /** The main timeline (thread replies are in their threads); `threads` adds them, for catch-up. */
  async history(actor: Actor, conversationId: string, page: { before?: string; after?: string; limit: number; threads?: boolean }): Promise<{ messages: Message[]; hasMore: boolean }> {
    await this.conversations.requireMember(actor, conversationId);
    const rows = await this.store.chat.messages(conversationId, { ...page, limit: page.limit + 1 });
    const hasMore = rows.length > page.limit;
    // Newest-first pages drop the oldest extra row; after-cursor pages drop the newest.
    const trimmed = hasMore ? (page.after !== undefined ? rows.slice(0, page.limit) : rows.slice(1)) : rows;
    return { messages: await decorate(this.store, actor.userId, conversationId, trimmed.map(toMessage)), hasMore };
  }

  /**
   * Catch-up after a cursor, oldest first, thread replies included (clients file them under
   * their roots). Without a cursor: from the conversation's start ("" sorts before every id).
   */
  async sync(actor: Actor, conversationId: string, after: string | undefined, limit = 100) {
    return this.history(actor, conversationId, { after: after ?? "", limit, threads: true });
  }

  async markRead(actor: Actor, conversationId: string, messageId: string): Promise<void> {
    const c = await this.conversations.requireMember(actor, conversationId);
    const m = await this.store.chat.message(messageId);
    if (!m || m.conversation_id !== conversationId) throw new AppError("VALIDATION_ERROR", "That message is not in this conversation");
    if (await this.store.chat.markRead(conversationId, actor.userId, messageId)) {
      // "Seen" matters in DMs and groups; in a channel only the reader's own devices need it.
      const to = c.kind === "channel" ? { users: [actor.userId] } : { conversation: conversationId };
      await this.bus.publish({ type: "deliver", to, event: { type: "read:updated", conversationId, userId: actor.userId, messageId } });
    }
  }

  async typing(actor: Actor, conversationId: string, active: boolean): Promise<void> {
    await this.conversations.requireMember(actor, conversationId);
    const key = `${actor.userId}:${conversationId}`;
    const now = this.clock();
    if (active) {
      if (this.#typing.size > 10_000) this.#sweepTyping(now);
      const last = this.#typing.get(key);
      if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
      this.#typing.set(key, now);
    } else if (!this.#typing.delete(key)) {
      return;
    }
    await this.bus.publish({ type: "deliver", to: { conversation: conversationId }, event: { type: "typing", conversationId, userId: actor.userId, active } });
  }

  /** Typists who never stopped or sent: clients expire them after ~6 s, so can we. */
  #sweepTyping(now: number): void {
    for (const [key, at] of this.#typing) if (now - at > 10_000) this.#typing.delete(key);
  }
}

/** The files a send names, once each; without files there must be text. */
function sendableFiles(input: SendInput): string[] {
  const files = input.attachmentIds ?? [];
  if (!input.content.trim() && files.length === 0) throw new AppError("VALIDATION_ERROR", "Message is empty", { fields: { content: "Message is empty" } });
  if (files.length > 1 && new Set(files).size !== files.length) throw badAttachments("The same file is named twice");
  return files;
}

const badAttachments = (message: string) => new AppError("VALIDATION_ERROR", message, { fields: { attachmentIds: message } });
