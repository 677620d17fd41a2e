/**
 * hello: what a socket needs on every (re)connect, in the compact form of src/shared/hello.ts —
 * each person once, lists by id, last messages as previews, defaults left out. What only events
 * change is read with a fixed number of narrow queries (store/hello.ts) and kept per user in the
 * HelloCache as one serialized frame, `hello:lists`, sent before the reply; presence, calls and
 * voice rosters are read on every hello and make the reply.
 */
import { channelSummary, type FriendSummary, type HelloLists, type MessagePreview, type SpaceSummary } from "../../shared/hello";
import { PREVIEW_LENGTH, defaultNotifyLevel, type ConversationSummary, type RequestSummary } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { CallService } from "../calls/service";
import type { PresenceService } from "../social/presence";
import { toMe, toPublic } from "../social/users";
import type { SpaceService } from "../spaces/service";
import type { HelloConversationRow, HelloMemberRow, HelloRequestRow, ProfileRow, Store } from "../store/store";
import { AppError } from "../../shared/errors";
import type { HelloCache, Loaded } from "./cache";

/**
 * A frame reply already serialized: `lead`, if any, is a whole frame sent just before the reply,
 * `body` the reply's fields as JSON without the braces. hello's lists are the lead, one string
 * kept per user and sent as it is: building a new ~80 KiB string per hello (its lists spliced
 * into the reply) cost more than all the rest of a hello. A send's ack reuses its message's JSON
 * from the `message:new` event (bus/wire.ts).
 */
export class SerializedReply {
  constructor(
    readonly lead: string | null,
    readonly body: string,
  ) {}
}

/** What a socket hears: the user's channels and spaces (a topic each per socket), and their DMs, groups and rooms (per user). */
export interface Subscriptions {
  channelIds: string[];
  conversationIds: string[];
  spaceIds: string[];
}

/** hello's parts that only events change (kept per user in HelloCache); presence, calls and voice rosters are read per hello. */
interface HelloParts {
  /** The `hello:lists` frame (`user`, `users`, `friends`, `requests`, `conversations`, `spaces`), sent as it is before each reply. */
  frame: string;
  friendIds: string[];
  voiceIds: string[];
  groupIds: string[];
}

export class HelloService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly spaces: SpaceService,
    private readonly calls: CallService,
    private readonly cache: HelloCache,
  ) {}

  subscriptions(userId: string): Promise<Subscriptions> {
    return this.cache.read(userId, "subscriptions", async () => {
      const subs = await this.store.hello.subscriptions(userId);
      const deps = [...subs.channelIds, ...subs.conversationIds].map((id) => `c:${id}`).concat(subs.spaceIds.map((id) => `sp:${id}`));
      return { value: subs, deps, bytes: 32 * deps.length };
    });
  }

  async hello(actor: Actor): Promise<SerializedReply> {
    const parts = await this.cache.read(actor.userId, "hello", () => this.#parts(actor.userId));
    const [presence, liveCalls, { call, callState }, voice] = await Promise.all([
      this.presence.shownOf(parts.friendIds),
      this.calls.live(parts.groupIds),
      this.calls.current(actor),
      parts.voiceIds.length ? this.calls.voiceMembers(parts.voiceIds) : new Map(),
    ]);
    // Only what changes by the second is serialized per hello: a few small values; the lists go as their kept frame.
    return new SerializedReply(parts.frame, `"presence":${JSON.stringify(presence)},"voice":${JSON.stringify(Object.fromEntries(voice))},"call":${JSON.stringify(call)},"callState":${JSON.stringify(callState)},"liveCalls":${JSON.stringify(liveCalls)}`);
  }

  /** A fixed number of narrow reads (store/hello.ts) however many friends, requests, conversations, spaces and channels. */
  async #parts(id: string): Promise<Loaded<HelloParts>> {
    const [me, friends, requests, conversations, members, blocked, spaces] = await Promise.all([
      this.store.accounts.userById(id),
      this.store.hello.friends(id),
      this.store.hello.requests(id),
      this.store.hello.conversations(id, PREVIEW_LENGTH),
      this.store.hello.members(id),
      this.store.social.blockedEitherWay(id),
      this.spaces.listWithoutVoice(id),
    ]);
    if (!me) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    const users = new Map<string, ProfileRow>();
    for (const u of [...friends, ...requests.incoming, ...requests.outgoing, ...members]) if (!users.has(u.id)) users.set(u.id, u);
    const list = summaries(id, conversations, members, blocked);
    const spaceList: SpaceSummary[] = spaces.map((space) => ({ ...space, channels: space.channels.map(channelSummary) }));
    const lists: HelloLists = {
      type: "hello:lists",
      user: toMe(me),
      users: [...users.values()].map(toPublic),
      friends: friends.map((f): FriendSummary => ({ userId: f.id, conversationId: f.conversation_id })),
      requests: { incoming: requests.incoming.map(toRequest), outgoing: requests.outgoing.map(toRequest) },
      conversations: list,
      spaces: spaceList,
    };
    const frame = JSON.stringify(lists);
    const deps = [...list.map((c) => `c:${c.id}`), ...spaces.flatMap((sp) => [`sp:${sp.id}`, ...sp.channels.map((c) => `c:${c.id}`)])];
    const value: HelloParts = {
      frame,
      friendIds: friends.map((f) => f.id),
      voiceIds: spaces.flatMap((sp) => sp.channels.filter((c) => c.kind === "voice").map((c) => c.id)),
      groupIds: list.filter((c) => c.kind === "group").map((c) => c.id),
    };
    return { value, deps, bytes: frame.length + 40 * (value.friendIds.length + value.voiceIds.length + value.groupIds.length) };
  }
}

