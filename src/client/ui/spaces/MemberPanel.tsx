/** A space's members beside the channel, grouped by role, online first, with presence dots. */
import type { SpaceMember } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { useSpaces } from "../../state/spaces";
import { cn } from "../common/cn";
import { Spinner } from "../common/icons";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { CrownIcon } from "./spaceIcons";
import { handleOf, shownUsername } from "../common/handle";

const GROUPS: Array<{ role: SpaceMember["role"]; title: string }> = [
  { role: "owner", title: "Owner" },
  { role: "admin", title: "Admins" },
  { role: "member", title: "Members" },
];

const away = (m: SpaceMember) => m.presence === "offline" || m.presence === "invisible";

export function sortMembers(list: SpaceMember[]): SpaceMember[] {
  return [...list].sort((a, b) => Number(away(a)) - Number(away(b)) || a.user.displayName.localeCompare(b.user.displayName));
}

export function MemberPanel({ spaceId, ring = "ring-zinc-50 dark:ring-zinc-900" }: { spaceId: string; ring?: string }) {
  const members = useSpaces((s) => s.members[spaceId]);
  const meId = useChat((s) => s.meId);
  const myStatus = useChat((s) => s.myStatus);
  if (!members) {
    return (
      <div role="status" className="flex justify-center py-8 text-zinc-400">
        <Spinner className="size-5" />
        <span className="sr-only">Loading members</span>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-5 px-2 py-4" data-testid="member-list">
      {GROUPS.map(({ role, title }) => {
        const group = sortMembers(members.filter((m) => m.role === role));
        if (!group.length) return null;
        return (
          <section key={role} aria-label={title}>
            <h3 className="px-2 text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">
              {title} — {group.length}
            </h3>
            <ul className="mt-1.5 flex flex-col gap-0.5">
              {group.map((m) => {
                // Our own dot follows the status we chose, at once.
                const presence = m.user.id === meId ? myStatus : m.presence;
                return (
                  <li
                    key={m.user.id}
                    data-testid="member-row"
                    data-username={shownUsername(m.user)}
                    data-role={m.role}
                    className={cn(away({ ...m, presence }) && "opacity-55")}
                  >
                    <ProfileTrigger user={m.user} className="flex w-full items-center gap-2.5 px-2 py-1.5 hover:bg-zinc-200/60 dark:hover:bg-zinc-800/70">
                    <PresenceAvatar user={m.user} status={presence} ring={ring} />
                    <span className="min-w-0 flex-1">
                      <span className="flex items-center gap-1">
                        <bdi className="truncate text-sm font-medium text-zinc-800 dark:text-zinc-200">{m.user.displayName}</bdi>
                        {m.role === "owner" ? <CrownIcon className="size-3.5 shrink-0 text-amber-500" /> : null}
                      </span>
                      {handleOf(m.user) ? <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">{handleOf(m.user)}</span> : null}
                    </span>
                    </ProfileTrigger>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
