/**
 * The actions on a message: a toolbar on the row (on hover and on keyboard focus) with React,
 * Reply and Start thread / Reply in thread (main timeline only), Edit (one's own), Report
 * (someone else's) and Delete (one's own, or a moderator's), and the one delete confirmation dialog per page. Deleted
 * messages stay in place as "Message deleted".
 */
import { create } from "zustand";
import type { Message } from "../../../shared/protocol";
import { deleteMessage } from "../../state/messageDelete";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { PencilIcon } from "../common/icons";
import { TrashIcon } from "../spaces/spaceIcons";
import { AddReactionButton } from "./Reactions";
import { FlagIcon, ReplyIcon, ThreadIcon } from "../common/chatIcons";
import { useReporting } from "./ReportMessage";
import { openThread } from "../../state/threads";
import { startReply } from "../../state/replies";

const useDeleting = create<{ message: Message | null }>()(() => ({ message: null }));

/** The one message being edited in place, if any. */
export const useEditing = create<{ messageId: string | null }>()(() => ({ messageId: null }));

const TOOL = "rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100";

export function MessageActions({ message, canEdit, canDelete, canReact, canReport, inThread }: { message: Message; canEdit: boolean; canDelete: boolean; canReact: boolean; canReport: boolean; inThread: boolean }) {
  // Threads start on text messages of the main timeline (not on a reply in a thread).
  const threadable = !inThread && message.kind === "text" && !message.threadId;
  return (
    <div className="absolute -top-3 right-4 z-10 flex rounded-md bg-white opacity-0 shadow-sm ring-1 ring-zinc-900/10 transition-opacity group-hover/row:opacity-100 group-focus-within/row:opacity-100 has-[[aria-expanded=true]]:opacity-100 sm:right-6 dark:bg-zinc-800 dark:ring-white/10">
      {canReact ? <AddReactionButton message={message} className={TOOL} /> : null}
      {canReact && !inThread ? (
        <button type="button" title="Reply" data-testid="reply-message" onClick={() => startReply(message)} className={TOOL}>
          <ReplyIcon className="size-4" />
          <span className="sr-only">Reply</span>
        </button>
      ) : null}
      {canReact && threadable ? (
        <button type="button" title={message.thread?.replyCount ? "Reply in thread" : "Start thread"} data-testid="open-thread" onClick={() => openThread(message.conversationId, message.id)} className={TOOL}>
          <ThreadIcon className="size-4" />
          <span className="sr-only">{message.thread?.replyCount ? "Reply in thread" : "Start thread"}</span>
        </button>
      ) : null}
      {canEdit ? (
        <button type="button" title="Edit" data-testid="edit-message" onClick={() => useEditing.setState({ messageId: message.id })} className={TOOL}>
          <PencilIcon className="size-4" />
          <span className="sr-only">Edit message</span>
        </button>
      ) : null}
      {canReport ? (
        <button type="button" title="Report" data-testid="report-message" onClick={() => useReporting.setState({ message })} className={TOOL}>
          <FlagIcon className="size-4" />
          <span className="sr-only">Report message</span>
        </button>
      ) : null}
      {canDelete ? (
        <button
          type="button"
          title="Delete"
          data-testid="delete-message"
          onClick={() => useDeleting.setState({ message })}
          className="rounded-md p-1.5 text-zinc-500 hover:bg-red-50 hover:text-red-600 dark:text-zinc-400 dark:hover:bg-red-500/10 dark:hover:text-red-400"
        >
          <TrashIcon className="size-4" />
          <span className="sr-only">Delete message</span>
        </button>
      ) : null}
    </div>
  );
}

export function DeleteMessageDialog() {
  const message = useDeleting((s) => s.message);
  const close = () => useDeleting.setState({ message: null });
  return (
    <ConfirmDialog
      open={!!message}
      title="Delete message?"
      confirmLabel="Delete"
      onClose={close}
      onConfirm={async () => {
        if (message) await deleteMessage(message);
      }}
    >
      <span className="mt-2 block max-h-40 overflow-hidden whitespace-pre-wrap break-words rounded-lg bg-zinc-50 px-3 py-2 text-zinc-700 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-800/60 dark:text-zinc-300 dark:ring-zinc-700">
        {message?.content}
      </span>
      <span className="mt-2 block">This can't be undone.</span>
    </ConfirmDialog>
  );
}
