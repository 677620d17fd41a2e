/**
 * Loading history: the newest page when a conversation opens, older pages on scroll-up, and
 * catching up after a reconnect (sync after the newest id held until nothing is left; the
 * conversation on screen and its open thread also re-read their newest page).
 */
import { idFloor, idTime } from "../../shared/ids";
import type { Message } from "../../shared/protocol";
import { api, describeError } from "../api";
import { addMessages, useChat, type History } from "./chat";
import { currentSocket } from "./chatSocket";
import { isChannelId } from "./spaces";
import { loadThread, openThreadId } from "./threads";

const PAGE = 50;
const SYNC_PAGE = 100;
/** Past this many catch-up pages, start over from the newest page instead. */
const MAX_SYNC_PAGES = 20;
/** Beyond any clock skew between nodes and the time a send takes to commit. */
const LOOK_BACK_MS = 10_000;

interface Page {
  messages: Message[];
  hasMore: boolean;
}

function setHistory(id: string, patch: Partial<History>): void {
  useChat.setState((s) => {
    const prev = s.history[id] ?? { status: "loading", hasMoreBefore: false, loadingOlder: false };
    return { history: { ...s.history, [id]: { ...prev, ...patch } } };
  });
}

/** The newest page of a conversation, unless it is loaded or loading already (or `force`). */
export async function loadInitial(conversationId: string, force = false): Promise<void> {
  const h = useChat.getState().history[conversationId];
  if (h && h.status !== "error" && !force) return;
  // After a failed load, what arrived live meanwhile may leave a gap before the new page.
  const fresh = force || h?.status === "error";
  setHistory(conversationId, { status: "loading", error: undefined });
  try {
    const page = await api.get<Page>(`/api/conversations/${encodeURIComponent(conversationId)}/messages?limit=${PAGE}`);
    useChat.setState((s) => {
      if (!s.history[conversationId]) return {};
      // Starting over: what was held may have a gap before this page.
      const base = fresh ? { ...s, messages: { ...s.messages, [conversationId]: [] } } : s;
      return { messages: base.messages, ...addMessages(base, conversationId, page.messages) };
    });
    setHistory(conversationId, { status: "ready", hasMoreBefore: page.hasMore });
  } catch (err) {
    setHistory(conversationId, { status: "error", error: describeError(err) });
  }
}

/** The page before the oldest message held (infinite scroll up). */
export async function loadOlder(conversationId: string): Promise<void> {
  const s = useChat.getState();
  const h = s.history[conversationId];
  const oldest = s.messages[conversationId]?.[0];
  if (!h || h.status !== "ready" || !h.hasMoreBefore || h.loadingOlder || !oldest) return;
  setHistory(conversationId, { loadingOlder: true });
  try {
    const q = `before=${encodeURIComponent(oldest.id)}&limit=${PAGE}`;
    const page = await api.get<Page>(`/api/conversations/${encodeURIComponent(conversationId)}/messages?${q}`);
    useChat.setState((st) => addMessages(st, conversationId, page.messages));
    setHistory(conversationId, { loadingOlder: false, hasMoreBefore: page.hasMore });
  } catch {
    // Scrolling up again retries.
    setHistory(conversationId, { loadingOlder: false });
  }
}

const catchingUp = new Set<string>();

/** Fetch everything after the newest message held, oldest first, until the server has no more. */
export async function catchUp(conversationId: string): Promise<void> {
  const socket = currentSocket();
  if (!socket || catchingUp.has(conversationId)) return;
  catchingUp.add(conversationId);
  try {
    const newest = useChat.getState().messages[conversationId]?.at(-1)?.id;
    // Ids are minted before commit, on whichever node took the send: a message minted a little
    // earlier than the newest held may have committed later. Look back a few seconds for it.
    let after = newest && idFloor(idTime(newest) - LOOK_BACK_MS);
    for (let pages = 0; ; pages++) {
      if (pages >= MAX_SYNC_PAGES) return void (await loadInitial(conversationId, true));
      const page = await socket.request<Page>({ type: "sync", conversationId, limit: SYNC_PAGE, ...(after ? { after } : {}) });
      if (currentSocket() !== socket || !useChat.getState().history[conversationId]) return;
      useChat.setState((s) => addMessages(s, conversationId, page.messages));
      if (!page.hasMore || page.messages.length === 0) return;
      after = page.messages.at(-1)!.id;
    }
  } catch {
    // The socket dropped again (the next hello catches up) or we left the conversation.
  } finally {
    catchingUp.delete(conversationId);
  }
}

/**
 * The newest page again, merged over what is held: the edits, deletes, reactions and thread
 * summaries of messages already held that were missed while the socket was down.
 */
async function refreshNewest(conversationId: string): Promise<void> {
  try {
    const page = await api.get<Page>(`/api/conversations/${encodeURIComponent(conversationId)}/messages?limit=${PAGE}`);
    useChat.setState((s) => (s.history[conversationId]?.status === "ready" ? addMessages(s, conversationId, page.messages) : {}));
  } catch {
    // The next reconnect tries again; live events keep it right meanwhile.
  }
}

/**
 * After every hello: bring each conversation we hold messages for up to date. The one on
 * screen (and its open thread) also takes what changed in messages it holds.
 */
export function resyncHeld(): void {
  const { history, conversations, activeId } = useChat.getState();
  for (const [id, h] of Object.entries(history)) {
    if (!conversations[id] && !isChannelId(id)) continue;
    if (h.status === "ready") void catchUp(id).then(() => (id === activeId ? refreshNewest(id) : undefined));
    else if (h.status === "error") void loadInitial(id);
  }
  const rootId = openThreadId(window.location.search);
  if (activeId && rootId) void loadThread(activeId, rootId, true);
}
