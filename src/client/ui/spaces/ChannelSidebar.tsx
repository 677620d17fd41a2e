/**
 * A space's sidebar: its name (a menu of what the viewer's role allows), text channels with
 * unread marks, voice channels with who is in them, and (on desktop) the user panel. Channel
 * groups are in ChannelSection.tsx.
 */
import type { ReactNode } from "react";
import { can, type SpaceRole } from "../../../shared/permissions";
import type { Space } from "../../../shared/protocol";
import { navigate } from "../../state/router";
import { spaceById, useSpaces } from "../../state/spaces";
import { useSpacesUi } from "../../state/spacesUi";
import { UserPlusIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { ChannelSection } from "./ChannelSection";
import { MenuButton, type MenuEntry } from "./MenuButton";
import { ChevronDownIcon, DoorIcon, FolderPlusIcon, GearIcon } from "./spaceIcons";
import { settingsPath } from "./spaceRoutes";

/** Whether a role sees the settings page at all (anything beyond leaving). */
export function canOpenSettings(role: SpaceRole | undefined): boolean {
  return (["manageSpace", "kick", "ban", "manageInvites", "manageRoles", "deleteSpace"] as const).some((p) => can(role, p));
}

export function ChannelSidebar({ spaceId, footer, inDrawer, onNavigate }: { spaceId: string; footer?: ReactNode; inDrawer?: boolean; onNavigate?: () => void }) {
  const space = useSpaces((s) => spaceById(s, spaceId));
  if (!space) return <div className="flex h-full min-h-0 flex-col">{footer ? <div className="mt-auto border-t border-zinc-200/80 p-2 dark:border-zinc-800">{footer}</div> : null}</div>;
  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="channel-sidebar">
      <SpaceHeader space={space} inDrawer={inDrawer} onNavigate={onNavigate} />
      <nav aria-label="Channels" className="flex-1 overflow-y-auto px-2 pb-3">
        <ChannelSection space={space} kind="text" title="Text channels" onNavigate={onNavigate} />
        <ChannelSection space={space} kind="voice" title="Voice channels" onNavigate={onNavigate} />
      </nav>
      {footer ? <div className="shrink-0 border-t border-zinc-200/80 p-2 dark:border-zinc-800">{footer}</div> : null}
    </div>
  );
}

function SpaceHeader({ space, inDrawer, onNavigate }: { space: Space; inDrawer?: boolean; onNavigate?: () => void }) {
  const open = useSpacesUi((s) => s.open);
  const items: MenuEntry[] = [
    { label: "Invite people", icon: <UserPlusIcon className="size-4" />, onSelect: () => open({ kind: "invite", spaceId: space.id }), testId: "menu-invite" },
  ];
  if (canOpenSettings(space.role)) {
    items.push({
      label: "Space settings",
      icon: <GearIcon className="size-4" />,
      testId: "menu-settings",
      onSelect: () => {
        onNavigate?.();
        navigate(settingsPath(space.id));
      },
    });
  }
  if (can(space.role, "manageChannels")) {
    items.push({ label: "Create channel", icon: <FolderPlusIcon className="size-4" />, testId: "menu-create-channel", onSelect: () => open({ kind: "createChannel", spaceId: space.id, channelKind: "text" }) });
  }
  if (space.role !== "owner") {
    items.push("separator", { label: "Leave space", icon: <DoorIcon className="size-4" />, danger: true, testId: "menu-leave", onSelect: () => open({ kind: "leave", spaceId: space.id }) });
  }
  return (
    <div className={cn("flex h-14 shrink-0 items-center border-b border-zinc-200/80 px-2 dark:border-zinc-800", inDrawer && "pr-12")}>
      <div className="min-w-0 flex-1">
        <MenuButton
          label={`${space.name} menu`}
          testId="space-menu-button"
          items={items}
          menuClassName="inset-x-0 top-full"
          className="flex w-full items-center gap-2 rounded-lg px-2 py-2 text-left transition-colors hover:bg-zinc-200/60 aria-expanded:bg-zinc-200/60 dark:hover:bg-zinc-800/60 dark:aria-expanded:bg-zinc-800/60"
        >
          <span data-testid="space-name" className="min-w-0 flex-1 truncate text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">
            <bdi>{space.name}</bdi>
          </span>
          <ChevronDownIcon className="size-4 shrink-0 text-zinc-500" />
        </MenuButton>
      </div>
    </div>
  );
}
