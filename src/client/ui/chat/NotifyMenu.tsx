/** Choosing what notifies the user of a conversation: the bell menu in its header, and the mark beside its name in the sidebar. */
import { defaultNotifyLevel, type Conversation, type NotifyLevel } from "../../../shared/protocol";
import { describeError } from "../../api";
import { setNotifyLevel } from "../../state/notifyLevel";
import { useUi } from "../../state/ui";
import { AtIcon, BellIcon, BellOffIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { MenuButton, type MenuEntry } from "../spaces/MenuButton";

const LEVELS: Array<{ level: NotifyLevel; label: string; Icon: typeof BellIcon }> = [
  { level: "all", label: "All messages", Icon: BellIcon },
  { level: "mentions", label: "Only @mentions", Icon: AtIcon },
  { level: "nothing", label: "Nothing", Icon: BellOffIcon },
];
const byLevel = (level: NotifyLevel) => LEVELS.find((l) => l.level === level)!;

const BUTTON = "rounded-lg p-2 text-zinc-500 transition-colors hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800";

/** A bell showing the current level; its menu picks another. */
export function NotifyLevelMenu({ conversationId, level }: { conversationId: string; level: NotifyLevel }) {
  const toast = useUi((s) => s.toast);
  const items: MenuEntry[] = LEVELS.map((l) => ({
    label: l.label,
    icon: <l.Icon className="size-4" />,
    checked: l.level === level,
    testId: `notify-${l.level}`,
    onSelect: () => void setNotifyLevel(conversationId, l.level).catch((err) => toast(describeError(err), "error")),
  }));
  const { Icon, label } = byLevel(level);
  return (
    <MenuButton label={`Notifications: ${label}`} testId="notify-menu" items={items} menuClassName="right-0 top-full w-52" className={BUTTON}>
      <Icon className="size-5" data-level={level} />
    </MenuButton>
  );
}

const MARK_TITLE: Record<NotifyLevel, string> = { all: "Notifies of every message", mentions: "Notifies of mentions only", nothing: "Notifications off" };

/** Beside a name whose level is not its kind's default. */
export function NotifyLevelMark({ kind, level, className }: { kind: Conversation["kind"]; level: NotifyLevel | undefined; className?: string }) {
  if (!level || level === defaultNotifyLevel(kind)) return null;
  const { Icon } = byLevel(level);
  return <Icon title={MARK_TITLE[level]} data-testid="notify-level-icon" data-level={level} className={cn("size-3.5 shrink-0 text-zinc-400 dark:text-zinc-500", className)} />;
}
