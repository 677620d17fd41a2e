/**
 * One socket per signed-in session: opened on sign-in, closed on sign-out. Every hello (the
 * first and each reconnect) replaces friends and conversations with the server's view, then
 * catches up every conversation whose messages we hold.
 */
import { expandHello } from "../../shared/hello";
import type { HelloResult } from "../../shared/protocol";
import { refreshSession } from "../api";
import { ParleySocket } from "../socket";
import { resetChat, useChat, type ChatState } from "./chat";
import { handleCallEvent, handleHello, isCallEvent } from "./call";
import { restoreOutbox } from "./chatActions";
import { applyEvent, clearTypingTimers } from "./chatEvents";
import { resyncHeld } from "./chatHistory";
import { currentSocket, setCurrentSocket } from "./chatSocket";
import { useSession } from "./session";
import { clearDrafts } from "./drafts";
import { clearOutbox, loadOutbox, saveOutboxChanges } from "./outboxStorage";
import { loadBlocked } from "./social";
import { resetSpaces } from "./spaces";
import { applySpacesHello } from "./spacesEvents";

let socketUser: string | null = null;
let unpersist: (() => void) | null = null;

function channelIds(h: HelloResult): Record<string, true> {
  return Object.fromEntries((h.spaces ?? []).flatMap((sp) => sp.channels.map((c) => [c.id, true] as const)));
}

function socketUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

/** Keep only what belongs to conversations (or space channels) that still exist. */
function keep<T>(rec: Record<string, T>, ids: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).filter(([id]) => id in ids));
}

function onHello(h: HelloResult): void {
  const { friends, incoming, outgoing, conversations: list, spaces } = expandHello(h);
  applySpacesHello(spaces);
  useChat.setState((s): Partial<ChatState> => {
    const conversations = Object.fromEntries(list.map((c) => [c.id, c]));
    const held = { ...conversations, ...channelIds(h) };
    return {
      ready: true,
      meId: h.user.id,
      friends,
      incoming,
      outgoing,
      conversations,
      messages: keep(s.messages, held),
      history: keep(s.history, held),
      outbox: keep(s.outbox, held),
      threads: Object.fromEntries(Object.entries(s.threads).filter(([, t]) => t.conversationId in held)),
      typing: {},
    };
  });
  clearTypingTimers();
  // The server forgets a chosen status once every connection has gone.
  const { myStatus } = useChat.getState();
  if (myStatus !== "online") currentSocket()?.notify({ type: "presence:set", status: myStatus });
  const session = useSession.getState();
  if (session.user && (session.user.displayName !== h.user.displayName || session.user.avatarUrl !== h.user.avatarUrl)) {
    useSession.setState({ user: h.user });
  }
  // Blocks are not in hello: fetch them if the Blocked tab has shown them.
  if (useChat.getState().blocked !== null) void loadBlocked();
  resyncHeld();
}

function start(userId: string): void {
  if (currentSocket() && socketUser === userId) return;
  stop();
  resetChat();
  resetSpaces();
  useChat.setState({ meId: userId });
  socketUser = userId;
  const socket = new ParleySocket({
    url: socketUrl(),
    refresh: refreshSession,
    onEvent: (e) => (isCallEvent(e) ? handleCallEvent(e) : applyEvent(e)),
    onHello: (h) => {
      onHello(h);
      handleHello(h, socket);
    },
    onState: (socketState) => useChat.setState({ socketState }),
    onAuthLost: () => useSession.getState().signedOut(),
  });
  setCurrentSocket(socket);
  socket.start();
  restoreOutbox(loadOutbox(userId));
  unpersist = useChat.subscribe((s, prev) => {
    if (s.outbox !== prev.outbox) saveOutboxChanges(userId, prev.outbox, s.outbox);
  });
}

/** Closes the socket; `signedOut` also forgets the messages still waiting to be sent. */
function stop(signedOut = false): void {
  const socket = currentSocket();
  setCurrentSocket(null);
  // Stop persisting first: clearing the state below must not erase what is stored.
  unpersist?.();
  unpersist = null;
  if (signedOut && socketUser) {
    clearOutbox(socketUser);
    clearDrafts(socketUser);
  }
  socketUser = null;
  socket?.stop();
  clearTypingTimers();
  resetChat();
  resetSpaces();
}

let following = false;

/** Start and stop the socket with the session (idempotent). */
export function followSession(): void {
  if (following) return;
  following = true;
  const apply = () => {
    const { status, user } = useSession.getState();
    // An account scheduled for deletion sees only the choice to keep it, so it needs no socket yet.
    if (status === "signedIn" && user && !user.deletionScheduledFor) start(user.id);
    else if (status === "signedOut") stop(true);
  };
  useSession.subscribe((s, prev) => {
    if (s.status !== prev.status || s.user?.id !== prev.user?.id || !s.user?.deletionScheduledFor !== !prev.user?.deletionScheduledFor) apply();
  });
  apply();
}
