/**
 * `@` autocomplete in the composer: members of the conversation whose username or display
 * name starts with what follows the `@` before the caret, then `@everyone` and `@here` where
 * the writer may send them (the server's rule: a space channel and the mentionEveryone
 * permission). ↑/↓ choose, Enter or Tab insert `@name `, Escape dismisses.
 */
import { useMemo, useState, type KeyboardEvent } from "react";
import { isErased } from "../../../shared/account";
import type { PublicUser } from "../../../shared/protocol";
import { Avatar } from "../common/Avatar";
import { AtIcon } from "../common/chatIcons";
import { cn } from "../common/cn";

const MAX_SHOWN = 8;
/** An `@word` being typed right before the caret. */
const TYPING_MENTION = /(?:^|[\s(])@([a-z0-9_]{0,32})$/i;

/** The words that notify many, as Discord words them. */
const BROADCASTS = [
  { name: "everyone", hint: "Notify everyone in this channel" },
  { name: "here", hint: "Notify everyone online in this channel" },
] as const;

/** One row: a member, or a broadcast word (no user). */
export interface Suggestion {
  /** What goes after the `@`. */
  name: string;
  user?: PublicUser;
  hint?: string;
}

type Replace = (next: string, caret: number) => void;

export interface Suggest {
  open: boolean;
  items: Suggestion[];
  active: number;
  /** Handles the key when the list is open; true when it did. */
  onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>, text: string, caret: number, replace: Replace): boolean;
  pick(item: Suggestion, text: string, caret: number, replace: Replace): void;
}

/** The listbox option's id, for aria-activedescendant. */
export const optionId = (s: Suggestion) => `mention-${s.user?.id ?? s.name}`;

/**
 * The members offered for `@q` (q lower-cased), by username. Not the writer, and not an erased
 * account: its username is a placeholder, and nobody is there to read the mention.
 */
export function mentionable(members: readonly PublicUser[], meId: string | null, q: string): PublicUser[] {
  return members
    .filter((u) => u.id !== meId && !isErased(u) && (u.username.startsWith(q) || u.displayName.toLowerCase().startsWith(q)))
    .sort((a, b) => a.username.localeCompare(b.username))
    .slice(0, MAX_SHOWN);
}

export function useMentionSuggest(members: readonly PublicUser[], meId: string | null, text: string, caret: number, broadcasts = false): Suggest {
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const query = TYPING_MENTION.exec(text.slice(0, caret))?.[1];
  const items = useMemo<Suggestion[]>(() => {
    if (query === undefined) return [];
    const q = query.toLowerCase();
    const people = mentionable(members, meId, q).map((user) => ({ name: user.username, user }));
    return broadcasts ? [...people, ...BROADCASTS.filter((b) => b.name.startsWith(q))] : people;
  }, [members, meId, query, broadcasts]);
  const key = `${caret}:${query}`;
  const open = items.length > 0 && dismissedAt !== key;
  const index = Math.min(active, Math.max(0, items.length - 1));

  const pick: Suggest["pick"] = (item, t, at, replace) => {
    const before = t.slice(0, at).replace(/@[a-z0-9_]*$/i, `@${item.name} `);
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

export function MentionList({ suggest, onPick }: { suggest: Suggest; onPick: (s: Suggestion) => void }) {
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
      {suggest.items.map((s, i) => (
        <li
          key={optionId(s)}
          role="option"
          id={optionId(s)}
          aria-selected={i === suggest.active}
          data-username={s.name}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(s);
          }}
          className={cn("flex cursor-pointer items-center gap-2.5 px-3 py-1.5 text-sm", i === suggest.active ? "bg-brand-50 dark:bg-brand-500/15" : "hover:bg-zinc-50 dark:hover:bg-zinc-800")}
        >
          {s.user ? (
            <>
              <Avatar name={s.user.displayName} seed={s.user.id} src={s.user.avatarUrl} size="sm" className="!size-6 text-[0.625rem]" />
              <bdi className="truncate font-medium text-zinc-900 dark:text-zinc-100">{s.user.displayName}</bdi>
              <span className="truncate text-zinc-500 dark:text-zinc-400">@{s.name}</span>
            </>
          ) : (
            <>
              <span className="flex size-6 shrink-0 items-center justify-center rounded-full bg-amber-100 text-amber-700 dark:bg-amber-400/15 dark:text-amber-300">
                <AtIcon className="size-3.5" />
              </span>
              <span className="font-medium text-zinc-900 dark:text-zinc-100">@{s.name}</span>
              <span className="truncate text-zinc-500 dark:text-zinc-400">{s.hint}</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
