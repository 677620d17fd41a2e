/**
 * hello: what a socket needs on every (re)connect, in the compact form of src/shared/hello.ts —
 * each person once, lists by id, last messages as previews. A fixed number of narrow reads
 * (store/hello.ts) however many friends, requests, conversations, spaces and channels.
 */
import { channelSummary } from "../../shared/hello";
import { PREVIEW_LENGTH, type ConversationSummary, type HelloResult, type RequestSummary } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { CallService } from "../calls/service";
import type { PresenceService } from "../social/presence";
import { toMe, toPublic } from "../social/users";
import type { SpaceService } from "../spaces/service";
import type { HelloConversationRow, HelloMemberRow, HelloRequestRow, ProfileRow, Store } from "../store/store";
import { AppError } from "../../shared/errors";

export class HelloService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly spaces: SpaceService,
    private readonly calls: CallService,
  ) {}

  async hello(actor: Actor): Promise<HelloResult> {
    const id = actor.userId;
    const [me, friends, requests, conversations, members, blocked, spaces, { call, callState }] = await Promise.all([
      this.store.accounts.userById(id),
      this.store.hello.friends(id),
      this.store.hello.requests(id),
      this.store.hello.conversations(id, PREVIEW_LENGTH),
      this.store.hello.members(id),
      this.store.social.blockedEitherWay(id),
      this.spaces.list(actor),
      this.calls.current(actor),
    ]);
    if (!me) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    const [presence, liveCalls] = await Promise.all([
      this.presence.visibleMany(friends.map((f) => f.id)),
      this.calls.live(conversations.filter((c) => c.kind === "group").map((c) => c.id)),
    ]);
    const users = new Map<string, ProfileRow>();
    for (const u of [...friends, ...requests.incoming, ...requests.outgoing, ...members]) if (!users.has(u.id)) users.set(u.id, u);
    return {
      user: toMe(me),
      users: [...users.values()].map(toPublic),
      friends: friends.map((f) => ({ userId: f.id, presence: presence.get(f.id)!, conversationId: f.conversation_id })),
      requests: { incoming: requests.incoming.map(toRequest), outgoing: requests.outgoing.map(toRequest) },
      conversations: summaries(id, conversations, members, blocked),
      spaces: spaces.map((sp) => ({ ...sp, channels: sp.channels.map(channelSummary) })),
      call,
      callState,
      liveCalls,
    };
  }
}

const toRequest = (r: HelloRequestRow): RequestSummary => ({ id: r.r_id, fromId: r.r_from, toId: r.r_to, createdAt: r.r_created });

/** Newest activity first, as GET /api/conversations lists them. */
function summaries(userId: string, rows: HelloConversationRow[], members: HelloMemberRow[], blocked: Set<string>): ConversationSummary[] {
  const byConversation = Map.groupBy(members, (m) => m.conversation_id);
  return rows
    .map((c) => {
      const others = byConversation.get(c.id) ?? [];
      const reads: Record<string, string> = {};
      if (c.my_last_read) reads[userId] = c.my_last_read;
      for (const m of others) if (m.last_read_id) reads[m.id] = m.last_read_id;
      const other = c.kind === "dm" ? c.dm_key?.split(":").find((x) => x !== userId) : undefined;
      return {
        id: c.id,
        kind: c.kind,
        name: c.name,
        ownerId: c.owner_id,
        memberIds: others.map((m) => m.id),
        reads,
        lastMessage: c.lm_id
          ? {
              id: c.lm_id,
              authorId: c.lm_author,
              kind: c.lm_kind!,
              content: c.lm_deleted ? "" : (c.lm_content ?? ""),
              createdAt: c.lm_created!,
              mentionsEveryone: !c.lm_deleted && Number(c.lm_everyone) === 1,
            }
          : null,
        unreadCount: Number(c.unread ?? 0),
        muted: Number(c.my_muted) === 1,
        readOnly: other !== undefined && blocked.has(other),
        createdAt: c.created_at,
      };
    })
    .sort((a, b) => (b.lastMessage?.id ?? b.createdAt).localeCompare(a.lastMessage?.id ?? a.createdAt));
}
