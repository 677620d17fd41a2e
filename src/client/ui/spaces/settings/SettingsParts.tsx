/** Building blocks of the space settings sections. */
import type { ReactNode } from "react";
import type { SpaceMember } from "../../../../shared/protocol";
import { Avatar } from "../../common/Avatar";
import { Spinner } from "../../common/icons";
import { handleOf, shownUsername } from "../../common/handle";

export function SectionTitle({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-4">
      <h2 className="text-base font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">{title}</h2>
      {children ? <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{children}</p> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div role="status" className="flex justify-center py-8 text-zinc-400">
      <Spinner className="size-5" />
      <span className="sr-only">Loading {what}</span>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-xl px-4 py-8 text-center text-sm text-zinc-500 ring-1 ring-inset ring-zinc-200 dark:text-zinc-400 dark:ring-zinc-800">{children}</p>;
}

export const ROLE_LABEL: Record<SpaceMember["role"], string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** A person in a settings list: avatar, names, and whatever actions the section offers. */
export function PersonRow({ user, detail, children, testId }: { user: SpaceMember["user"]; detail?: ReactNode; children?: ReactNode; testId?: string }) {
  return (
    <li data-testid={testId} data-username={shownUsername(user)} className="flex flex-wrap items-center gap-3 px-3 py-2.5 sm:flex-nowrap">
      <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} size="sm" />
      <span className="min-w-[7rem] flex-1">
        <bdi className="block truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{user.displayName}</bdi>
        <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">
          {handleOf(user)}
          {detail ? <>{handleOf(user) ? " · " : null}{detail}</> : null}
        </span>
      </span>
      {children ? <span className="ml-auto flex shrink-0 items-center gap-2">{children}</span> : null}
    </li>
  );
}

export function PeopleList({ children, label }: { children: ReactNode; label: string }) {
  return (
    <ul aria-label={label} className="divide-y divide-zinc-100 overflow-hidden rounded-xl ring-1 ring-inset ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800">
      {children}
    </ul>
  );
}
