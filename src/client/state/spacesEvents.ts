/**
 * Server events → the spaces model. `applySpaceEvent` takes the space-only events (and says so),
 * and watches a few shared ones (new messages for channel unread counts, our own read marks,
 * presence for member lists) without consuming them.
 */
import type { Message, ServerEvent, Space, SpaceMember } from "../../shared/protocol";
import { useChat, withoutConversation } from "./chat";
import { applyMessageDeleted } from "./messageDelete";
import { mentionsMeLive } from "./notifyLevel";
import { navigate, useRouter } from "./router";
import { loadMembers } from "./spacesActions";
import { forgetMention, keepMentions, markMentioned } from "./spacesMentions";
import { reorderPending } from "./spacesOrder";
import {
  findChannel,
  mergeSpaceInfo,
  patchChannel,
  setMemberUser,
  setPresence,
  spaceById,
  upsertChannel,
  upsertMember,
  upsertSpace,
  useSpaces,
  withoutChannel,
  withoutMember,
  withoutSpace,
} from "./spaces";
import { useUi } from "./ui";

/**
 * Every hello replaces the spaces with the server's view. Member lists held are fetched again
 * (events may have been missed), and shown as they were meanwhile.
 */
export function applySpacesHello(spaces: Space[] | undefined): void {
  const list = spaces ?? [];
  const gone = useSpaces.getState().spaces.filter((old) => !list.some((x) => x.id === old.id));
  useSpaces.setState((s) => {
    const readMarks = { ...s.readMarks };
    // What the server counts as read is everything up to the newest message, when nothing is unread.
    for (const space of list) for (const c of space.channels) if (!c.unreadCount && c.lastMessageId && (readMarks[c.id] ?? "") < c.lastMessageId) readMarks[c.id] = c.lastMessageId;
    const members = Object.fromEntries(Object.entries(s.members).filter(([id]) => list.some((x) => x.id === id)));
    return { loaded: true, spaces: list, members, readMarks };
  });
  for (const space of gone) forgetChannels(space);
  keepMentions(
    list.flatMap((space) => space.channels.filter((c) => c.unreadCount).map((c) => c.id)),
    list.flatMap((space) => space.channels.filter((c) => c.mentionCount).map((c) => c.id)),
  );
  for (const id of Object.keys(useSpaces.getState().members)) loadMembers(id, true).catch(() => {});
}

/** Drop the chat data held for a space's channels. */
function forgetChannels(space: Space, only?: string): void {
  useChat.setState((s) => {
    let next = s;
    for (const c of space.channels) if (!only || c.id === only) next = { ...next, ...withoutConversation(next, c.id) };
    return next;
  });
}

function viewing(spaceId: string): boolean {
  return useRouter.getState().path.startsWith(`/s/${spaceId}`);
}

const REMOVED: Record<string, (name: string) => string> = {
  kicked: (n) => `You were removed from ${n}`,
  banned: (n) => `You were banned from ${n}`,
  deleted: (n) => `${n} was deleted`,
};

function onRemoved(spaceId: string, reason: string): void {
  const space = spaceById(useSpaces.getState(), spaceId);
  if (!space) return;
  useSpaces.setState((s) => withoutSpace(s, spaceId));
  forgetChannels(space);
  if (viewing(spaceId)) navigate("/", { replace: true });
  const text = REMOVED[reason];
  // The owner deleted it themselves (in another tab, or this one's response is on its way).
  if (reason === "deleted" && space.ownerId === useChat.getState().meId) return;
  if (text) useUi.getState().toast(text(space.name), "error");
}

function onChannelMessage(m: Message): void {
  const found = findChannel(useSpaces.getState(), m.conversationId);
  // Thread replies stay in their thread: no unread mark on the channel.
  if (!found || m.threadId) return;
  const { activeId, meId } = useChat.getState();
  const counts = m.authorId !== null && m.authorId !== meId && m.kind === "text";
  const looking = activeId === m.conversationId && !document.hidden;
  if (found.channel.lastMessageId && found.channel.lastMessageId >= m.id) return; // already counted
  useSpaces.setState((s) => patchChannel(s, m.conversationId, (c) => ({ ...c, lastMessageId: m.id, unreadCount: (c.unreadCount ?? 0) + (counts && !looking ? 1 : 0) })));
  if (counts && !looking && mentionsMeLive(m)) markMentioned(m.conversationId);
}

