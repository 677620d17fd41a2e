/**
 * A space's sidebar: its name (a menu of what the viewer's role allows), text channels with
 * unread marks, voice channels with who is in them, and (on desktop) the user panel.
 */
import type { ReactNode } from "react";
import { can, type SpaceRole } from "../../../shared/permissions";
import type { Channel, Space } from "../../../shared/protocol";
import { navigate, useRouter } from "../../state/router";
import { channelUnread, sortedChannels, spaceById, useSpaces } from "../../state/spaces";
import { useSpacesUi } from "../../state/spacesUi";
import { useUi } from "../../state/ui";
import { UserPlusIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { HashIcon, SpeakerIcon } from "../common/icons";
import { Link } from "../common/Link";
import { Avatar } from "../common/Avatar";
import { MenuButton, type MenuEntry } from "./MenuButton";
import { ChevronDownIcon, DoorIcon, FolderPlusIcon, GearIcon, PlusIcon } from "./spaceIcons";
import { channelPath, settingsPath } from "./spaceRoutes";

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
            {space.name}
          </span>
          <ChevronDownIcon className="size-4 shrink-0 text-zinc-500" />
        </MenuButton>
      </div>
    </div>
  );
}

function ChannelSection({ space, kind, title, onNavigate }: { space: Space; kind: Channel["kind"]; title: string; onNavigate?: () => void }) {
  const open = useSpacesUi((s) => s.open);
  const channels = sortedChannels(space, kind);
  const manage = can(space.role, "manageChannels");
  if (!channels.length && !manage) return null;
  return (
    <section aria-label={title} className="mt-4">
      <div className="flex items-center justify-between pl-2 pr-1">
        <h2 className="text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">{title}</h2>
        {manage ? (
          <button
            type="button"
            aria-label={`Create ${kind} channel`}
            title={`Create ${kind} channel`}
            onClick={() => open({ kind: "createChannel", spaceId: space.id, channelKind: kind })}
            className="rounded p-0.5 text-zinc-500 hover:bg-zinc-200/70 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <PlusIcon className="size-4" />
          </button>
        ) : null}
      </div>
      <ul className="mt-1 flex flex-col gap-0.5" data-testid={`${kind}-channels`}>
        {channels.map((c) => (
          <li key={c.id} className="group/ch relative">
            {kind === "text" ? <TextChannelItem space={space} channel={c} onNavigate={onNavigate} /> : <VoiceChannelItem space={space} channel={c} />}
            {manage ? (
              <button
                type="button"
                aria-label={`Edit ${c.name}`}
                title="Edit channel"
                onClick={() => open({ kind: "editChannel", spaceId: space.id, channelId: c.id })}
                className="absolute right-1 top-[1.125rem] -translate-y-1/2 rounded p-1 text-zinc-500 opacity-0 transition-opacity hover:bg-zinc-300/60 hover:text-zinc-900 focus:opacity-100 group-hover/ch:opacity-100 pointer-coarse:opacity-100 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-white"
              >
                <GearIcon className="size-3.5" />
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function TextChannelItem({ space, channel, onNavigate }: { space: Space; channel: Channel; onNavigate?: () => void }) {
  const href = channelPath(space.id, channel.id);
  const active = useRouter((s) => s.path === href);
  const unread = channelUnread(channel) > 0 && !active;
  return (
    <Link
      href={href}
      onClick={onNavigate}
      aria-current={active ? "page" : undefined}
      aria-label={unread ? `${channel.name}, unread` : channel.name}
      data-testid="channel-item"
      data-channel-id={channel.id}
      data-channel-name={channel.name}
      data-unread={unread ? "true" : "false"}
      className={cn(
        "relative flex items-center gap-1.5 rounded-md py-1.5 pl-2 pr-8 text-[0.9375rem] transition-colors",
        active
          ? "bg-white font-medium text-zinc-900 shadow-xs ring-1 ring-zinc-900/5 dark:bg-zinc-800 dark:text-white dark:ring-white/5"
          : unread
            ? "font-semibold text-zinc-900 hover:bg-zinc-200/60 dark:text-white dark:hover:bg-zinc-800/60"
            : "text-zinc-500 hover:bg-zinc-200/60 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-200",
      )}
    >
      {unread ? <span aria-hidden="true" data-testid="channel-unread-dot" className="absolute -left-2 top-1/2 h-2 w-1 -translate-y-1/2 rounded-r-full bg-zinc-900 dark:bg-white" /> : null}
      <HashIcon className="size-4.5 shrink-0 opacity-70" />
      <span className="min-w-0 flex-1 truncate">{channel.name}</span>
    </Link>
  );
}

function VoiceChannelItem({ space, channel }: { space: Space; channel: Channel }) {
  const toast = useUi((s) => s.toast);
  const members = useSpaces((s) => s.members[space.id]);
  const inside = channel.voiceMembers.map((id) => members?.find((m) => m.user.id === id)?.user ?? { id, displayName: "Someone", avatarUrl: null });
  return (
    <>
      <button
        type="button"
        aria-disabled="true"
        data-testid="voice-channel-item"
        onClick={() => toast("Voice channels are coming soon")}
        className="flex w-full items-center gap-1.5 rounded-md py-1.5 pl-2 pr-8 text-left text-[0.9375rem] text-zinc-500 transition-colors hover:bg-zinc-200/60 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-200"
      >
        <SpeakerIcon className="size-4.5 shrink-0 opacity-70" />
        <span className="min-w-0 flex-1 truncate">{channel.name}</span>
      </button>
      {inside.length ? (
        <ul aria-label={`In ${channel.name}`} className="mb-1 ml-7 flex flex-col gap-0.5">
          {inside.map((u) => (
            <li key={u.id} className="flex items-center gap-2 py-0.5 text-sm text-zinc-600 dark:text-zinc-300">
              <Avatar name={u.displayName} seed={u.id} src={u.avatarUrl} className="size-5 text-[0.5rem]" />
              <span className="truncate">{u.displayName}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
