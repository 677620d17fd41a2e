/** Danger zone: leave the space, or (the owner) delete it after typing its name. */
import { useState, type FormEvent } from "react";
import { can } from "../../../../shared/permissions";
import type { Space } from "../../../../shared/protocol";
import { describeError } from "../../../api";
import { navigate } from "../../../state/router";
import { deleteSpace } from "../../../state/spacesActions";
import { useSpacesUi } from "../../../state/spacesUi";
import { useUi } from "../../../state/ui";
import { Alert } from "../../common/Alert";
import { Button } from "../../common/Button";
import { Dialog } from "../../common/Dialog";
import { TextField } from "../../common/TextField";
import { SectionTitle } from "./SettingsParts";

export function DangerSection({ space }: { space: Space }) {
  const openDialog = useSpacesUi((s) => s.open);
  const [deleting, setDeleting] = useState(false);
  const owner = space.role === "owner";
  return (
    <section className="flex flex-col gap-4">
      <SectionTitle title="Danger zone" />
      <div className="flex flex-col gap-3 rounded-xl p-4 ring-1 ring-inset ring-zinc-200 sm:flex-row sm:items-center dark:ring-zinc-800">
        <div className="min-w-0 flex-1">
          <h3 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">Leave space</h3>
          <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">
            {owner ? "You own this space. Transfer ownership under Roles before you leave." : "You'll need a new invite to come back."}
          </p>
        </div>
        <Button variant="secondary" disabled={owner} onClick={() => openDialog({ kind: "leave", spaceId: space.id })}>
          Leave space
        </Button>
      </div>
      {can(space.role, "deleteSpace") ? (
        <div className="flex flex-col gap-3 rounded-xl p-4 ring-1 ring-inset ring-red-200 sm:flex-row sm:items-center dark:ring-red-500/30">
          <div className="min-w-0 flex-1">
            <h3 className="text-sm font-semibold text-red-700 dark:text-red-400">Delete space</h3>
            <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">Deletes every channel and message for everyone. This can't be undone.</p>
          </div>
          <Button variant="danger" onClick={() => setDeleting(true)}>
            Delete space
          </Button>
        </div>
      ) : null}
      {deleting ? <DeleteSpaceDialog space={space} onClose={() => setDeleting(false)} /> : null}
    </section>
  );
}

function DeleteSpaceDialog({ space, onClose }: { space: Space; onClose(): void }) {
  const toast = useUi((s) => s.toast);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const matches = typed === space.name;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return setError("Type the space's name exactly as shown");
    setBusy(true);
    setError(null);
    try {
      await deleteSpace(space.id, typed);
      onClose();
      navigate("/", { replace: true });
      toast(`${space.name} was deleted`);
    } catch (err) {
      setBusy(false);
      setError(describeError(err));
    }
  }

  return (
    <Dialog open onClose={onClose} title={`Delete ${space.name}?`} description="Every channel and message in it will be gone, for everyone. This can't be undone.">
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="delete-space-form">
        {error ? <Alert>{error}</Alert> : null}
        <TextField
          label={`Type "${space.name}" to confirm`}
          name="confirmName"
          autoComplete="off"
          data-autofocus
          value={typed}
          onChange={(e) => {
            setTyped(e.target.value);
            setError(null);
          }}
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" loading={busy} disabled={!matches}>
            Delete space
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
