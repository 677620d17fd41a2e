/**
 * Message search: the dialog's query and pages of hits (GET /api/search), and the message a
 * hit asked to show — the conversation's list loads older pages until it holds it; for a thread
 * reply that is its root, and the thread panel loads older replies until it holds the reply.
 */
import { create } from "zustand";
import type { SearchHit, SearchResult } from "../../shared/protocol";
import { api, describeError } from "../api";

interface SearchState {
  open: boolean;
  query: string;
  hits: SearchHit[];
  nextCursor: string | null;
  status: "idle" | "loading" | "ready" | "error";
  error?: string;
  /** Set by a click on a hit; cleared once the message is on screen (or cannot be reached). */
  focus: { conversationId: string; messageId: string } | null;
  /** A thread reply to show in the thread panel, likewise cleared once shown. */
  threadFocus: { rootId: string; messageId: string } | null;
  setOpen(open: boolean): void;
  setQuery(query: string): void;
}

export const useSearch = create<SearchState>()((set) => ({
  open: false,
  query: "",
  hits: [],
  nextCursor: null,
  status: "idle",
  focus: null,
  threadFocus: null,
  setOpen: (open) => set({ open }),
  setQuery: (query) => set({ query }),
}));

/** Which request's answer is still wanted: a newer search drops older answers. */
let generation = 0;

async function fetchPage(q: string, cursor: string | null): Promise<SearchResult> {
  const params = new URLSearchParams({ q, limit: "20", ...(cursor ? { cursor } : {}) });
  return api.get<SearchResult>(`/api/search?${params}`);
}

export async function runSearch(): Promise<void> {
  const q = useSearch.getState().query.trim();
  if (!q) return;
  const mine = ++generation;
  useSearch.setState({ status: "loading", error: undefined, hits: [], nextCursor: null });
  try {
    const page = await fetchPage(q, null);
    if (mine === generation) useSearch.setState({ status: "ready", hits: page.hits, nextCursor: page.nextCursor });
  } catch (err) {
    if (mine === generation) useSearch.setState({ status: "error", error: describeError(err) });
  }
}

export async function moreResults(): Promise<void> {
  const s = useSearch.getState();
  if (s.status !== "ready" || !s.nextCursor) return;
  const mine = generation;
  useSearch.setState({ status: "loading" });
  try {
    const page = await fetchPage(s.query.trim(), s.nextCursor);
    if (mine === generation) useSearch.setState((st) => ({ status: "ready", hits: [...st.hits, ...page.hits], nextCursor: page.nextCursor }));
  } catch (err) {
    if (mine === generation) useSearch.setState({ status: "error", error: describeError(err) });
  }
}

/** Show a message in its conversation: a thread reply shows its root there and itself in the thread panel. */
export function focusMessage(conversationId: string, messageId: string, threadId: string | null): void {
  useSearch.setState({
    open: false,
    focus: { conversationId, messageId: threadId ?? messageId },
    threadFocus: threadId ? { rootId: threadId, messageId } : null,
  });
}
