/**
 * Message search (GET /api/search): the query string with its filters, and one page of hits,
 * each with a snippet whose matches are given as ranges — the client marks them up itself, so
 * no server-made markup ever reaches the page. See docs/PROTOCOL.md "Search".
 */
import { z } from "zod";
import type { Message, PublicUser } from "./protocol";
import { Id, Str } from "./wire";

export const SEARCH_QUERY_MAX = 200;
export const SEARCH_PAGE_MAX = 50;

export const SearchQuery = z.object({
  q: Str().trim().min(1, "Enter something to search for").max(SEARCH_QUERY_MAX),
  /** nextCursor of the previous page. */
  cursor: Id.optional(),
  limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** A piece of a message's text; `highlights` are [start, end) UTF-16 offsets into `text`. */
export interface Snippet {
  text: string;
  highlights: Array<[number, number]>;
}

export interface SearchHit {
  message: Message;
  snippet: Snippet;
  /** Where it was said (a DM's name is the other member's; a channel's space is spaceId). */
  conversation: { id: string; kind: "dm" | "group" | "channel" | "room"; name: string | null; spaceId: string | null };
  /** Null for a room guest's message (message.guest names them) or a deleted account. */
  author: PublicUser | null;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}
