/** Message search over what the user can read now: their conversations' text messages, one query per page. */
import type { SearchQuery, SearchHit, SearchResult } from "../../shared/search";
import type { Actor } from "../auth/service";
import type { SearchRow, Store } from "../store/store";
import { toMessage } from "../chat/wire";
import { toPublic } from "../social/users";
import { parseSearch, type ParsedSearch } from "./query";
import { snippet } from "./snippet";

export class SearchService {
  constructor(private readonly store: Store) {}

  async search(actor: Actor, input: SearchQuery): Promise<SearchResult> {
    const parsed = parseSearch(input.q);
    const rows = await this.store.search.messages(
      actor.userId,
      { terms: parsed.terms, fromUsername: parsed.from, in: parsed.in, mentions: parsed.mentions, hasLink: parsed.hasLink, hasFile: parsed.hasFile, before: parsed.before, after: parsed.after },
      { cursor: input.cursor, limit: input.limit + 1 },
    );
    const page = rows.slice(0, input.limit);
    return { hits: page.map((r) => hit(r, parsed)), nextCursor: rows.length > input.limit ? page.at(-1)!.id : null };
  }
}

function hit(r: SearchRow, parsed: ParsedSearch): SearchHit {
  return {
    message: toMessage(r),
    snippet: snippet(r.content, parsed.terms, parsed.mentions),
    conversation: { id: r.conversation_id, kind: r.c_kind, name: r.c_name, spaceId: r.c_space_id },
    author: r.u_id ? toPublic({ id: r.u_id, username: r.u_username!, display_name: r.u_display_name!, avatar_url: r.u_avatar_url }) : null,
  };
}
