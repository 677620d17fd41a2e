/** "Meetings": New meeting, and the user's meetings (open, copy the link, delete). */
import { useEffect, useState } from "react";
import type { Room } from "../../../shared/calls";
import { deleteRoom, loadMyRooms, setNewMeetingOpen, useRooms } from "../../state/rooms";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { useCopied } from "../common/CopyLinkField";
import { CheckIcon, Spinner } from "../common/icons";
import { Link } from "../common/Link";
import { formatDate } from "../common/time";
import { CallIcon } from "../call/callIcons";
import { PageHeader } from "../shell/PageHeader";
import { CopyIcon, PlusIcon, TrashIcon } from "../spaces/spaceIcons";

export function MeetingsPage() {
  const mine = useRooms((s) => s.mine);
  const error = useRooms((s) => s.mineError);
  const [deleting, setDeleting] = useState<Room | null>(null);
  const toast = useUi((s) => s.toast);
  useEffect(() => void loadMyRooms(), []);

  return (
    <>
      <PageHeader
        title="Meetings"
        icon={<CallIcon className="size-5" />}
        actions={
          <Button icon={<PlusIcon className="size-4" />} onClick={() => setNewMeetingOpen(true)}>
            New meeting
          </Button>
        }
      />
      <div className="mx-auto w-full max-w-4xl px-4 py-6 sm:px-8 sm:py-10">
        <h2 className="text-lg font-semibold tracking-tight">My meetings</h2>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Each meeting keeps its link until you delete it. Deleting one ends its call for everyone in it.</p>
        {error ? <Alert className="mt-4">{error}</Alert> : null}
        {mine === null && !error ? (
          <div role="status" className="mt-8 flex justify-center text-zinc-400">
            <Spinner className="size-5" />
            <span className="sr-only">Loading your meetings</span>
          </div>
        ) : null}
        {mine?.length === 0 ? (
          <div className="mt-6 rounded-2xl border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700">
            <p className="font-medium">No meetings yet</p>
            <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Start one and share its link: people join from their browser.</p>
            <Button className="mt-4" icon={<PlusIcon className="size-4" />} onClick={() => setNewMeetingOpen(true)}>
              New meeting
            </Button>
          </div>
        ) : null}
        {mine && mine.length > 0 ? (
          <ul aria-label="My meetings" className="mt-5 divide-y divide-zinc-200 overflow-hidden rounded-2xl bg-white shadow-sm ring-1 ring-zinc-900/5 dark:divide-zinc-800 dark:bg-zinc-900 dark:ring-white/10">
            {mine.map((r) => (
              <MeetingRow key={r.id} room={r} onDelete={() => setDeleting(r)} />
            ))}
          </ul>
        ) : null}
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ""}”?`}
        confirmLabel="Delete meeting"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await deleteRoom(deleting!.slug);
          toast("Meeting deleted");
        }}
      >
        Its link stops working and anyone in its call is disconnected. This can't be undone.
      </ConfirmDialog>
    </>
  );
}

function MeetingRow({ room, onDelete }: { room: Room; onDelete(): void }) {
  const [copied, copy] = useCopied();
  const path = `/r/${room.slug}`;
  return (
    <li data-testid="meeting-row" data-slug={room.slug} className="flex flex-col gap-3 px-4 py-3.5 sm:flex-row sm:items-center sm:px-5">
      <div className="flex min-w-0 flex-1 items-center gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
          <CallIcon className="size-5" />
        </span>
        <div className="min-w-0">
          <Link href={path} className="block truncate font-medium hover:underline">
            <bdi>{room.name}</bdi>
          </Link>
          <p className="truncate text-[0.8125rem] text-zinc-500 dark:text-zinc-400">
            <span className="font-mono">{room.slug}</span> · created {formatDate(room.createdAt)}
          </p>
        </div>
      </div>
      <div className="flex shrink-0 gap-2 max-sm:pl-13">
        <Button size="sm" variant="secondary" onClick={() => void copy(room.url)} icon={copied ? <CheckIcon className="size-4" /> : <CopyIcon className="size-4" />} aria-label={`Copy link to ${room.name}`}>
          {copied ? "Copied" : "Copy link"}
        </Button>
        <Link href={path} className="inline-flex h-8 items-center rounded-md bg-brand-600 px-3 text-sm font-medium text-white shadow-sm hover:bg-brand-500 dark:bg-brand-500 dark:hover:bg-brand-400">
          Open
        </Link>
        <Button size="sm" variant="danger-soft" onClick={onDelete} icon={<TrashIcon className="size-4" />} aria-label={`Delete ${room.name}`}>
          <span className="max-sm:sr-only">Delete</span>
        </Button>
      </div>
    </li>
  );
}
