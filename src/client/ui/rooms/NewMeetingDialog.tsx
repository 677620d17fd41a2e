/**
 * "New meeting": a name (prefilled), then the meeting's link to copy and share, and Join now.
 * Mounted once in the shell; opened from the sidebar and the Meetings page.
 */
import { useEffect, useState, type FormEvent } from "react";
import type { Room } from "../../../shared/calls";
import { navigate } from "../../state/router";
import { createRoom, setNewMeetingOpen, useRooms } from "../../state/rooms";
import { useSession } from "../../state/session";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { CopyLinkField } from "../common/CopyLinkField";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";
import { useFormAction } from "../common/useFormAction";

const MAX_NAME = 100;

export function NewMeetingDialog() {
  const open = useRooms((s) => s.newOpen);
  const me = useSession((s) => s.user?.displayName ?? "");
  const [name, setName] = useState("");
  const [room, setRoom] = useState<Room | null>(null);
  const { busy, error, setError, run } = useFormAction();
  const close = () => setNewMeetingOpen(false);

  useEffect(() => {
    if (!open) return;
    setName(me ? `${me}'s meeting` : "Meeting");
    setRoom(null);
    setError(null);
  }, [open, me]);

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(async () => setRoom(await createRoom(name.trim())));
  }

  if (room) {
    return (
      <Dialog open={open} onClose={close} title="Your meeting is ready" description="Share this link with the people you want in the meeting. Anyone signed in who has it can join.">
        <div className="flex flex-col gap-5" data-testid="new-meeting-ready">
          <CopyLinkField label="Meeting link" url={room.url} testId="meeting-link" />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="ghost" onClick={close}>
              Done
            </Button>
            <Button
              onClick={() => {
                close();
                navigate(`/r/${room.slug}`);
              }}
            >
              Join now
            </Button>
          </div>
        </div>
      </Dialog>
    );
  }

  const tooLong = name.trim().length > MAX_NAME;
  return (
    <Dialog open={open} onClose={close} title="New meeting" description="A meeting has a link of its own: share it, and people join from their browser.">
      <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-5" data-testid="new-meeting-form">
        {error ? <Alert>{error}</Alert> : null}
        <TextField label="Meeting name" value={name} onChange={(e) => setName(e.target.value)} limit={MAX_NAME} error={tooLong ? "At most 100 characters" : null} data-autofocus required />
        <div className="flex justify-end gap-2">
          <Button type="button" variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!name.trim() || tooLong}>
            Create meeting
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
