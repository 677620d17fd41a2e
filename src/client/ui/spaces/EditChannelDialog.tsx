/** "Edit channel" (manageChannels): rename it, or delete it and everything said in it. */
import { useState, type FormEvent } from "react";
import type { Channel, Space } from "../../../shared/protocol";
import { describeError } from "../../api";
import { deleteChannel, renameChannel } from "../../state/spacesActions";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";

export function EditChannelDialog({ space, channel, onClose }: { space: Space; channel: Channel; onClose(): void }) {
  const toast = useUi((s) => s.toast);
  const [name, setName] = useState(channel.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"save" | "delete" | null>(null);
  const [confirming, setConfirming] = useState(false);
  const label = channel.kind === "text" ? `#${channel.name}` : channel.name;

  async function onSave(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError("The channel needs a name");
    if (name.trim() === channel.name) return onClose();
    setBusy("save");
    setError(null);
    try {
      await renameChannel(channel.id, name.trim());
      onClose();
    } catch (err) {
      setBusy(null);
      setError(describeError(err));
    }
  }

  async function onDelete() {
    setBusy("delete");
    setError(null);
    try {
      await deleteChannel(space.id, channel.id);
      onClose();
      toast(`${label} was deleted`);
    } catch (err) {
      setBusy(null);
      setError(describeError(err));
    }
  }

  return (
    <Dialog open onClose={onClose} title={`Edit ${label}`} description={`In ${space.name}`}>
      <form noValidate onSubmit={onSave} className="flex flex-col gap-4" data-testid="edit-channel-form">
        {error ? <Alert>{error}</Alert> : null}
        <TextField label="Channel name" name="channelName" maxLength={100} data-autofocus value={name} onChange={(e) => setName(e.target.value)} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy === "save"}>
            Save
          </Button>
        </div>
      </form>
      <div className="mt-6 border-t border-zinc-200 pt-5 dark:border-zinc-800">
        {confirming ? (
          <div className="flex flex-col gap-3">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Delete <strong className="font-semibold">{label}</strong> and all of its messages, for everyone? This can't be undone.
            </p>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
              <Button variant="danger" loading={busy === "delete"} onClick={() => void onDelete()}>
                Delete channel
              </Button>
            </div>
          </div>
        ) : (
          <Button variant="danger-soft" onClick={() => setConfirming(true)}>
            Delete channel
          </Button>
        )}
      </div>
    </Dialog>
  );
}
