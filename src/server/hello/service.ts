/**
 * hello: what a socket needs on every (re)connect, in the compact form of src/shared/hello.ts —
 * each person once, lists by id, last messages as previews. What only events change is read
 * with a fixed number of narrow queries (store/hello.ts) and kept serialized per user in the
 * HelloCache; presence, calls and voice rosters are read on every hello.
 */
import { channelSummary, type SpaceSummary } from "../../shared/hello";
import { PREVIEW_LENGTH, defaultNotifyLevel, type Channel, type ConversationSummary, type Space, type RequestSummary } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { CallService } from "../calls/service";
import type { PresenceService } from "../social/presence";
import { toMe, toPublic } from "../social/users";
import type { SpaceService } from "../spaces/service";
import type { HelloConversationRow, HelloMemberRow, HelloRequestRow, ProfileRow, Store } from "../store/store";
import { AppError } from "../../shared/errors";
import type { HelloCache, Loaded } from "./cache";

/**
 * A frame reply already serialized: `body` is its fields as JSON without the braces. hello
 * splices its cached JSON into the reply instead of serializing ~100 KiB again per socket.
 */
export class SerializedReply {
  constructor(readonly body: string) {}
}

/** What a socket hears: the user's channels and spaces (a topic each per socket), and their DMs, groups and rooms (per user). */
export interface Subscriptions {
  channelIds: string[];
  conversationIds: string[];
  spaceIds: string[];
}

/** hello's parts that only events change (kept per user in HelloCache); presence, calls and voice rosters are read per hello. */
interface HelloParts {
  /** `"user":…,"users":…,"requests":…,"conversations":…` */
  json: string;
  friendIds: string[];
  /** Each friend's summary as JSON around its presence: `{"userId":…,"presence":"` and `","conversationId":…}`. */
  friendJson: Array<[string, string]>;
  /** Each space as JSON with its voice channels' rosters empty, and the voice channel ids to fill them from. */
  spaces: Array<{ space: Space; json: string; voiceIds: string[] }>;
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
    const voiceIds = parts.spaces.flatMap((s) => s.voiceIds);
    const [presence, liveCalls, { call, callState }, voice] = await Promise.all([
      this.presence.visibleMany(parts.friendIds),
      this.calls.live(parts.groupIds),
      this.calls.current(actor),
      voiceIds.length ? this.calls.voiceMembers(voiceIds) : (new Map() as VoiceRoster),
    ]);
    // Presence values are a handful of plain words: spliced in, nothing to escape.
    let friends = "";
    for (let i = 0; i < parts.friendIds.length; i++) {
      const [head, tail] = parts.friendJson[i]!;
      friends += `${i ? "," : ""}${head}${presence.get(parts.friendIds[i]!)}${tail}`;
    }
    // Only a space with someone in one of its voice channels is serialized again.
    const spaces = parts.spaces.map((s) => (s.voiceIds.some((id) => voice.has(id)) ? spaceJson(s.space, voice) : s.json));
    return new SerializedReply(`${parts.json},"friends":[${friends}],"spaces":[${spaces.join(",")}],"call":${JSON.stringify(call)},"callState":${JSON.stringify(callState)},"liveCalls":${JSON.stringify(liveCalls)}`);
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
    const json = JSON.stringify({
      user: toMe(me),
      users: [...users.values()].map(toPublic),
      requests: { incoming: requests.incoming.map(toRequest), outgoing: requests.outgoing.map(toRequest) },
      conversations: list,
    }).slice(1, -1);
    const spaceParts = spaces.map((space) => ({ space, json: spaceJson(space), voiceIds: space.channels.filter((c) => c.kind === "voice").map((c) => c.id) }));
    const deps = [...list.map((c) => `c:${c.id}`), ...spaces.flatMap((sp) => [`sp:${sp.id}`, ...sp.channels.map((c) => `c:${c.id}`)])];
    const value: HelloParts = {
      json,
      friendIds: friends.map((f) => f.id),
      friendJson: friends.map((f) => [`{"userId":${JSON.stringify(f.id)},"presence":"`, `","conversationId":${JSON.stringify(f.conversation_id)}}`]),
      spaces: spaceParts,
      groupIds: list.filter((c) => c.kind === "group").map((c) => c.id),
    };
    return { value, deps, bytes: json.length + spaceParts.reduce((n, s) => n + s.json.length, 0) + 150 * friends.length };
  }
}

type VoiceRoster = Map<string, Pick<Channel, "voiceMembers" | "voiceMuted" | "voiceSpeaking">>;

/** A space as hello lists it (channels as summaries), with who is in its voice channels. */
function spaceJson(space: Space, voice?: VoiceRoster): string {
  const summary: SpaceSummary = { ...space, channels: space.channels.map((c) => channelSummary(voice?.has(c.id) ? { ...c, ...voice.get(c.id) } : c)) };
  return JSON.stringify(summary);
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
              ...(!c.lm_deleted && Number(c.lm_files) > 0 ? { attachmentCount: Number(c.lm_files) } : {}),
            }
          : null,
        unreadCount: Number(c.unread ?? 0),
        ...(c.mentions ? { mentionCount: c.mentions } : {}),
        notifyLevel: c.my_notify ?? defaultNotifyLevel(c.kind),
        readOnly: other !== undefined && blocked.has(other),
        createdAt: c.created_at,
      };
    })
    .sort((a, b) => (b.lastMessage?.id ?? b.createdAt).localeCompare(a.lastMessage?.id ?? a.createdAt));
}
