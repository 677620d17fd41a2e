/** /friends: Online / All / Pending / Blocked tabs, and Add friend. The tab lives in ?tab=. */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { Friend, PublicUser } from "../../../shared/protocol";
import { describeError } from "../../api";
import { useChat } from "../../state/chat";
import { navigate, useRouter } from "../../state/router";
import { blockUser, loadBlocked, removeFriend } from "../../state/social";
import { useUi } from "../../state/ui";
import { UserPlusIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { Spinner, UsersIcon } from "../common/icons";
import { PageHeader } from "../shell/PageHeader";
import { EmptyState } from "../shell/SectionPage";
import { AddFriendPanel } from "./AddFriendPanel";
import { BlockedRow, FriendRow, RequestRow } from "./FriendRows";

const TABS = [
  { id: "online", label: "Online" },
  { id: "all", label: "All" },
  { id: "pending", label: "Pending" },
  { id: "blocked", label: "Blocked" },
  { id: "add", label: "Add friend" },
] as const;
type Tab = (typeof TABS)[number]["id"];

const byName = (a: Friend, b: Friend) => a.user.displayName.localeCompare(b.user.displayName);

export function FriendsPage() {
  const search = useRouter((s) => s.search);
  const asked = new URLSearchParams(search).get("tab");
  const tab: Tab = TABS.some((t) => t.id === asked) ? (asked as Tab) : "online";
  const incoming = useChat((s) => s.incoming.length);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  const select = (t: Tab, focus = false) => {
    navigate(t === "online" ? "/friends" : `/friends?tab=${t}`, { replace: true });
    if (focus) tabRefs.current[t]?.focus();
  };

  function onKey(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === tab);
    const to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    select(TABS[(to + TABS.length) % TABS.length]!.id, true);
  }

  return (
    <>
      <PageHeader title="Friends" icon={<UsersIcon className="size-5" />} />
      <div className="border-b border-zinc-200/80 px-2 sm:px-6 dark:border-zinc-800">
        <div role="tablist" aria-label="Friends" onKeyDown={onKey} className="-mb-px flex gap-1 overflow-x-auto py-2">
          {TABS.map((t) => {
            const selected = t.id === tab;
            return (
              <button
                key={t.id}
                ref={(el) => void (tabRefs.current[t.id] = el)}
                type="button"
                role="tab"
                id={`friends-tab-${t.id}`}
                aria-selected={selected}
                aria-controls="friends-panel"
                tabIndex={selected ? 0 : -1}
                onClick={() => select(t.id)}
                aria-label={t.id === "add" ? "Add friend" : undefined}
                className={cn(
                  "flex shrink-0 items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors sm:px-3",
                  t.id === "add"
                    ? selected
                      ? "bg-emerald-50 text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-400"
                      : "bg-emerald-600 text-white hover:bg-emerald-500"
                    : selected
                      ? "bg-zinc-200/70 text-zinc-900 dark:bg-zinc-800 dark:text-white"
                      : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/50 dark:hover:text-zinc-100",
                )}
              >
                {t.id === "add" ? <UserPlusIcon className="size-4" /> : null}
                {t.id === "add" ? (
                  <>
                    <span className="sm:hidden">Add</span>
                    <span className="hidden sm:inline">Add friend</span>
                  </>
                ) : (
                  t.label
                )}
                {t.id === "pending" && incoming > 0 ? (
                  <span className="inline-flex h-[1.125rem] min-w-[1.125rem] items-center justify-center rounded-full bg-red-500 px-1 text-[0.6875rem] font-bold text-white">
                    {incoming}
                  </span>
                ) : null}
              </button>
            );
          })}
        </div>
      </div>
      <div id="friends-panel" role="tabpanel" aria-labelledby={`friends-tab-${tab}`} className="mx-auto w-full max-w-3xl px-3 py-5 sm:px-8 sm:py-6">
        {tab === "add" ? <AddFriendPanel /> : tab === "pending" ? <PendingPanel /> : tab === "blocked" ? <BlockedPanel /> : <FriendsPanel online={tab === "online"} />}
      </div>
    </>
  );
}

