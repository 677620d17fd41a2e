/**
 * What hello lists, read narrowly: only the columns the compact reply carries, each query
 * compiled once (`prepared`), none of them growing with the number of friends, conversations,
 * spaces or channels. hello runs on every (re)connect, so its reads are the hot path of a
 * connect storm.
 */
import { sql, type Kysely } from "kysely";
import type { Database, MessageKind, NotifyLevel, PresenceVisibility } from "./schema";
import { countNamedMentions, lastMessageId, namedMentionCandidates, prepared } from "./sql";

/** The columns of a public profile. */
export interface ProfileRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
}

export interface HelloFriendRow extends ProfileRow {
  conversation_id: string;
  presence_visibility: PresenceVisibility;
}

export interface HelloRequestRow extends ProfileRow {
  r_id: string;
  r_from: string;
  r_to: string;
  r_created: string;
}

/** A DM or group of the viewer, with its last message (content cut to `preview` characters). */
export interface HelloConversationRow {
  id: string;
  kind: "dm" | "group";
  name: string | null;
  owner_id: string | null;
  dm_key: string | null;
  created_at: string;
  my_last_read: string | null;
  my_notify: NotifyLevel | null;
  unread: number | string;
  /** Unread messages that mention the viewer. */
  mentions: number;
  lm_id: string | null;
  lm_author: string | null;
  lm_kind: MessageKind | null;
  lm_content: string | null;
  lm_created: string | null;
  lm_deleted: string | null;
  lm_everyone: number | null;
  lm_files: number | string;
}

/** Another member of one of the viewer's DMs or groups. */
export interface HelloMemberRow extends ProfileRow {
  conversation_id: string;
  last_read_id: string | null;
  /** Set once the account is deleted: a DM with it is read-only. */
  deleted_at: string | null;
}

/** A channel of one of the viewer's spaces, with the viewer's unread and mention counts. */
export interface HelloChannelRow {
  id: string;
  space_id: string;
  name: string | null;
  channel_kind: "text" | "voice" | null;
  position: number | null;
  last_message_id: string | null;
  my_notify: NotifyLevel | null;
  unread: number | string;
  mentions: number | string;
}

export interface HelloStore {
  /** What a new socket hears: the user's channels and spaces (topics per socket), and their other conversations (delivered per user). */
  subscriptions(userId: string): Promise<{ channelIds: string[]; conversationIds: string[]; spaceIds: string[] }>;
  friends(userId: string): Promise<HelloFriendRow[]>;
  requests(userId: string): Promise<{ incoming: HelloRequestRow[]; outgoing: HelloRequestRow[] }>;
  conversations(userId: string, preview: number): Promise<HelloConversationRow[]>;
  members(userId: string): Promise<HelloMemberRow[]>;
  channels(userId: string): Promise<HelloChannelRow[]>;
}

const DIRECT = ["dm", "group"] as const;

const conversationIds = prepared(1, (db, userId: string) =>
  db.selectFrom("conversation_members as cm").innerJoin("conversations as c", "c.id", "cm.conversation_id").select(["cm.conversation_id", "c.kind"]).where("cm.user_id", "=", userId),
);
const spaceIds = prepared(1, (db, userId: string) => db.selectFrom("space_members").select("space_id").where("user_id", "=", userId));

const friends = prepared(1, (db, userId: string) =>
  db
    .selectFrom("friendships as f")
    .innerJoin("users as u", "u.id", "f.friend_id")
    .select(["u.id", "u.username", "u.display_name", "u.avatar_url", "u.presence_visibility", "f.conversation_id"])
    .where("f.user_id", "=", userId)
    .orderBy("u.username"),
);

const requests = (mine: "from_id" | "to_id", theirs: "from_id" | "to_id") =>
  prepared(1, (db, userId: string) =>
    db
      .selectFrom("friend_requests as r")
      .innerJoin("users as u", "u.id", `r.${theirs}`)
      .select(["u.id", "u.username", "u.display_name", "u.avatar_url", "r.id as r_id", "r.from_id as r_from", "r.to_id as r_to", "r.created_at as r_created"])
      .where(`r.${mine}`, "=", userId)
      .orderBy("r.created_at", "desc"),
  );
const incoming = requests("to_id", "from_id");
const outgoing = requests("from_id", "to_id");

/** Main-timeline messages by others (or the system) after the viewer's read mark. */
const unreadCount = (userId: string) =>
  sql<number>`(select count(*) from messages m where m.conversation_id = cm.conversation_id and m.thread_id is null and m.deleted_at is null
    and (m.author_id is null or m.author_id <> ${userId}) and (cm.last_read_id is null or m.id > cm.last_read_id))`;

