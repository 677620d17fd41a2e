/** Rows on the Friends page: a friend, a pending request, a blocked user. */
import type { ReactNode } from "react";
import type { Friend, FriendRequest, PublicUser } from "../../../shared/protocol";
import { PRESENCE_LABEL } from "../../state/chatSelectors";
import { navigate } from "../../state/router";
import { acceptRequest, cancelRequest, declineRequest, unblockUser } from "../../state/social";
import { Avatar } from "../common/Avatar";
import { BanIcon, UserMinusIcon, XIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { ChatIcon, CheckIcon } from "../common/icons";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { useAction } from "../common/useAction";
import { handleOf, shownUsername } from "../common/handle";

export function IconAction({
  label,
  onClick,
  children,
  tone = "neutral",
  disabled,
}: {
  label: string;
  onClick(): void;
  children: ReactNode;
  tone?: "neutral" | "good" | "danger";
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      disabled={disabled}
      className={cn(
        "flex size-9 items-center justify-center rounded-full bg-zinc-100 text-zinc-600 transition-colors disabled:opacity-50 dark:bg-zinc-800 dark:text-zinc-300",
        tone === "good" && "hover:bg-emerald-100 hover:text-emerald-700 dark:hover:bg-emerald-500/15 dark:hover:text-emerald-400",
        tone === "danger" && "hover:bg-red-100 hover:text-red-600 dark:hover:bg-red-500/15 dark:hover:text-red-400",
        tone === "neutral" && "hover:bg-zinc-200 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-white",
      )}
    >
      {children}
    </button>
  );
}

function Row({ user, avatar, sub, actions, testId }: { user: PublicUser; avatar: ReactNode; sub: ReactNode; actions: ReactNode; testId: string }) {
  return (
    <li
      data-testid={testId}
      data-user-id={user.id}
      data-username={shownUsername(user)}
      className="flex items-center gap-3 border-t border-zinc-100 px-2 py-2.5 first:border-t-0 sm:px-3 dark:border-zinc-800/70"
    >
      <ProfileTrigger user={user} className="-my-1 flex flex-1 items-center gap-3 py-1">
        {avatar}
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm">
            <bdi className="font-semibold text-zinc-900 dark:text-zinc-100">{user.displayName}</bdi>
            {handleOf(user) ? <span className="ml-1.5 text-zinc-500 dark:text-zinc-400">{handleOf(user)}</span> : null}
          </span>
          <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">{sub}</span>
        </span>
      </ProfileTrigger>
      <div className="flex shrink-0 items-center gap-1.5">{actions}</div>
    </li>
  );
}

export function FriendRow({ friend, onRemove, onBlock }: { friend: Friend; onRemove(): void; onBlock(): void }) {
  const u = friend.user;
  return (
    <Row
      testId="friend-row"
      user={u}
      avatar={<PresenceAvatar user={u} status={friend.presence} size="md" />}
      sub={PRESENCE_LABEL[friend.presence]}
      actions={
        <>
          <IconAction label={`Message ${u.displayName}`} onClick={() => navigate(`/c/${friend.conversationId}`)}>
            <ChatIcon className="size-[1.125rem]" />
          </IconAction>
          <IconAction label={`Remove ${u.displayName}`} tone="danger" onClick={onRemove}>
            <UserMinusIcon className="size-[1.125rem]" />
          </IconAction>
          <IconAction label={`Block ${u.displayName}`} tone="danger" onClick={onBlock}>
            <BanIcon className="size-[1.125rem]" />
          </IconAction>
        </>
      }
    />
  );
}

export function RequestRow({ request, direction }: { request: FriendRequest; direction: "incoming" | "outgoing" }) {
  const { busy, run } = useAction();
  const u = request.user;
  return (
    <Row
      testId={direction === "incoming" ? "incoming-request" : "outgoing-request"}
      user={u}
      avatar={<Avatar name={u.displayName} seed={u.id} src={u.avatarUrl} />}
      sub={direction === "incoming" ? "Incoming friend request" : "Outgoing friend request"}
      actions={
        direction === "incoming" ? (
          <>
            <IconAction label={`Accept ${u.displayName}`} tone="good" disabled={busy} onClick={() => void run(() => acceptRequest(request.id), `You and ${u.displayName} are now friends`)}>
              <CheckIcon className="size-[1.125rem]" />
            </IconAction>
            <IconAction label={`Decline ${u.displayName}`} tone="danger" disabled={busy} onClick={() => void run(() => declineRequest(request.id))}>
              <XIcon className="size-[1.125rem]" />
            </IconAction>
          </>
        ) : (
          <IconAction label={`Cancel request to ${u.displayName}`} tone="danger" disabled={busy} onClick={() => void run(() => cancelRequest(request.id))}>
            <XIcon className="size-[1.125rem]" />
          </IconAction>
        )
      }
    />
  );
}

export function BlockedRow({ user }: { user: PublicUser }) {
  const { busy, run } = useAction();
  return (
    <Row
      testId="blocked-row"
      user={user}
      avatar={<Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} />}
      sub="Blocked"
      actions={
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => unblockUser(user.id), `Unblocked ${user.displayName}`)}
          className="rounded-md px-3 py-1.5 text-sm font-medium text-zinc-700 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50 disabled:opacity-50 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-zinc-800"
        >
          Unblock
        </button>
      }
    />
  );
}