function ListHeading({ children }: { children: ReactNode }) {
  return <h2 className="mb-2 px-2 text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-500 sm:px-3 dark:text-zinc-400">{children}</h2>;
}

function FriendsPanel({ online }: { online: boolean }) {
  const friends = useChat((s) => s.friends);
  const ready = useChat((s) => s.ready);
  const toast = useUi((s) => s.toast);
  const [confirm, setConfirm] = useState<{ kind: "remove" | "block"; user: PublicUser } | null>(null);
  const shown = friends.filter((f) => !online || f.presence !== "offline").sort(byName);

  if (!ready) return <Loading />;
  if (shown.length === 0) {
    return (
      <EmptyState icon={<UsersIcon className="size-7" />} title={friends.length ? "Nobody's online right now" : "No friends yet"} testId="empty-friends">
        {friends.length ? "Friends who are online show up here." : "Add people by their username to chat with them."}{" "}
        <button type="button" className="font-medium text-brand-600 hover:underline dark:text-brand-400" onClick={() => navigate("/friends?tab=add", { replace: true })}>
          Add a friend
        </button>
      </EmptyState>
    );
  }
  const name = confirm?.user.displayName ?? "";
  return (
    <>
      <ListHeading>
        {online ? "Online" : "All friends"} — {shown.length}
      </ListHeading>
      <ul data-testid="friend-list">
        {shown.map((f) => (
          <FriendRow key={f.user.id} friend={f} onRemove={() => setConfirm({ kind: "remove", user: f.user })} onBlock={() => setConfirm({ kind: "block", user: f.user })} />
        ))}
      </ul>
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm?.kind === "block" ? `Block ${name}?` : `Remove ${name}?`}
        confirmLabel={confirm?.kind === "block" ? "Block" : "Remove friend"}
        onConfirm={async () => {
          if (!confirm) return;
          if (confirm.kind === "block") await blockUser(confirm.user);
          else await removeFriend(confirm.user.id);
          toast(confirm.kind === "block" ? `Blocked ${name}` : `Removed ${name} from your friends`);
        }}
      >
        {confirm?.kind === "block"
          ? `${name} will be removed from your friends and won't be able to message you. Your conversation history stays.`
          : `You won't be friends with ${name} any more. Your conversation history stays.`}
      </ConfirmDialog>
    </>
  );
}

function PendingPanel() {
  const incoming = useChat((s) => s.incoming);
  const outgoing = useChat((s) => s.outgoing);
  if (incoming.length + outgoing.length === 0) {
    return (
      <EmptyState icon={<UserPlusIcon className="size-7" />} title="No pending requests" testId="empty-pending">
        Friend requests you send or receive wait here until they're answered.
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-6">
      {incoming.length ? (
        <section>
          <ListHeading>Incoming — {incoming.length}</ListHeading>
          <ul>{incoming.map((r) => <RequestRow key={r.id} request={r} direction="incoming" />)}</ul>
        </section>
      ) : null}
      {outgoing.length ? (
        <section>
          <ListHeading>Outgoing — {outgoing.length}</ListHeading>
          <ul>{outgoing.map((r) => <RequestRow key={r.id} request={r} direction="outgoing" />)}</ul>
        </section>
      ) : null}
    </div>
  );
}

function BlockedPanel() {
  const blocked = useChat((s) => s.blocked);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadBlocked().catch((err) => setError(describeError(err)));
  }, []);
  if (error && !blocked) return <p className="text-sm text-red-600 dark:text-red-400">{error}</p>;
  if (!blocked) return <Loading />;
  if (blocked.length === 0) {
    return (
      <EmptyState icon={<UsersIcon className="size-7" />} title="You haven't blocked anyone" testId="empty-blocked">
        People you block can't message you or send you friend requests.
      </EmptyState>
    );
  }
  return (
    <>
      <ListHeading>Blocked — {blocked.length}</ListHeading>
      <ul>{blocked.map((u) => <BlockedRow key={u.id} user={u} />)}</ul>
    </>
  );
}

function Loading() {
  return (
    <div role="status" className="flex justify-center py-16 text-zinc-400">
      <Spinner className="size-5" />
      <span className="sr-only">Loading</span>
    </div>
  );
}