const conversations = prepared(2, (db, userId: string, preview: number) =>
  db
    .selectFrom("conversation_members as cm")
    .innerJoin("conversations as c", "c.id", "cm.conversation_id")
    .leftJoin("messages as last", (j) => j.on("last.id", "=", lastMessageId("c.id")))
    .select(["c.id", "c.kind", "c.name", "c.owner_id", "c.dm_key", "c.created_at", "cm.last_read_id as my_last_read", "cm.notify_level as my_notify"])
    .select(["last.id as lm_id", "last.author_id as lm_author", "last.kind as lm_kind", "last.created_at as lm_created", "last.deleted_at as lm_deleted", "last.mentions_everyone as lm_everyone"])
    .select(sql<string | null>`substr(last.content, 1, ${preview})`.as("lm_content"))
    .select(sql<number>`(select count(*) from attachments a where a.message_id = last.id)`.as("lm_files"))
    .select(unreadCount(userId).as("unread"))
    .where("cm.user_id", "=", userId)
    .where("c.kind", "in", DIRECT),
);

const members = prepared(1, (db, userId: string) =>
  db
    .selectFrom("conversation_members as mine")
    .innerJoin("conversations as c", "c.id", "mine.conversation_id")
    .innerJoin("conversation_members as cm", "cm.conversation_id", "mine.conversation_id")
    .innerJoin("users as u", "u.id", "cm.user_id")
    .select(["cm.conversation_id", "cm.last_read_id", "u.id", "u.username", "u.display_name", "u.avatar_url", "u.deleted_at"])
    .where("mine.user_id", "=", userId)
    .where("c.kind", "in", DIRECT)
    .where("cm.user_id", "<>", userId),
);

const directMentions = prepared(1, (db, userId: string) => namedMentionCandidates(db, userId, DIRECT));
const channelMentions = prepared(1, (db, userId: string) => namedMentionCandidates(db, userId, ["channel"]));

const channels = prepared(1, (db, userId: string) =>
  db
    .selectFrom("conversation_members as cm")
    .innerJoin("conversations as c", "c.id", "cm.conversation_id")
    .select(["c.id", "c.space_id", "c.name", "c.channel_kind", "c.position", "cm.notify_level as my_notify"])
    .select(lastMessageId("c.id").as("last_message_id"))
    .select(unreadCount(userId).as("unread"))
    .select(
      // At "nothing" an @everyone is no mention (Discord's Nothing level); a mention by name still is.
      sql<number>`(select count(*) from messages m where m.conversation_id = cm.conversation_id and m.thread_id is null and m.mentions_everyone = 1 and m.deleted_at is null
        and m.author_id <> ${userId} and (cm.last_read_id is null or m.id > cm.last_read_id) and (cm.notify_level is null or cm.notify_level <> 'nothing'))`.as("mentions"),
    )
    .where("cm.user_id", "=", userId)
    .where("c.kind", "=", "channel"),
);

export class KyselyHelloStore implements HelloStore {
  constructor(private readonly db: Kysely<Database>) {}

  async subscriptions(userId: string) {
    const [c, s] = await Promise.all([conversationIds(this.db, userId), spaceIds(this.db, userId)]);
    const [channels, others] = [c.filter((r) => r.kind === "channel"), c.filter((r) => r.kind !== "channel")];
    return { channelIds: channels.map((r) => r.conversation_id), conversationIds: others.map((r) => r.conversation_id), spaceIds: s.map((r) => r.space_id) };
  }

  friends(userId: string) {
    return friends(this.db, userId) as Promise<HelloFriendRow[]>;
  }

  async requests(userId: string) {
    const [i, o] = await Promise.all([incoming(this.db, userId), outgoing(this.db, userId)]);
    return { incoming: i as HelloRequestRow[], outgoing: o as HelloRequestRow[] };
  }

  async conversations(userId: string, preview: number) {
    const [rows, named] = await Promise.all([conversations(this.db, userId, preview), directMentions(this.db, userId)]);
    const counts = countNamedMentions(named);
    return rows.map((r) => ({ ...r, mentions: counts.get(r.id) ?? 0 })) as HelloConversationRow[];
  }

  members(userId: string) {
    return members(this.db, userId) as Promise<HelloMemberRow[]>;
  }

  async channels(userId: string) {
    const [rows, named] = await Promise.all([channels(this.db, userId), channelMentions(this.db, userId)]);
    const counts = countNamedMentions(named);
    return (rows as HelloChannelRow[]).map((r) => ({ ...r, mentions: Number(r.mentions ?? 0) + (counts.get(r.id) ?? 0) }));
  }
}
