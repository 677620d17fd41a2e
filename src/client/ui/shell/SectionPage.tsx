/** Friends, Messages and Spaces: real sections with honest empty states until they have data. */
import type { ReactNode } from "react";
import { ChatIcon, SpacesIcon, UsersIcon } from "../common/icons";
import { PageHeader } from "./PageHeader";

export type Section = "friends" | "messages" | "spaces";

const SECTIONS: Record<Section, { title: string; icon: (c: string) => ReactNode; empty: string; body: string }> = {
  friends: {
    title: "Friends",
    icon: (c) => <UsersIcon className={c} />,
    empty: "No friends yet",
    body: "People you add as friends show up here, with who's online right now. Each friendship comes with a private conversation.",
  },
  messages: {
    title: "Messages",
    icon: (c) => <ChatIcon className={c} />,
    empty: "No conversations yet",
    body: "Direct messages and group chats you're part of will be listed here, newest first.",
  },
  spaces: {
    title: "Spaces",
    icon: (c) => <SpacesIcon className={c} />,
    empty: "You're not in any spaces yet",
    body: "A space is a shared home for a team or community, with text channels and voice channels. Spaces you create or are invited to appear here.",
  },
};

export function SectionPage({ section }: { section: Section }) {
  const s = SECTIONS[section];
  return (
    <>
      <PageHeader title={s.title} icon={s.icon("size-5")} />
      <EmptyState icon={s.icon("size-7")} title={s.empty} testId={`empty-${section}`}>
        {s.body}
      </EmptyState>
    </>
  );
}

export function EmptyState({ icon, title, children, testId }: { icon: ReactNode; title: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId} className="flex flex-col items-center px-6 py-20 text-center sm:py-28">
      <div className="relative">
        <div aria-hidden="true" className="absolute inset-0 scale-125 rounded-full bg-brand-500/15 blur-xl" />
        <span className="relative flex size-16 items-center justify-center rounded-2xl bg-white text-brand-600 shadow-sm ring-1 ring-zinc-900/5 dark:bg-zinc-900 dark:text-brand-400 dark:ring-white/10">
          {icon}
        </span>
      </div>
      <h2 className="mt-6 text-base font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
      <p className="mt-2 max-w-sm text-sm leading-6 text-zinc-500 dark:text-zinc-400">{children}</p>
    </div>
  );
}
