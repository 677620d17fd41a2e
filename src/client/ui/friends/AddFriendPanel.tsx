/** Add a friend by exact username, or find people by name and add them from the results. */
import { useEffect, useState, type FormEvent } from "react";
import { USERNAME_RE, type PublicUser } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { useChat } from "../../state/chat";
import { navigate } from "../../state/router";
import { acceptRequest, searchUsers, sendFriendRequest, type RequestOutcome } from "../../state/social";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { SearchIcon } from "../common/chatIcons";
import { CheckIcon } from "../common/icons";
import { TextField } from "../common/TextField";
import { handleOf, shownUsername } from "../common/handle";
import { useFormAction } from "../common/useFormAction";

function requestError(err: unknown, name: string): string {
  if (err instanceof ApiError) {
    if (err.code === "NOT_FOUND") return "No user with that name";
    if (err.code === "CONFLICT") {
      return err.conflictField === "request" ? `You've already sent @${name} a friend request` : `You're already friends with @${name}`;
    }
    if (err.code === "FORBIDDEN") return "You can't send this user a friend request";
    if (err.code === "VALIDATION_ERROR") return err.fieldErrors.username ?? err.message;
  }
  return describeError(err);
}

function outcomeText(o: RequestOutcome): string {
  return o.kind === "friends" ? `You and ${o.friend.user.displayName} are now friends` : `Friend request sent to @${o.request.user.username}`;
}

export function AddFriendPanel() {
  const [username, setUsername] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const name = username.trim().replace(/^@/, "").toLowerCase();
  const { busy, error, setError, run } = useFormAction((err) => requestError(err, name));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    if (!USERNAME_RE.test(name)) return setError("Usernames are 3–32 characters: lowercase letters, digits and _");
    void run(async () => {
      setDone(outcomeText(await sendFriendRequest({ username: name })));
      setUsername("");
    });
  }

  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="add-friend-title">
        <h2 id="add-friend-title" className="text-base font-semibold text-zinc-900 dark:text-zinc-100">
          Add friend
        </h2>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">You can add friends with their Parley username.</p>
        <form onSubmit={onSubmit} noValidate className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-start" data-testid="add-friend-form">
          <TextField
            label="Username"
            className="flex-1"
            placeholder="e.g. alice"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => {
              setUsername(e.target.value);
              setError(null);
              setDone(null);
            }}
            error={error}
          />
          <Button type="submit" loading={busy} disabled={!username.trim()} className="sm:mt-[1.625rem]">
            Send friend request
          </Button>
        </form>
        {done ? (
          <p role="status" data-testid="add-friend-success" className="mt-2 flex items-center gap-1.5 text-sm text-emerald-600 dark:text-emerald-400">
            <CheckIcon className="size-4" /> {done}
          </p>
        ) : null}
      </section>
      <UserSearch />
    </div>
  );
}

function UserSearch() {
  const [q, setQ] = useState("");
  const [results, setResults] = useState<PublicUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const query = q.trim();
    if (!query) return setResults(null);
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      searchUsers(query, ctrl.signal).then(
        (users) => (setResults(users), setError(null)),
        (err) => !ctrl.signal.aborted && setError(describeError(err)),
      );
    }, 200);
    return () => (clearTimeout(t), ctrl.abort());
  }, [q]);

  return (
    <section aria-labelledby="find-people-title">
      <h2 id="find-people-title" className="text-base font-semibold text-zinc-900 dark:text-zinc-100">
        Find people
      </h2>
      <div className="relative mt-3">
        <SearchIcon className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-zinc-400" />
        <input
          type="search"
          aria-label="Search people by name"
          placeholder="Search by username or display name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          className="block h-10 w-full rounded-lg border border-zinc-300 bg-white pl-9 pr-3 text-[0.9375rem] text-zinc-900 shadow-xs placeholder:text-zinc-400 focus:border-brand-500 focus:outline-none focus:ring-4 focus:ring-brand-500/15 sm:text-sm dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        />
      </div>
      {error ? <p className="mt-2 text-sm text-red-600 dark:text-red-400">{error}</p> : null}
      {results && results.length === 0 ? <p className="mt-3 text-sm text-zinc-500">Nobody matches “{q.trim()}”.</p> : null}
      {results?.length ? (
        <ul className="mt-3 flex flex-col" aria-label="Search results">
          {results.map((u) => (
            <SearchResult key={u.id} user={u} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function SearchResult({ user }: { user: PublicUser }) {
  const meId = useChat((s) => s.meId);
  const friend = useChat((s) => s.friends.find((f) => f.user.id === user.id));
  const incoming = useChat((s) => s.incoming.find((r) => r.user.id === user.id));
  const outgoing = useChat((s) => s.outgoing.some((r) => r.user.id === user.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(requestError(err, user.username));
    } finally {
      setBusy(false);
    }
  }

  let action;
  if (user.id === meId) action = <span className="text-sm text-zinc-400">You</span>;
  else if (friend) action = <Button size="sm" variant="secondary" onClick={() => navigate(`/c/${friend.conversationId}`)}>Message</Button>;
  else if (incoming) action = <Button size="sm" loading={busy} onClick={() => void act(() => acceptRequest(incoming.id))}>Accept</Button>;
  else if (outgoing) action = <span className="text-sm text-zinc-500 dark:text-zinc-400">Request sent</span>;
  else action = <Button size="sm" loading={busy} onClick={() => void act(() => sendFriendRequest({ userId: user.id }))} aria-label={`Add ${user.username}`}>Add</Button>;

  return (
    <li data-testid="search-result" data-username={shownUsername(user)} className="flex items-center gap-3 border-t border-zinc-100 py-2.5 first:border-t-0 dark:border-zinc-800/70">
      <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} size="sm" />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{user.displayName}</p>
        <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{handleOf(user)}</p>
        {error ? <p className="text-xs text-red-600 dark:text-red-400">{error}</p> : null}
      </div>
      {action}
    </li>
  );
}
