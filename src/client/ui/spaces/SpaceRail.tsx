/**
 * The space rail (Discord's server list): Home, one round icon per space with an unread pill,
 * and "Create a space". On wide screens it is the far-left column; on narrow ones it sits in
 * the navigation drawer.
 */
import type { ReactNode } from "react";
import { useChat } from "../../state/chat";
import { totalUnread } from "../../state/chatSelectors";
import { useRouter } from "../../state/router";
import { firstTextChannel, spaceHasUnread, useSpaces } from "../../state/spaces";
import { spaceMentioned, useSpaceMentions } from "../../state/spacesMentions";
import { useSpacesUi } from "../../state/spacesUi";
import { BrandLogo } from "../common/BrandMark";
import { cn } from "../common/cn";
import { Link } from "../common/Link";
import { SpaceIcon } from "./SpaceIcon";
import { PlusIcon } from "./spaceIcons";
import { channelPath, spacePath, spaceRouteOf } from "./spaceRoutes";
import { useSearch } from "../../state/search";
import { SearchIcon } from "../search/SearchDialog";

export function SpaceRail({ onNavigate }: { onNavigate?: () => void }) {
  const spaces = useSpaces((s) => s.spaces);
  const lastChannel = useSpaces((s) => s.lastChannel);
  const path = useRouter((s) => s.path);
  const route = spaceRouteOf(path);
  const dmUnread = useChat((s) => totalUnread(s));
  const openDialog = useSpacesUi((s) => s.open);
  const mentioned = useSpaceMentions((s) => s.mentioned);

  return (
    <nav
      aria-label="Spaces"
      data-testid="space-rail"
      className="flex h-full w-[4.5rem] shrink-0 flex-col items-center gap-2 overflow-y-auto border-r border-zinc-200/80 bg-zinc-100 py-3 [scrollbar-width:none] dark:border-zinc-800 dark:bg-black/40"
    >
      <RailItem href="/" label="Home" active={!route} unread={false} onNavigate={onNavigate}>
        <BrandLogo className="size-12" />
        {dmUnread > 0 ? (
          <span className="absolute -bottom-0.5 -right-0.5 inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-red-500 px-1 text-[0.6875rem] font-bold text-white ring-4 ring-zinc-100 dark:ring-zinc-950">
            {dmUnread > 99 ? "99+" : dmUnread}
            <span className="sr-only"> unread direct messages</span>
          </span>
        ) : null}
      </RailItem>
      <button
        type="button"
        aria-label="Search messages (Ctrl+K)"
        title="Search messages (Ctrl+K)"
        data-testid="open-search"
        onClick={() => {
          onNavigate?.();
          useSearch.getState().setOpen(true);
        }}
        className="flex size-12 shrink-0 items-center justify-center rounded-3xl bg-white text-zinc-600 shadow-xs ring-1 ring-zinc-900/5 transition-all hover:rounded-2xl hover:bg-brand-600 hover:text-white dark:bg-zinc-800 dark:text-zinc-300 dark:ring-white/5"
      >
        <SearchIcon />
      </button>
      <div role="separator" className="h-0.5 w-8 shrink-0 rounded-full bg-zinc-300 dark:bg-zinc-800" />
      {spaces.length ? (
        <ul className="flex flex-col items-center gap-2" aria-label="Your spaces">
          {spaces.map((space) => {
            const remembered = lastChannel[space.id];
            const target = remembered && space.channels.some((c) => c.id === remembered) ? remembered : firstTextChannel(space)?.id;
            return (
              <li key={space.id}>
                <RailItem
                  href={target ? channelPath(space.id, target) : spacePath(space.id)}
                  label={space.name}
                  active={route?.spaceId === space.id}
                  unread={spaceHasUnread(space)}
                  testId="space-item"
                  spaceId={space.id}
                  onNavigate={onNavigate}
                >
                  <SpaceIcon space={space} className={cn("transition-[border-radius]", route?.spaceId === space.id ? "rounded-2xl" : "rounded-3xl group-hover:rounded-2xl")} />
                  {spaceMentioned(mentioned, space) ? <MentionBadge /> : null}
                </RailItem>
              </li>
            );
          })}
        </ul>
      ) : null}
      <button
        type="button"
        aria-label="Create a space"
        title="Create a space"
        data-testid="create-space"
        onClick={() => openDialog({ kind: "createSpace" })}
        className="flex size-12 shrink-0 items-center justify-center rounded-3xl bg-white text-emerald-600 shadow-xs ring-1 ring-zinc-900/5 transition-all hover:rounded-2xl hover:bg-emerald-500 hover:text-white dark:bg-zinc-800 dark:text-emerald-400 dark:ring-white/5 dark:hover:bg-emerald-500 dark:hover:text-white"
      >
        <PlusIcon className="size-6" />
      </button>
    </nav>
  );
}

function RailItem({
  href,
  label,
  active,
  unread,
  children,
  testId,
  spaceId,
  onNavigate,
}: {
  href: string;
  label: string;
  active: boolean;
  unread: boolean;
  children: ReactNode;
  testId?: string;
  spaceId?: string;
  onNavigate?: () => void;
}) {
  return (
    <div className="group relative flex w-[4.5rem] justify-center">
      {/* The pill at the rail's edge: tall when open, a dot when unread, half height on hover. */}
      <span
        aria-hidden="true"
        data-testid={unread ? "unread-dot" : undefined}
        className={cn(
          "absolute left-0 top-1/2 w-1 -translate-y-1/2 rounded-r-full bg-zinc-900 transition-all dark:bg-white",
          active ? "h-10" : unread ? "h-2 group-hover:h-5" : "h-0 group-hover:h-5",
        )}
      />
      <Link
        href={href}
        aria-label={unread ? `${label}, unread messages` : label}
        title={label}
        aria-current={active ? "page" : undefined}
        data-testid={testId}
        data-space-id={spaceId}
        data-unread={unread ? "true" : "false"}
        onClick={onNavigate}
        className="relative block rounded-3xl focus-visible:outline-offset-4"
      >
        {children}
      </Link>
    </div>
  );
}

/** "@": an unread @everyone waits in this space. */
function MentionBadge() {
  return (
    <span
      data-testid="space-mention"
      className="absolute -bottom-0.5 -right-0.5 inline-flex size-5 items-center justify-center rounded-full bg-red-500 text-[0.6875rem] font-bold text-white ring-4 ring-zinc-100 dark:ring-zinc-950"
    >
      @<span className="sr-only"> mentioned you</span>
    </span>
  );
}