/** Our own read mark, from this tab or another device. */
function onRead(conversationId: string, userId: string, messageId: string): void {
  if (userId !== useChat.getState().meId) return;
  useSpaces.setState((s) => {
    const found = findChannel(s, conversationId);
    if (!found) return {};
    const mark = s.readMarks[conversationId];
    const readMarks = mark && mark >= messageId ? s.readMarks : { ...s.readMarks, [conversationId]: messageId };
    const caughtUp = !found.channel.lastMessageId || messageId >= found.channel.lastMessageId;
    if (caughtUp) forgetMention(conversationId);
    return { readMarks, ...(caughtUp ? patchChannel(s, conversationId, (c) => ({ ...c, unreadCount: 0 })) : {}) };
  });
}

/**
 * Member events carry a presence the member may not share with us (it ignores their
 * presenceVisibility), so keep what we knew — a friend's, or the last list's — and fetch the
 * list, which the server filters, shortly after someone joins.
 */
function withKnownPresence(list: SpaceMember[] | undefined, member: SpaceMember): SpaceMember {
  const id = member.user.id;
  const presence = list?.find((m) => m.user.id === id)?.presence ?? useChat.getState().friends.find((f) => f.user.id === id)?.presence ?? "offline";
  return { ...member, presence };
}

const refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();

function refreshMembersSoon(spaceId: string): void {
  if (!useSpaces.getState().members[spaceId] || refreshTimers.has(spaceId)) return;
  refreshTimers.set(
    spaceId,
    setTimeout(() => {
      refreshTimers.delete(spaceId);
      if (useSpaces.getState().members[spaceId]) loadMembers(spaceId, true).catch(() => {});
    }, 1000),
  );
}

/** Returns true when the event concerned only spaces (the chat model has nothing to do). */
export function applySpaceEvent(e: ServerEvent): boolean {
  const set = useSpaces.setState;
  const meId = useChat.getState().meId;
  switch (e.type) {
    case "message:new":
      onChannelMessage(e.message);
      return false;
    case "read:updated":
      onRead(e.conversationId, e.userId, e.messageId);
      return false;
    case "presence:update":
      set((s) => setPresence(s, e.userId, e.status));
      return false;
    case "user:updated":
      set((s) => setMemberUser(s, e.user));
      return false;
    case "message:deleted":
      applyMessageDeleted(e.conversationId, e.messageId, e.thread);
      return true;
    case "space:new":
      set((s) => upsertSpace(s, e.space));
      return true;
    case "space:updated":
      set((s) => mergeSpaceInfo(s, e.space));
      return true;
    case "space:removed":
      onRemoved(e.spaceId, e.reason);
      return true;
    case "channel:created":
      set((s) => upsertChannel(s, e.channel));
      return true;
    case "channel:updated": {
      const c = e.channel;
      set((s) => upsertChannel(s, reorderPending(c.spaceId) ? { ...c, position: findChannel(s, c.id)?.channel.position ?? c.position } : c));
      return true;
    }
    case "channel:deleted": {
      const space = spaceById(useSpaces.getState(), e.spaceId);
      set((s) => withoutChannel(s, e.spaceId, e.channelId));
      if (space) forgetChannels(space, e.channelId);
      if (useRouter.getState().path === `/s/${e.spaceId}/${e.channelId}`) navigate(`/s/${e.spaceId}`, { replace: true });
      return true;
    }
    case "member:joined":
    case "member:updated":
      set((s) => upsertMember(s, e.spaceId, withKnownPresence(s.members[e.spaceId], e.member), meId));
      if (e.type === "member:joined") refreshMembersSoon(e.spaceId);
      return true;
    case "member:left":
      set((s) => withoutMember(s, e.spaceId, e.userId));
      return true;
    case "voice:state":
      set((s) => patchChannel(s, e.channelId, (c) => ({ ...c, voiceMembers: e.userIds, voiceMuted: e.muted ?? [], voiceSpeaking: e.speaking ?? [] })));
      return true;
    default:
      return false;
  }
}
