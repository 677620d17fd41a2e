/** The space dialogs, mounted once in the shell and opened through useSpacesUi. */
import { navigate } from "../../state/router";
import { spaceById, useSpaces } from "../../state/spaces";
import { leaveSpace } from "../../state/spacesActions";
import { useSpacesUi } from "../../state/spacesUi";
import { useUi } from "../../state/ui";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { CreateChannelDialog, CreateSpaceDialog } from "./CreateDialogs";
import { EditChannelDialog } from "./EditChannelDialog";
import { InviteDialog } from "./InviteDialog";

export function SpaceDialogs() {
  const dialog = useSpacesUi((s) => s.dialog);
  const close = useSpacesUi((s) => s.close);
  const space = useSpaces((s) => spaceById(s, dialog && "spaceId" in dialog ? dialog.spaceId : null));
  const toast = useUi((s) => s.toast);
  const channel = dialog?.kind === "editChannel" ? space?.channels.find((c) => c.id === dialog.channelId) : undefined;
  return (
    <>
      <CreateSpaceDialog open={dialog?.kind === "createSpace"} onClose={close} />
      {dialog?.kind === "createChannel" && space ? <CreateChannelDialog key={space.id} space={space} initialKind={dialog.channelKind} onClose={close} /> : null}
      {dialog?.kind === "invite" && space ? <InviteDialog key={space.id} space={space} onClose={close} /> : null}
      {dialog?.kind === "editChannel" && space && channel ? <EditChannelDialog key={channel.id} space={space} channel={channel} onClose={close} /> : null}
      <ConfirmDialog
        open={dialog?.kind === "leave" && !!space}
        title={`Leave ${space?.name ?? "space"}?`}
        confirmLabel="Leave space"
        onClose={close}
        onConfirm={async () => {
          if (!space) return;
          await leaveSpace(space.id);
          navigate("/", { replace: true });
          toast(`You left ${space.name}`);
        }}
      >
        You won't be able to rejoin unless you're invited again.
      </ConfirmDialog>
    </>
  );
}
