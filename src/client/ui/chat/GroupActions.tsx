/** A group conversation's controls in its header: add friends, the member list, rename, notifications, leave. */
import { useState, type ReactNode } from "react";
import { MAX_GROUP_MEMBERS, type Conversation } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { conversationTitle } from "../../state/chatSelectors";
import { leaveGroup } from "../../state/groups";
import { useUi } from "../../state/ui";
import { MoreIcon, UserPlusIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { Dialog } from "../common/Dialog";
import { PencilIcon } from "../common/icons";
import { useMediaQuery } from "../common/useMediaQuery";
import { MenuButton, type MenuEntry } from "../spaces/MenuButton";
import { DoorIcon, MembersIcon } from "../spaces/spaceIcons";
import { AddMembersDialog, RenameGroupDialog } from "./GroupDialogs";
import { GroupMembers } from "./GroupMembers";
import { NotifyLevelMenu } from "./NotifyMenu";

type Open = "rename" | "add" | "leave" | "members" | null;

const ICON_BUTTON = "rounded-lg p-2 transition-colors hover:bg-zinc-100 disabled:cursor-not-allowed disabled:opacity-40 dark:hover:bg-zinc-800";

/** `compact`: the narrow top bar, where everything sits in the menu. */
export function GroupActions({ conversation, compact = false }: { conversation: Conversation; compact?: boolean }) {
  const meId = useChat((s) => s.meId);
  const toast = useUi((s) => s.toast);
  const membersOpen = useUi((s) => s.groupMembersOpen);
  const setMembersOpen = useUi((s) => s.setGroupMembersOpen);
  const panelFits = useMediaQuery("(min-width: 64rem)");
  const [open, setOpen] = useState<Open>(null);
  const title = conversationTitle(conversation, meId);
  const full = conversation.members.length >= MAX_GROUP_MEMBERS;
  const close = () => setOpen(null);

  const items: MenuEntry[] = [
    { label: "Rename group", icon: <PencilIcon className="size-4" />, onSelect: () => setOpen("rename"), testId: "rename-group" },
    ...(full ? [] : [{ label: "Add friends", icon: <UserPlusIcon className="size-4" />, onSelect: () => setOpen("add"), testId: "add-members" }]),
    ...(panelFits ? [] : [{ label: "Members", icon: <MembersIcon className="size-4" />, onSelect: () => setOpen("members"), testId: "show-members" }]),
    "separator",
    { label: "Leave group", icon: <DoorIcon className="size-4" />, danger: true, onSelect: () => setOpen("leave"), testId: "leave-group" },
  ];

  return (
    <div className="ml-auto flex shrink-0 items-center gap-0.5 text-zinc-500 dark:text-zinc-400">
      {compact ? null : (
        <HeaderButton label={full ? `This group is full (${MAX_GROUP_MEMBERS} members)` : "Add friends to group"} disabled={full} onClick={() => setOpen("add")} testId="add-members-button">
          <UserPlusIcon className="size-5" />
        </HeaderButton>
      )}
      {panelFits && !compact ? (
        <HeaderButton label={membersOpen ? "Hide member list" : "Show member list"} pressed={membersOpen} onClick={() => setMembersOpen(!membersOpen)} testId="toggle-members">
          <MembersIcon className="size-5" />
        </HeaderButton>
      ) : null}
      <NotifyLevelMenu conversationId={conversation.id} level={conversation.notifyLevel} />
      <MenuButton label="Group options" testId="group-menu" items={items} menuClassName="right-0 top-full w-52" className={ICON_BUTTON}>
        <MoreIcon className="size-5" />
      </MenuButton>

      <RenameGroupDialog conversation={conversation} open={open === "rename"} onClose={close} />
      <AddMembersDialog conversation={conversation} open={open === "add"} onClose={close} />
      <ConfirmDialog
        open={open === "leave"}
        title={`Leave ${title}?`}
        confirmLabel="Leave group"
        onClose={close}
        onConfirm={async () => {
          await leaveGroup(conversation.id);
          toast(`You left ${title}`);
        }}
      >
        You won't get its messages anymore, and you can only come back if a member adds you again.
      </ConfirmDialog>
      {panelFits ? null : (
        <Dialog open={open === "members"} onClose={close} title="Members" variant="sheet" hideTitle className="overflow-y-auto rounded-none bg-zinc-50 pt-12 dark:bg-zinc-900">
          <GroupMembers conversation={conversation} />
        </Dialog>
      )}
    </div>
  );
}

function HeaderButton({ label, onClick, children, pressed, disabled, testId }: { label: string; onClick(): void; children: ReactNode; pressed?: boolean; disabled?: boolean; testId: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      disabled={disabled}
      data-testid={testId}
      onClick={onClick}
      className={cn(ICON_BUTTON, pressed && "text-zinc-900 dark:text-white")}
    >
      {children}
    </button>
  );
}
