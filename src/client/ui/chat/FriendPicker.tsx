/** Friends as a searchable checkbox list (avatar, presence), for starting or extending a group. */
import { useEffect, useMemo, useState } from "react";
import type { Friend } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { PRESENCE_LABEL } from "../../state/chatSelectors";
import { SearchIcon, XIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { handleOf, shownUsername } from "../common/handle";

const away = (f: Friend) => f.presence === "offline" || f.presence === "invisible";

export function FriendPicker({
  selected,
  onChange,
  exclude,
  max,
}: {
  selected: string[];
  onChange(ids: string[]): void;
  /** Already in the group: not offered. */
  exclude?: ReadonlySet<string>;
  /** How many may be picked. */
  max: number;
}) {
  const friends = useChat((s) => s.friends);
  const [query, setQuery] = useState("");
  const offered = useMemo(
    () =>
      friends
        .filter((f) => !exclude?.has(f.user.id))
        .sort((a, b) => Number(away(a)) - Number(away(b)) || a.user.displayName.localeCompare(b.user.displayName)),
    [friends, exclude],
  );
  // Someone unfriended while the dialog is open can no longer be added: drop them, not just their row.
  useEffect(() => {
    const keep = selected.filter((id) => offered.some((f) => f.user.id === id));
    if (keep.length !== selected.length) onChange(keep);
  }, [offered]);

  const q = query.trim().toLowerCase();
  const shown = q ? offered.filter((f) => f.user.displayName.toLowerCase().includes(q) || f.user.username.toLowerCase().includes(q)) : offered;
  const picked = offered.filter((f) => selected.includes(f.user.id));
  const full = selected.length >= max;

  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);

  if (offered.length === 0) {
    return (
      <p className="rounded-lg bg-zinc-50 px-4 py-6 text-center text-sm text-zinc-500 dark:bg-zinc-800/50 dark:text-zinc-400" data-testid="picker-empty">
        {friends.length === 0 ? "You don't have any friends to add yet." : "All your friends are already in this group."}
      </p>
    );
  }

  return (
    <div className="flex flex-col gap-2" data-testid="friend-picker">
      <div className="flex min-h-10 flex-wrap items-center gap-1.5 rounded-lg border border-zinc-300 bg-white px-2 py-1.5 shadow-xs focus-within:border-brand-500 focus-within:ring-4 focus-within:ring-brand-500/15 dark:border-zinc-700 dark:bg-zinc-900 dark:focus-within:border-brand-400">
        <SearchIcon className="ml-0.5 size-4 shrink-0 text-zinc-400" />
        {picked.map((f) => (
          <span key={f.user.id} className="inline-flex items-center gap-1 rounded-md bg-brand-50 py-0.5 pl-2 pr-1 text-xs font-medium text-brand-800 dark:bg-brand-500/15 dark:text-brand-200">
            {f.user.displayName}
            <button
              type="button"
              onClick={() => toggle(f.user.id)}
              aria-label={`Remove ${f.user.displayName}`}
              className="rounded p-0.5 text-brand-600 hover:bg-brand-100 dark:text-brand-300 dark:hover:bg-brand-500/20"
            >
              <XIcon className="size-3" />
            </button>
          </span>
        ))}
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search friends"
          placeholder={picked.length ? "" : "Type the name of a friend"}
          data-autofocus
          className="h-7 min-w-24 flex-1 bg-transparent px-1 text-[0.9375rem] text-zinc-900 placeholder:text-zinc-400 focus:outline-none sm:text-sm dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
      </div>
      <p className="px-1 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite" data-testid="picker-count">
        {full ? `You can add ${max} friend${max === 1 ? "" : "s"} at most.` : `${selected.length} selected · you can add ${max - selected.length} more.`}
      </p>
      <ul className="-mx-2 max-h-64 overflow-y-auto px-2" aria-label="Friends">
        {shown.length === 0 ? <li className="px-2 py-4 text-center text-sm text-zinc-500">No friends match “{query.trim()}”.</li> : null}
        {shown.map((f) => {
          const checked = selected.includes(f.user.id);
          const disabled = !checked && full;
          return (
            <li key={f.user.id}>
              <label
                data-testid="friend-option"
                data-username={shownUsername(f.user)}
                className={cn(
                  "flex items-center gap-3 rounded-lg px-2 py-1.5 transition-colors",
                  disabled ? "cursor-not-allowed opacity-50" : "cursor-pointer hover:bg-zinc-100 dark:hover:bg-zinc-800",
                  checked && "bg-zinc-50 dark:bg-zinc-800/60",
                )}
              >
                <PresenceAvatar user={f.user} status={f.presence} ring="ring-white dark:ring-zinc-900" />
                <span className="min-w-0 flex-1">
                  <span className="block truncate text-sm font-medium text-zinc-800 dark:text-zinc-200">{f.user.displayName}</span>
                  <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">
                    {[handleOf(f.user), PRESENCE_LABEL[f.presence]].filter(Boolean).join(" · ")}
                  </span>
                </span>
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={disabled}
                  onChange={() => toggle(f.user.id)}
                  aria-label={f.user.displayName}
                  className="size-4.5 shrink-0 accent-brand-600"
                />
              </label>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
