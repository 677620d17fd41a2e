/** Home: a welcome and the user's profile card, plus where to go next. */
import type { ReactNode } from "react";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { ChatIcon, ChevronRightIcon, DevicesIcon, HomeIcon, PencilIcon, SpacesIcon, UsersIcon } from "../common/icons";
import { Link } from "../common/Link";
import { formatDate } from "../common/time";
import { PageHeader } from "./PageHeader";

function greeting(now = new Date()): string {
  const h = now.getHours();
  return h < 5 ? "Good evening" : h < 12 ? "Good morning" : h < 18 ? "Good afternoon" : "Good evening";
}

export function HomePage() {
  const user = useSession((s) => s.user);
  const setProfileOpen = useUi((s) => s.setProfileOpen);
  if (!user) return null;

  return (
    <>
      <PageHeader title="Home" icon={<HomeIcon className="size-5" />} />
      <div className="mx-auto w-full max-w-4xl px-4 py-6 sm:px-8 sm:py-10">
        <h2 className="text-2xl font-semibold tracking-tight text-zinc-900 sm:text-3xl dark:text-white">
          {greeting()}, <bdi>{user.displayName}</bdi>
        </h2>
        <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">Welcome to Parley. Here's your corner of the server.</p>

        <section
          aria-label="Your profile"
          data-testid="profile-card"
          className="mt-8 overflow-hidden rounded-2xl bg-white shadow-sm ring-1 ring-zinc-900/5 dark:bg-zinc-900 dark:ring-white/10"
        >
          <div aria-hidden="true" className="h-24 bg-linear-to-r from-brand-500 via-violet-500 to-fuchsia-500 sm:h-28" />
          <div className="px-5 pb-5 sm:px-6 sm:pb-6">
            <div className="-mt-10 flex flex-wrap items-end justify-between gap-3">
              <Avatar
                name={user.displayName}
                seed={user.id}
                src={user.avatarUrl}
                size="xl"
                className="ring-4 ring-white dark:ring-zinc-900"
              />
              <Button variant="secondary" size="sm" icon={<PencilIcon className="size-4" />} onClick={() => setProfileOpen(true)}>
                Edit profile
              </Button>
            </div>
            <p data-testid="profile-display-name" className="mt-3 text-xl font-semibold tracking-tight text-zinc-900 dark:text-white">
              <bdi>{user.displayName}</bdi>
            </p>
            <p data-testid="profile-username" className="text-sm text-zinc-500 dark:text-zinc-400">
              @{user.username}
            </p>
            <dl className="mt-5 grid gap-4 rounded-xl bg-zinc-50 p-4 text-sm sm:grid-cols-2 dark:bg-zinc-800/50">
              <div className="min-w-0">
                <dt className="text-xs font-medium uppercase tracking-wider text-zinc-400 dark:text-zinc-500">Email</dt>
                <dd className="mt-1 truncate text-zinc-800 dark:text-zinc-200">{user.email}</dd>
              </div>
              <div>
                <dt className="text-xs font-medium uppercase tracking-wider text-zinc-400 dark:text-zinc-500">Member since</dt>
                <dd className="mt-1 text-zinc-800 dark:text-zinc-200">{formatDate(user.createdAt)}</dd>
              </div>
            </dl>
          </div>
        </section>

        <h2 className="mt-10 text-sm font-semibold text-zinc-900 dark:text-zinc-100">Explore Parley</h2>
        <ul className="mt-3 grid gap-3 sm:grid-cols-3">
          <NavCard href="/friends" icon={<UsersIcon />} title="Friends">
            See who's online and keep your people close.
          </NavCard>
          <NavCard href="/messages" icon={<ChatIcon />} title="Messages">
            Direct messages and group chats in one place.
          </NavCard>
          <NavCard href="/spaces" icon={<SpacesIcon />} title="Spaces">
            Text and voice channels for teams and communities.
          </NavCard>
        </ul>

        <Link
          href="/settings/sessions"
          className="mt-3 flex items-center gap-4 rounded-xl p-4 ring-1 ring-zinc-200/80 transition-colors hover:bg-zinc-50 dark:ring-zinc-800 dark:hover:bg-zinc-900"
        >
          <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-emerald-50 text-emerald-600 dark:bg-emerald-500/10 dark:text-emerald-400">
            <DevicesIcon />
          </span>
          <span className="min-w-0 flex-1">
            <span className="block text-sm font-medium text-zinc-900 dark:text-zinc-100">Sessions</span>
            <span className="block text-sm text-zinc-500 dark:text-zinc-400">Review the devices signed in to your account.</span>
          </span>
          <ChevronRightIcon className="size-4 text-zinc-400" />
        </Link>
      </div>
    </>
  );
}

function NavCard({ href, icon, title, children }: { href: string; icon: ReactNode; title: string; children: ReactNode }) {
  return (
    <li>
      <Link
        href={href}
        className="group flex h-full flex-col rounded-xl p-4 ring-1 ring-zinc-200/80 transition-all hover:-translate-y-0.5 hover:bg-zinc-50 hover:shadow-sm dark:ring-zinc-800 dark:hover:bg-zinc-900"
      >
        <span className="flex size-9 items-center justify-center rounded-lg bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
          {icon}
        </span>
        <span className="mt-3 flex items-center gap-1 text-sm font-medium text-zinc-900 dark:text-zinc-100">
          {title}
          <ChevronRightIcon className="size-3.5 text-zinc-400 transition-transform group-hover:translate-x-0.5" />
        </span>
        <span className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{children}</span>
      </Link>
    </li>
  );
}
