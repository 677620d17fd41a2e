/** Muting from the UI: the menu entry, DM and channel options menus, and the muted-bell mark on items. */
import { describeError } from "../../api";
import { useChat } from "../../state/chat";
import { setMuted } from "../../state/mute";
import { useUi } from "../../state/ui";
import { BellIcon, BellOffIcon, MoreIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { MenuButton, type MenuEntry } from "../spaces/MenuButton";

/** "Mute conversation" / "Unmute channel", for an options menu. */
export function useMuteEntry(conversationId: string, muted: boolean, noun: "conversation" | "channel"): MenuEntry {
  const toast = useUi((s) => s.toast);
  return {
    label: `${muted ? "Unmute" : "Mute"} ${noun}`,
    icon: muted ? <BellIcon className="size-4" /> : <BellOffIcon className="size-4" />,
    testId: "mute-toggle",
    onSelect: () => void setMuted(conversationId, !muted).catch((err) => toast(describeError(err), "error")),
  };
}

const OPTIONS_BUTTON = "rounded-lg p-2 text-zinc-500 transition-colors hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800";

/** A DM's options (a group's live in GroupActions). */
export function ConversationOptions({ conversationId }: { conversationId: string }) {
  const muted = useChat((s) => s.conversations[conversationId]?.muted ?? false);
  const entry = useMuteEntry(conversationId, muted, "conversation");
  return (
    <MenuButton label="Conversation options" testId="conversation-menu" items={[entry]} menuClassName="right-0 top-full w-56" className={OPTIONS_BUTTON}>
      <MoreIcon className="size-5" />
    </MenuButton>
  );
}

/** A channel's options in its header. */
export function ChannelOptions({ channelId, muted }: { channelId: string; muted: boolean }) {
  const entry = useMuteEntry(channelId, muted, "channel");
  return (
    <MenuButton label="Channel options" testId="channel-menu" items={[entry]} menuClassName="right-0 top-full w-48" className={OPTIONS_BUTTON}>
      <MoreIcon className="size-5" />
    </MenuButton>
  );
}

/** The small crossed-out bell beside a muted item's name. */
export function MutedMark({ className }: { className?: string }) {
  return <BellOffIcon title="Muted" data-testid="muted-icon" className={cn("size-3.5 shrink-0 text-zinc-400 dark:text-zinc-500", className)} />;
}
