/**
 * `@` autocomplete in the composer: members of the conversation whose username or display
 * name starts with what follows the `@` before the caret. ↑/↓ choose, Enter or Tab insert
 * `@username `, Escape dismisses.
 */
import { useMemo, useState, type KeyboardEvent } from "react";
import type { PublicUser } from "../../../shared/protocol";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";

const MAX_SHOWN = 8;
/** An `@word` being typed right before the caret. */
const TYPING_MENTION = /(?:^|[\s(])@([a-z0-9_]{0,32})$/i;

export interface Suggest {
  open: boolean;
  items: PublicUser[];
  active: number;
  /** Handles the key when the list is open; true when it did. */
  onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>, text: string, caret: number, replace: (next: string, caret: number) => void): boolean;
  pick(user: PublicUser, text: string, caret: number, replace: (next: string, caret: number) => void): void;
}

export function useMentionSuggest(members: readonly PublicUser[], meId: string | null, text: string, caret: number): Suggest {
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const query = TYPING_MENTION.exec(text.slice(0, caret))?.[1];
  const items = useMemo(() => {
    if (query === undefined) return [];
    const q = query.toLowerCase();
    return members
      .filter((u) => u.id !== meId && (u.username.startsWith(q) || u.displayName.toLowerCase().startsWith(q)))
      .sort((a, b) => a.username.localeCompare(b.username))
      .slice(0, MAX_SHOWN);
  }, [members, meId, query]);
  const key = `${caret}:${query}`;
  const open = items.length > 0 && dismissedAt !== key;
  const index = Math.min(active, Math.max(0, items.length - 1));

  const pick: Suggest["pick"] = (user, t, at, replace) => {
    const before = t.slice(0, at).replace(/@[a-z0-9_]*$/i, `@${user.username} `);
    replace(before + t.slice(at), before.length);
    setActive(0);
  };
  return {
    open,
    items,
    active: index,
    pick,
    onKeyDown(e, t, at, replace) {
      if (!open) return false;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        setActive((index + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
      } else if (e.key === "Enter" || e.key === "Tab") {
        pick(items[index]!, t, at, replace);
      } else if (e.key === "Escape") {
        setDismissedAt(key);
      } else {
        return false;
      }
      e.preventDefault();
      return true;
    },
  };
}

export function MentionList({ suggest, onPick }: { suggest: Suggest; onPick: (u: PublicUser) => void }) {
  if (!suggest.open) return null;
  return (
    <ul
      role="listbox"
      id="mention-suggestions"
      aria-label="Members"
      data-testid="mention-suggestions"
      className="absolute inset-x-0 bottom-full mb-2 overflow-hidden rounded-xl bg-white py-1 shadow-lg ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10"
    >
      <li className="px-3 pb-1 pt-1.5 text-[0.6875rem] font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Members</li>
      {suggest.items.map((u, i) => (
        <li
          key={u.id}
          role="option"
          id={`mention-${u.id}`}
          aria-selected={i === suggest.active}
          data-username={u.username}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(u);
          }}
          className={cn("flex cursor-pointer items-center gap-2.5 px-3 py-1.5 text-sm", i === suggest.active ? "bg-brand-50 dark:bg-brand-500/15" : "hover:bg-zinc-50 dark:hover:bg-zinc-800")}
        >
          <Avatar name={u.displayName} seed={u.id} src={u.avatarUrl} size="sm" className="!size-6 text-[0.625rem]" />
          <bdi className="truncate font-medium text-zinc-900 dark:text-zinc-100">{u.displayName}</bdi>
          <span className="truncate text-zinc-500 dark:text-zinc-400">@{u.username}</span>
        </li>
      ))}
    </ul>
  );
}
