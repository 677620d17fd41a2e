/** Server events → the chat model (and new-message alerts). */
import { type FriendRequest, type Message, type PublicUser, type ServerEvent } from "../../shared/protocol";
import {
  TYPING_TTL_MS,
  addMessages,
  applyRead,
  bumpConversation,
  setTyping,
  useChat,
  withoutConversation,
  type ChatState,
} from "./chat";
import { conversationTitle, knownUserName } from "./chatSelectors";
import { applyMessageUpdated, applyReactionUpdated } from "./messageExtras";
import { playChime, showDesktopNotification } from "./notify";
import { applyNotifyLevel, mentionsMe, mentionsMeLive, notifyLevelOf } from "./notifyLevel";
import { navigate, useRouter } from "./router";
import { findChannel, useSpaces } from "./spaces";
import { applySpaceEvent } from "./spacesEvents";
import { useSession } from "./session";
import { focusMessage } from "./search";
import { applyThreadRead, messagePath } from "./threads";
import { userProfile, useUserCache } from "./userCache";

const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

function typing(conversationId: string, userId: string, active: boolean): void {
  const key = `${conversationId}:${userId}`;
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  if (active) {
    typingTimers.set(
      key,
      setTimeout(() => {
        typingTimers.delete(key);
        useChat.setState((s) => setTyping(s, conversationId, userId, null));
      }, TYPING_TTL_MS),
    );
  }
  useChat.setState((s) => setTyping(s, conversationId, userId, active ? Date.now() + TYPING_TTL_MS : null));
}

export function clearTypingTimers(): void {
  for (const t of typingTimers.values()) clearTimeout(t);
  typingTimers.clear();
}

function upsertRequest(list: FriendRequest[], r: FriendRequest): FriendRequest[] {
  return [...list.filter((x) => x.id !== r.id), r];
}

/** Ids of the messages heard lately: one announced again (by the survivor of a node that died announcing it) chimes once. */
const heard = new Set<string>();
const HEARD_KEPT = 500;

function onMessage(m: Message): void {
  const before = useChat.getState();
  useChat.setState((s) => ({ ...addMessages(s, m.conversationId, [m]), ...bumpConversation(s, m, mentionsMeLive(m)) }));
  if (m.authorId) typing(m.conversationId, m.authorId, false);
  if (heard.has(m.id)) return;
  heard.add(m.id);
  if (heard.size > HEARD_KEPT) heard.delete(heard.values().next().value!);
  if (m.authorId && m.authorId !== before.meId && m.kind === "text") void alert(before, m, m.authorId);
}

/** Chime (and desktop notification) for someone else's message the user is not looking at, as its notification level allows (never in DND). */
async function alert(s: ChatState, m: Message, authorId: string): Promise<void> {
  if (s.myStatus === "dnd" || (!document.hidden && s.activeId === m.conversationId)) return;
  const level = notifyLevelOf(m.conversationId);
  if (level === "nothing" || (level === "mentions" && !mentionsMeLive(m))) return;
  playChime();
  // A channel's author may be in no list held yet (its space's members load when it opens).
  const sender = knownUserName(s, m.conversationId, authorId) ?? (await userProfile(authorId))?.displayName ?? "Someone";
  const c = s.conversations[m.conversationId];
  const found = c ? undefined : findChannel(useSpaces.getState(), m.conversationId);
  const where = c?.kind === "group" ? ` in ${conversationTitle(c, s.meId)}` : found ? ` in #${found.channel.name}` : "";
  const title = `${sender}${m.threadId ? " replied in a thread" : ""}${where}`;
  // The click opens where the message is: a channel's page within its space, a reply's thread.
  showDesktopNotification(title, m.content, m.conversationId, () => {
    if (m.threadId) focusMessage(m.conversationId, m.id, m.threadId);
    navigate(messagePath(m.conversationId, found?.space.id, m.threadId));
  });
}

export function applyEvent(e: ServerEvent): void {
  if (applySpaceEvent(e)) return;
  switch (e.type) {
    case "message:new":
      return onMessage(e.message);
    case "message:updated":
      return applyMessageUpdated(e.message);
    case "reaction:updated":
      return applyReactionUpdated(e);
    case "typing":
      if (e.userId !== useChat.getState().meId) typing(e.conversationId, e.userId, e.active);
      return;
    case "thread:read":
      return applyThreadRead(e.conversationId, e.threadId, e.messageId);
    case "read:updated":
      return useChat.setState((s) => applyRead(s, e.conversationId, e.userId, e.messageId, mentionsMe));
    case "presence:update":
      return useChat.setState((s) => ({
        friends: s.friends.map((f) => (f.user.id === e.userId ? { ...f, presence: e.status } : f)),
      }));
    case "user:updated":
      return applyUserUpdated(e.user);
    case "me:updated":
      return useSession.setState({ user: e.user });
    case "friend:request":
      return useChat.setState((s) =>
        e.request.fromId === s.meId
          ? { outgoing: upsertRequest(s.outgoing, e.request) }
          : { incoming: upsertRequest(s.incoming, e.request) },
      );
    case "friend:request-removed":
      return useChat.setState((s) => ({
        incoming: s.incoming.filter((r) => r.id !== e.requestId),
        outgoing: s.outgoing.filter((r) => r.id !== e.requestId),
      }));
    case "friend:accepted":
      return useChat.setState((s) => {
        const id = e.friend.user.id;
        return {
          friends: [...s.friends.filter((f) => f.user.id !== id), e.friend],
          incoming: s.incoming.filter((r) => r.user.id !== id),
          outgoing: s.outgoing.filter((r) => r.user.id !== id),
        };
      });
    case "friend:removed":
      return useChat.setState((s) => ({ friends: s.friends.filter((f) => f.user.id !== e.userId) }));
    case "conversation:new":
    case "conversation:updated":
      return useChat.setState((s) => ({ conversations: { ...s.conversations, [e.conversation.id]: e.conversation } }));
    case "conversation:notify-level":
      return applyNotifyLevel(e.conversationId, e.level);
    case "conversation:removed":
      // Left on another device (or this one, ahead of the REST reply): don't stay on a page that is gone.
      if (useRouter.getState().path === `/c/${e.conversationId}`) navigate("/messages", { replace: true });
      return useChat.setState((s) => withoutConversation(s, e.conversationId));
    case "error":
      return;
  }
}

/** A profile changed: every place that shows it takes the new name and avatar. */
function applyUserUpdated(user: PublicUser): void {
  const swap = <T extends { user: PublicUser }>(x: T): T => (x.user.id === user.id ? { ...x, user } : x);
  useChat.setState((s) => ({
    friends: s.friends.map(swap),
    incoming: s.incoming.map(swap),
    outgoing: s.outgoing.map(swap),
    conversations: Object.fromEntries(
      Object.entries(s.conversations).map(([id, c]) => [id, c.members.some((m) => m.id === user.id) ? { ...c, members: c.members.map((m) => (m.id === user.id ? user : m)) } : c]),
    ),
  }));
  useUserCache.setState((s) => (s.users[user.id] ? { users: { ...s.users, [user.id]: user } } : s));
  // Another device of ours changed it.
  const me = useSession.getState().user;
  if (me?.id === user.id) useSession.setState({ user: { ...me, displayName: user.displayName, avatarUrl: user.avatarUrl } });
}

