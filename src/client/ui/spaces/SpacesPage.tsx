/** /spaces — every space the user is in, with unread marks, and ways to create or join one. */
import { spaceHasUnread, useSpaces } from "../../state/spaces";
import { useSpacesUi } from "../../state/spacesUi";
import { Button } from "../common/Button";
import { ChevronRightIcon, SpacesIcon } from "../common/icons";
import { Link } from "../common/Link";
import { EmptyState } from "../shell/SectionPage";
import { PageHeader } from "../shell/PageHeader";
import { SpaceIcon } from "./SpaceIcon";
import { PlusIcon } from "./spaceIcons";
import { spacePath } from "./spaceRoutes";

export function SpacesPage() {
  const spaces = useSpaces((s) => s.spaces);
  const open = useSpacesUi((s) => s.open);
  const create = (
    <Button size="sm" icon={<PlusIcon className="size-4" />} onClick={() => open({ kind: "createSpace" })}>
      Create or join
    </Button>
  );
  return (
    <>
      <PageHeader title="Spaces" icon={<SpacesIcon className="size-5" />} actions={create} />
      {spaces.length === 0 ? (
        <EmptyState icon={<SpacesIcon className="size-7" />} title="You're not in any spaces yet" testId="empty-spaces">
          A space is a shared home for a team or community, with text and voice channels. Create one, or open an invite link someone sent you.
        </EmptyState>
      ) : (
        <ul className="mx-auto grid w-full max-w-4xl gap-3 px-4 py-6 sm:grid-cols-2 sm:px-8" data-testid="space-cards">
          {spaces.map((space) => (
            <li key={space.id}>
              <Link
                href={spacePath(space.id)}
                className="group flex items-center gap-4 rounded-xl p-4 ring-1 ring-zinc-200/80 transition-colors hover:bg-zinc-50 dark:ring-zinc-800 dark:hover:bg-zinc-900"
              >
                <SpaceIcon space={space} className="rounded-2xl" />
                <span className="min-w-0 flex-1">
                  <span className="flex items-center gap-2">
                    <span className="truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100">{space.name}</span>
                    {spaceHasUnread(space) ? <span className="size-2 shrink-0 rounded-full bg-red-500" aria-label="unread messages" role="img" /> : null}
                  </span>
                  <span className="block text-sm text-zinc-500 dark:text-zinc-400">
                    {space.memberCount} {space.memberCount === 1 ? "member" : "members"} · {space.role === "owner" ? "Owner" : space.role === "admin" ? "Admin" : "Member"}
                  </span>
                </span>
                <ChevronRightIcon className="size-4 text-zinc-400 transition-transform group-hover:translate-x-0.5" />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
