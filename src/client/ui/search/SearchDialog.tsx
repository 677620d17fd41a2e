/**
 * Search (Ctrl+K / ⌘K, or the rail's button): a query box with the filters' syntax as a hint,
 * and hits showing author, conversation, time and the snippet with its matches marked. The
 * snippet is plain text split at the server's ranges — never markup. A click opens the
 * conversation at that message; a thread reply opens its thread beside it, at the reply.
 */
import { useEffect, type ReactNode } from "react";
import type { SearchHit } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { conversationTitle } from "../../state/chatSelectors";
import { navigate } from "../../state/router";
import { focusMessage, moreResults, runSearch, useSearch } from "../../state/search";
import { useSpaces } from "../../state/spaces";
import { messagePath } from "../../state/threads";
import { Dialog } from "../common/Dialog";
import { Spinner } from "../common/icons";

export const SearchIcon = ({ className = "size-5" }: { className?: string }) => (
  <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" aria-hidden="true" className={className}>
    <circle cx="8.5" cy="8.5" r="5.5" />
    <path d="m13 13 4 4" />
  </svg>
);

/** The text with each [start, end) range in a <mark>. */
export function Highlighted({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (a < at || b > text.length) continue;
    if (a > at) parts.push(text.slice(at, a));
    parts.push(
      <mark key={a} className="rounded-sm bg-amber-200/80 px-px text-inherit dark:bg-amber-400/30">
        {text.slice(a, b)}
      </mark>,
    );
    at = b;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

function useWhere(hit: SearchHit): string {
  const conversation = useChat((s) => s.conversations[hit.conversation.id]);
  const meId = useChat((s) => s.meId);
  const space = useSpaces((s) => (hit.conversation.spaceId ? s.spaces.find((x) => x.id === hit.conversation.spaceId) : undefined));
  if (hit.conversation.kind === "channel") return `#${hit.conversation.name ?? "channel"}${space ? ` · ${space.name}` : ""}`;
  if (conversation) return conversationTitle(conversation, meId);
  return hit.conversation.name ?? "Conversation";
}

function Hit({ hit }: { hit: SearchHit }) {
  const where = useWhere(hit);
  const who = hit.author?.displayName ?? hit.message.guest?.name ?? "Someone";
  const when = new Date(hit.message.createdAt);
  const open = () => {
    const c = hit.conversation;
    focusMessage(c.id, hit.message.id, hit.message.threadId);
    navigate(messagePath(c.id, c.kind === "channel" ? c.spaceId : null, hit.message.threadId));
  };
  return (
    <li>
      <button
        type="button"
        data-testid="search-hit"
        data-message-id={hit.message.id}
        onClick={open}
        className="w-full rounded-lg px-3 py-2 text-left hover:bg-zinc-100 focus-visible:bg-zinc-100 focus-visible:outline-none dark:hover:bg-zinc-800 dark:focus-visible:bg-zinc-800"
      >
        <div className="flex items-baseline gap-2 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="truncate font-semibold text-zinc-800 dark:text-zinc-200">{who}</span>
          <span className="truncate" data-testid="search-hit-where">{where}</span>
          <time className="ml-auto shrink-0" dateTime={hit.message.createdAt} title={when.toLocaleString()}>
            {when.toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric" })}
          </time>
        </div>
        <p data-testid="search-snippet" className="mt-0.5 line-clamp-3 whitespace-pre-wrap break-words text-sm text-zinc-800 dark:text-zinc-200">
          <Highlighted text={hit.snippet.text} ranges={hit.snippet.highlights} />
        </p>
      </button>
    </li>
  );
}

export function SearchDialog() {
  const { open, query, hits, nextCursor, status, error, setOpen, setQuery } = useSearch();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        useSearch.getState().setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Search messages" hideTitle>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void runSearch();
        }}
        className="-mt-2 flex items-center gap-2 border-b border-zinc-200 pb-3 pr-8 dark:border-zinc-800"
      >
        <SearchIcon className="size-5 shrink-0 text-zinc-400" />
        <input
          autoFocus
          type="search"
          aria-label="Search messages"
          data-testid="search-input"
          value={query}
          maxLength={200}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search — try from:alice or has:link"
          className="min-w-0 flex-1 bg-transparent text-[0.9375rem] outline-none placeholder:text-zinc-400"
        />
        {status === "loading" ? <Spinner className="size-4 text-zinc-400" /> : null}
      </form>
      <div className="mt-2 max-h-[60vh] overflow-y-auto" data-testid="search-results">
        {status === "error" ? (
          <p role="alert" className="px-3 py-4 text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        ) : status === "ready" && hits.length === 0 ? (
          <p className="px-3 py-4 text-sm text-zinc-500">No messages found.</p>
        ) : status === "idle" ? (
          <p className="px-3 py-4 text-sm text-zinc-500">Press Enter to search what you can read.</p>
        ) : null}
        <ul className="flex flex-col">
          {hits.map((h) => (
            <Hit key={h.message.id} hit={h} />
          ))}
        </ul>
        {nextCursor && status === "ready" ? (
          <button type="button" onClick={() => void moreResults()} className="mx-3 my-2 text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">
            More results
          </button>
        ) : null}
      </div>
    </Dialog>
  );
}
