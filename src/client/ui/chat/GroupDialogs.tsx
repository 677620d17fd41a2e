/** Dialogs for group conversations: start one, add friends to one, rename one. */
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { MAX_GROUP_MEMBERS, type Conversation } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { addGroupMembers, createGroup, renameGroup } from "../../state/groups";
import { navigate } from "../../state/router";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";
import { FriendPicker } from "./FriendPicker";

/** The server's message, with its code so a report of it can be matched to the API. */
function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <Alert>
      <span data-testid="group-error" data-error-code={code}>
        {describeError(error)}
        {code ? <span className="ml-1.5 font-mono text-xs opacity-70">({code})</span> : null}
      </span>
    </Alert>
  );
}

/** Shared state of a dialog that submits once: busy flag, error, reset on open. */
function useSubmit(open: boolean) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!open) return;
    setBusy(false);
    setError(null);
  }, [open]);
  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setBusy(false);
      setError(err);
    }
  }
  return { busy, error, run };
}

/** Mounted once in the shell; opened from the sidebar and the Messages page. */
export function NewGroupDialog() {
  const open = useUi((s) => s.newGroupOpen);
  const setOpen = useUi((s) => s.setNewGroupOpen);
  const [selected, setSelected] = useState<string[]>([]);
  const [name, setName] = useState("");
  const { busy, error, run } = useSubmit(open);
  const close = () => setOpen(false);

  useEffect(() => {
    if (!open) return;
    setSelected([]);
    setName("");
  }, [open]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!selected.length) return;
    void run(async () => {
      const conversation = await createGroup(selected, name.trim() || undefined);
      close();
      useUi.getState().setDrawerOpen(false);
      navigate(`/c/${conversation.id}`);
    });
  }

  return (
    <Dialog open={open} onClose={close} title="New group" description="Pick friends to chat with together. You can add more later.">
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="new-group-form">
        <ErrorLine error={error} />
        <FriendPicker selected={selected} onChange={setSelected} max={MAX_GROUP_MEMBERS - 1} />
        <TextField label="Group name (optional)" name="groupName" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} hint="Without one, the group is named after its members." />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!selected.length}>
            Create group
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function AddMembersDialog({ conversation, open, onClose }: { conversation: Conversation; open: boolean; onClose(): void }) {
  const [selected, setSelected] = useState<string[]>([]);
  const { busy, error, run } = useSubmit(open);
  const members = useMemo(() => new Set(conversation.members.map((m) => m.id)), [conversation.members]);
  const room = MAX_GROUP_MEMBERS - conversation.members.length;

  useEffect(() => {
    if (open) setSelected([]);
  }, [open]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!selected.length) return;
    void run(async () => {
      await addGroupMembers(conversation.id, selected);
      onClose();
    });
  }

  return (
    <Dialog open={open} onClose={onClose} title="Add friends" description={`${conversation.members.length} of ${MAX_GROUP_MEMBERS} members.`}>
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="add-members-form">
        <ErrorLine error={error} />
        {room > 0 ? (
          <FriendPicker selected={selected} onChange={setSelected} exclude={members} max={room} />
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">This group is full.</p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!selected.length}>
            Add to group
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function RenameGroupDialog({ conversation, open, onClose }: { conversation: Conversation; open: boolean; onClose(): void }) {
  const [name, setName] = useState("");
  const { busy, error, run } = useSubmit(open);

  useEffect(() => {
    if (open) setName(conversation.name ?? "");
  }, [open]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      await renameGroup(conversation.id, name.trim() || null);
      onClose();
    });
  }

  return (
    <Dialog open={open} onClose={onClose} title="Rename group">
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="rename-group-form">
        <ErrorLine error={error} />
        <TextField
          label="Group name"
          name="groupName"
          maxLength={100}
          data-autofocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint="Leave it empty to name the group after its members."
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
