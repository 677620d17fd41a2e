/** Presence: a coloured dot (online green, idle amber, dnd red, offline grey), alone or on an avatar. */
import type { PresenceStatus, PublicUser } from "../../../shared/protocol";
import { isErased } from "../../../shared/account";
import { PRESENCE_LABEL } from "../../state/chatSelectors";
import { Avatar } from "./Avatar";
import { cn } from "./cn";

const COLORS: Record<PresenceStatus, string> = {
  online: "bg-emerald-500",
  idle: "bg-amber-400",
  dnd: "bg-red-500",
  invisible: "bg-zinc-400 dark:bg-zinc-500",
  offline: "bg-zinc-400 dark:bg-zinc-500",
};

export function PresenceDot({ status, className }: { status: PresenceStatus; className?: string }) {
  return (
    <span
      role="img"
      aria-label={PRESENCE_LABEL[status]}
      title={PRESENCE_LABEL[status]}
      data-testid="presence"
      data-presence={status}
      className={cn("inline-block size-2.5 shrink-0 rounded-full", COLORS[status], className)}
    />
  );
}

/**
 * An avatar with its presence dot in the corner. `ring` is the colour behind the avatar, so the
 * dot's cut-out matches it. An erased account has no presence, so no dot.
 */
export function PresenceAvatar({
  user,
  status,
  size = "sm",
  ring = "ring-white dark:ring-zinc-950",
}: {
  user: Pick<PublicUser, "id" | "username" | "displayName" | "avatarUrl">;
  status?: PresenceStatus;
  size?: "sm" | "md";
  ring?: string;
}) {
  return (
    <span className="relative inline-flex shrink-0">
      <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} size={size} />
      {status && !isErased(user) ? (
        <PresenceDot
          status={status}
          className={cn("absolute -bottom-0.5 -right-0.5 ring-[3px]", size === "md" ? "size-3.5" : "size-3", ring)}
        />
      ) : null}
    </span>
  );
}