const toRequest = (r: HelloRequestRow): RequestSummary => ({ id: r.r_id, fromId: r.r_from, toId: r.r_to, createdAt: r.r_created });

/** Newest activity first, as GET /api/conversations lists them; what is null, 0, false, empty or the default is left out (ConversationSummary). */
function summaries(userId: string, rows: HelloConversationRow[], members: HelloMemberRow[], blocked: Set<string>): ConversationSummary[] {
  const byConversation = Map.groupBy(members, (m) => m.conversation_id);
  return rows
    .map((c) => {
      const others = byConversation.get(c.id) ?? [];
      const out: ConversationSummary = { id: c.id, kind: c.kind, memberIds: others.map((m) => m.id), createdAt: c.created_at };
      if (c.name !== null) out.name = c.name;
      if (c.owner_id !== null) out.ownerId = c.owner_id;
      const reads: Record<string, string> = {};
      if (c.my_last_read) reads[userId] = c.my_last_read;
      for (const m of others) if (m.last_read_id) reads[m.id] = m.last_read_id;
      for (const _ in reads) {
        out.reads = reads;
        break;
      }
      if (c.lm_id) out.lastMessage = preview(c);
      const unread = Number(c.unread ?? 0);
      if (unread) out.unreadCount = unread;
      if (c.mentions) out.mentionCount = c.mentions;
      if (c.my_notify && c.my_notify !== defaultNotifyLevel(c.kind)) out.notifyLevel = c.my_notify;
      const other = c.kind === "dm" ? others[0] : undefined;
      if (other?.deleted_at) out.readOnly = "deleted";
      else if (other && blocked.has(other.id)) out.readOnly = "blocked";
      return out;
    })
    .sort((a, b) => (b.lastMessage?.id ?? b.createdAt).localeCompare(a.lastMessage?.id ?? a.createdAt));
}

/** The last message of a conversation row (it has one), in MessagePreview's compact form. */
function preview(c: HelloConversationRow): MessagePreview {
  const deleted = Boolean(c.lm_deleted);
  const out: MessagePreview = { id: c.lm_id!, content: deleted ? "" : (c.lm_content ?? ""), createdAt: c.lm_created! };
  if (c.lm_author !== null) out.authorId = c.lm_author;
  if (c.lm_kind !== "text") out.kind = c.lm_kind!;
  if (!deleted && Number(c.lm_everyone) === 1) out.mentionsEveryone = true;
  if (!deleted && Number(c.lm_files) > 0) out.attachmentCount = Number(c.lm_files);
  return out;
}
