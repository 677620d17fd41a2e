/** A group's members, online first. Presence is only known for friends (and ourselves). */
import type { Conversation, PresenceStatus } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { cn } from "../common/cn";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { CrownIcon } from "../spaces/spaceIcons";
import { handleOf, shownUsername } from "../common/handle";

const away = (p: PresenceStatus | undefined) => !p || p === "offline" || p === "invisible";

export function GroupMembers({ conversation, ring = "ring-zinc-50 dark:ring-zinc-900" }: { conversation: Conversation; ring?: string }) {
  const meId = useChat((s) => s.meId);
  const myStatus = useChat((s) => s.myStatus);
  const friends = useChat((s) => s.friends);
  const presence = (id: string): PresenceStatus | undefined => (id === meId ? myStatus : friends.find((f) => f.user.id === id)?.presence);
  const members = [...conversation.members].sort(
    (a, b) => Number(away(presence(a.id))) - Number(away(presence(b.id))) || a.displayName.localeCompare(b.displayName),
  );
  return (
    <section aria-label="Members" className="px-2 py-4" data-testid="group-members">
      <h3 className="px-2 text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">
        Members — {members.length}
      </h3>
      <ul className="mt-1.5 flex flex-col gap-0.5">
        {members.map((m) => {
          const status = presence(m.id);
          return (
            <li
              key={m.id}
              data-testid="group-member"
              data-username={shownUsername(m)}
              className={cn(status && away(status) && "opacity-60")}
            >
              <ProfileTrigger user={m} className="flex w-full items-center gap-2.5 px-2 py-1.5 hover:bg-zinc-200/60 dark:hover:bg-zinc-800/70">
              <PresenceAvatar user={m} status={status} ring={ring} />
              <span className="min-w-0 flex-1">
                <span className="flex items-center gap-1">
                  <span className="truncate text-sm font-medium text-zinc-800 dark:text-zinc-200">
                    <bdi>{m.displayName}</bdi>
                    {m.id === meId ? <span className="font-normal text-zinc-500 dark:text-zinc-400"> (you)</span> : null}
                  </span>
                  {m.id === conversation.ownerId ? <CrownIcon className="size-3.5 shrink-0 text-amber-500" title="Group owner" /> : null}
                </span>
                {handleOf(m) ? <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">{handleOf(m)}</span> : null}
              </span>
              </ProfileTrigger>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
