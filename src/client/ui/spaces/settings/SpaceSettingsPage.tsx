/**
 * /s/:spaceId/settings — the sections the viewer's role allows, as tabs (?tab=…): Overview,
 * Roles, Members, Bans, Invites, and the Danger zone (leave, or delete for the owner).
 */
import { useEffect, useRef, type KeyboardEvent } from "react";
import { can, type SpaceRole } from "../../../../shared/permissions";
import type { Space } from "../../../../shared/protocol";
import { navigate, useRouter } from "../../../state/router";
import { spaceById, useSpaces } from "../../../state/spaces";
import { loadMembers } from "../../../state/spacesActions";
import { cn } from "../../common/cn";
import { ArrowLeftIcon, SpacesIcon } from "../../common/icons";
import { Link } from "../../common/Link";
import { EmptyState } from "../../shell/SectionPage";
import { SpaceIcon } from "../SpaceIcon";
import { settingsPath, spacePath } from "../spaceRoutes";
import { BansSection } from "./BansSection";
import { DangerSection } from "./DangerSection";
import { InvitesSection } from "./InvitesSection";
import { MembersSection } from "./MembersSection";
import { OverviewSection } from "./OverviewSection";
import { RolesSection } from "./RolesSection";

const SECTIONS: Array<{ id: string; label: string; allowed(r: SpaceRole): boolean; Panel: (p: { space: Space }) => React.ReactNode }> = [
  { id: "overview", label: "Overview", allowed: (r) => can(r, "manageSpace"), Panel: OverviewSection },
  { id: "roles", label: "Roles", allowed: (r) => can(r, "manageRoles"), Panel: RolesSection },
  { id: "members", label: "Members", allowed: (r) => can(r, "kick") || can(r, "ban"), Panel: MembersSection },
  { id: "bans", label: "Bans", allowed: (r) => can(r, "ban"), Panel: BansSection },
  { id: "invites", label: "Invites", allowed: (r) => can(r, "manageInvites"), Panel: InvitesSection },
  { id: "danger", label: "Danger zone", allowed: () => true, Panel: DangerSection },
];

export function SpaceSettingsPage({ spaceId }: { spaceId: string }) {
  const loaded = useSpaces((s) => s.loaded);
  const space = useSpaces((s) => spaceById(s, spaceId));
  const membersLoaded = useSpaces((s) => !!s.members[spaceId]);
  const search = useRouter((s) => s.search);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    if (space && !membersLoaded) loadMembers(space.id).catch(() => {});
  }, [space?.id, membersLoaded]);

  if (!loaded) return null;
  if (!space) {
    return (
      <EmptyState icon={<SpacesIcon className="size-7" />} title="Space not found" testId="space-missing">
        You're not a member of this space, or it no longer exists.
      </EmptyState>
    );
  }

  const sections = SECTIONS.filter((s) => s.allowed(space.role));
  const asked = new URLSearchParams(search).get("tab");
  const current = sections.find((s) => s.id === asked) ?? sections[0]!;

  const select = (id: string, focus = false) => {
    navigate(`${settingsPath(space.id)}?tab=${id}`, { replace: true });
    if (focus) tabRefs.current[id]?.focus();
  };

  function onKey(e: KeyboardEvent) {
    const i = sections.indexOf(current);
    const to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? sections.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    select(sections[(to + sections.length) % sections.length]!.id, true);
  }

  return (
    <div data-testid="space-settings">
      <div className="flex items-center gap-3 border-b border-zinc-200/80 px-4 py-3 sm:px-8 md:h-14 md:py-0 dark:border-zinc-800">
        <Link
          href={spacePath(space.id)}
          aria-label={`Back to ${space.name}`}
          className="rounded-lg p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white"
        >
          <ArrowLeftIcon className="size-5" />
        </Link>
        <SpaceIcon space={space} size="sm" className="rounded-xl" />
        <h1 className="min-w-0 truncate text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">
          {space.name} <span className="font-normal text-zinc-500 dark:text-zinc-400">· Settings</span>
        </h1>
      </div>
      <div className="border-b border-zinc-200/80 px-2 sm:px-6 dark:border-zinc-800">
        <div role="tablist" aria-label="Space settings" onKeyDown={onKey} className="-mb-px flex gap-1 overflow-x-auto py-2">
          {sections.map((t) => {
            const selected = t === current;
            return (
              <button
                key={t.id}
                ref={(el) => void (tabRefs.current[t.id] = el)}
                type="button"
                role="tab"
                id={`space-tab-${t.id}`}
                aria-selected={selected}
                aria-controls="space-settings-panel"
                tabIndex={selected ? 0 : -1}
                onClick={() => select(t.id)}
                className={cn(
                  "shrink-0 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors sm:px-3",
                  selected
                    ? t.id === "danger"
                      ? "bg-red-50 text-red-700 dark:bg-red-500/10 dark:text-red-400"
                      : "bg-zinc-200/70 text-zinc-900 dark:bg-zinc-800 dark:text-white"
                    : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/50 dark:hover:text-zinc-100",
                )}
              >
                {t.label}
              </button>
            );
          })}
        </div>
      </div>
      <div id="space-settings-panel" role="tabpanel" aria-labelledby={`space-tab-${current.id}`} className="mx-auto w-full max-w-3xl px-4 py-6 sm:px-8">
        <current.Panel space={space} />
      </div>
    </div>
  );
}
