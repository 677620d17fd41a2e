/** Navigation for the signed-in app: brand, sections, and (on desktop) the user panel. */
import type { ReactNode } from "react";
import { useChat } from "../../state/chat";
import { useRouter } from "../../state/router";
import { useUi } from "../../state/ui";
import { BrandMark } from "../common/BrandMark";
import { cn } from "../common/cn";
import { ChatIcon, HomeIcon, SpacesIcon, UsersIcon } from "../common/icons";
import { Link } from "../common/Link";
import { ConversationList } from "../chat/ConversationList";
import { PlusIcon } from "../spaces/spaceIcons";
import { CallIcon, VideoIcon } from "../call/callIcons";
import { setNewMeetingOpen } from "../../state/rooms";

export const NAV = [
  { href: "/", label: "Home", Icon: HomeIcon },
  { href: "/friends", label: "Friends", Icon: UsersIcon },
  { href: "/messages", label: "Messages", Icon: ChatIcon },
  { href: "/spaces", label: "Spaces", Icon: SpacesIcon },
  { href: "/meetings", label: "Meetings", Icon: CallIcon },
] as const;

export function isActive(href: string, path: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

export function SidebarContent({ footer }: { footer?: ReactNode }) {
  const path = useRouter((s) => s.path);
  const setDrawerOpen = useUi((s) => s.setDrawerOpen);
  const setNewGroupOpen = useUi((s) => s.setNewGroupOpen);
  const incoming = useChat((s) => s.incoming.length);
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex h-14 shrink-0 items-center px-4">
        <Link href="/" aria-label="Parley home" onClick={() => setDrawerOpen(false)} className="rounded-md">
          <BrandMark />
        </Link>
      </div>
      <nav aria-label="Main" className="flex-1 overflow-y-auto px-3 py-2">
        <button
          type="button"
          data-testid="new-meeting-button"
          onClick={() => {
            setDrawerOpen(false);
            setNewMeetingOpen(true);
          }}
          className="mb-3 flex w-full items-center justify-center gap-2 rounded-lg bg-brand-600 px-3 py-2 text-sm font-semibold text-white shadow-sm transition-colors hover:bg-brand-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 dark:bg-brand-500 dark:hover:bg-brand-400"
        >
          <VideoIcon className="size-[1.125rem]" />
          New meeting
        </button>
        <ul className="flex flex-col gap-0.5">
          {NAV.map(({ href, label, Icon }) => {
            const active = isActive(href, path);
            return (
              <li key={href}>
                <Link
                  href={href}
                  aria-current={active ? "page" : undefined}
                  onClick={() => setDrawerOpen(false)}
                  className={cn(
                    "group flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors",
                    active
                      ? "bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-900/5 dark:bg-zinc-800 dark:text-white dark:ring-white/5"
                      : "text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100",
                  )}
                >
                  <Icon
                    className={cn(
                      "size-[1.125rem]",
                      active ? "text-brand-600 dark:text-brand-400" : "text-zinc-400 group-hover:text-zinc-500 dark:text-zinc-500",
                    )}
                  />
                  {label}
                  {href === "/friends" && incoming > 0 ? (
                    <span
                      data-testid="pending-badge"
                      className="ml-auto inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-red-500 px-1.5 text-[0.6875rem] font-bold text-white"
                    >
                      {incoming}
                      <span className="sr-only"> pending friend requests</span>
                    </span>
                  ) : null}
                </Link>
              </li>
            );
          })}
        </ul>

        <SidebarSection
          title="Direct messages"
          action={
            <button
              type="button"
              aria-label="New group"
              title="New group"
              data-testid="new-group-button"
              onClick={() => {
                setDrawerOpen(false);
                setNewGroupOpen(true);
              }}
              className="rounded-md p-1 text-zinc-400 transition-colors hover:bg-zinc-200/60 hover:text-zinc-700 dark:text-zinc-500 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
            >
              <PlusIcon className="size-4" />
            </button>
          }
        >
          <ConversationList onNavigate={() => setDrawerOpen(false)} />
        </SidebarSection>
      </nav>
      {footer ? <div className="shrink-0 border-t border-zinc-200/80 p-2 dark:border-zinc-800">{footer}</div> : null}
    </div>
  );
}

function SidebarSection({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="mt-6" aria-label={title}>
      <div className="flex items-center justify-between gap-2 pl-3 pr-1.5">
        <h2 className="text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-400 dark:text-zinc-500">{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}
