/** One message row: content (markdown), "edited" mark, reactions, a thread's summary, the hover actions, and the outbox states. */
import type { PublicUser } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { discardMessage, retryMessage } from "../../state/chatActions";
import { isDeleted } from "../../state/messageDelete";
import { Avatar } from "../common/Avatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { ClockIcon, RetryIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { AlertIcon } from "../common/icons";
import { MessageActions, useEditing } from "./DeleteMessage";
import { MessageEditor } from "./MessageEditor";
import { Reactions } from "./Reactions";
import { Markdown } from "./markdown/Markdown";
import { stampOf, timeOf, type Row } from "./messageModel";
import { mentionsMe, useMentionContext } from "./mentionContext";
import { ReplyQuote } from "./ReplyQuote";
import { Attachments } from "./Attachments";
import { ThreadSummaryLine } from "./ThreadSummary";
import { handleOf } from "../common/handle";

function EditedMark({ at }: { at: string }) {
  const full = new Date(at).toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
  return (
    <>
      {" "}
      <time data-testid="edited" dateTime={at} title={`Edited ${full}`} className="cursor-default align-baseline text-[0.6875rem] text-zinc-400 dark:text-zinc-500">
        (edited)
      </time>
    </>
  );
}

export function RowView({
  row,
  conversationId,
  header,
  seen,
  canDelete,
  meId,
  inThread = false,
}: {
  row: Row;
  conversationId: string;
  /** The group's first row carries the avatar, name and time. */
  header: { author: PublicUser | undefined; name: string; showUsername: boolean } | null;
  seen: boolean;
  /** Offer "Delete" (our own message, or a moderator in a space channel). */
  canDelete: boolean;
  meId: string | null;
  /** Drawn in the thread panel: no thread actions or summary. */
  inThread?: boolean;
}) {
  const o = row.outgoing;
  const status = o ? o.status : "sent";
  const deleted = !!row.message && isDeleted(row.message);
  // Discord's mention look: an amber bar on the left and a faint amber wash.
  const everyone = !deleted && !!row.message?.mentionsEveryone;
  const here = !deleted && !!row.message?.mentionsHere;
  const m = row.message;
  const mine = !!m && m.authorId === meId;
  const editing = useEditing((s) => !!m && s.messageId === m.id);
  // A read-only DM (blocked, or the other account deleted) takes no reaction, reply or edit: the server refuses each.
  const writable = useChat((s) => !s.conversations[conversationId]?.readOnly);
  const mentions = useMentionContext();
  const toMe = !deleted && !!m && mentionsMe(m, mentions, meId);
  return (
    <div
      data-testid="message"
      data-message-id={row.message?.id}
      data-client-id={row.message?.clientId ?? o?.clientId}
      data-status={status}
      data-deleted={deleted ? "true" : undefined}
      data-mentions-everyone={everyone ? "true" : undefined}
      data-mentions-here={here ? "true" : undefined}
      data-mentions-me={toMe ? "true" : undefined}
      className={cn(
        "group/row relative flex gap-3 px-4 py-0.5 transition-colors duration-700 data-[flash=true]:bg-brand-500/15 sm:gap-4 sm:px-6",
        everyone || here || toMe
          ? "bg-amber-50 before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-amber-400 hover:bg-amber-100/70 dark:bg-amber-400/[0.07] dark:hover:bg-amber-400/10"
          : "hover:bg-zinc-50 dark:hover:bg-zinc-900/60",
      )}
    >
      {m && !deleted && !editing ? <MessageActions message={m} canReact={writable} canEdit={writable && mine && m.kind === "text"} canReport={!mine && m.kind === "text"} canDelete={canDelete} inThread={inThread} /> : null}
      <div className="w-10 shrink-0">
        {header?.author ? (
          <ProfileTrigger user={header.author} label={`Profile of ${header.name}`} skipTab className="mt-0.5 block rounded-full">
            <Avatar name={header.name} seed={header.author.id} src={header.author.avatarUrl} className="size-10" />
          </ProfileTrigger>
        ) : header ? (
          <Avatar name={header.name} seed="unknown" className="mt-0.5 size-10" />
        ) : (
          <time
            dateTime={row.createdAt}
            className="invisible hidden justify-end whitespace-nowrap pt-0.5 text-[0.625rem] leading-5 text-zinc-400 group-hover/row:visible group-focus-within/row:visible sm:flex dark:text-zinc-500"
          >
            {timeOf(row.createdAt)}
          </time>
        )}
      </div>
      <div className="min-w-0 flex-1">
        {(m?.replyTo ?? o?.replyTo) ? <ReplyQuote conversationId={conversationId} preview={(m?.replyTo ?? o?.replyTo)!} /> : null}
        {header ? (
          <h3 className="flex items-baseline gap-2">
            {header.author ? (
              <ProfileTrigger user={header.author} className="truncate hover:underline" testId="author-button">
                <bdi data-testid="author-name" className="text-[0.9375rem] font-semibold text-zinc-900 dark:text-zinc-100">
                  {header.name}
                </bdi>
              </ProfileTrigger>
            ) : (
              <bdi data-testid="author-name" className="truncate text-[0.9375rem] font-semibold text-zinc-900 dark:text-zinc-100">
                {header.name}
              </bdi>
            )}
            {header.showUsername && header.author && handleOf(header.author) ? (
              <span data-testid="author-username" title="Another member's name looks like this one" className="shrink-0 text-xs font-medium text-zinc-500 dark:text-zinc-400">
                {handleOf(header.author)}
              </span>
            ) : null}
            <time dateTime={row.createdAt} className="shrink-0 text-xs text-zinc-400 dark:text-zinc-500">
              {stampOf(row.createdAt)}
            </time>
          </h3>
        ) : null}
        {m && editing ? (
          <MessageEditor message={m} />
        ) : (
          <div
            data-testid="message-content"
            dir="auto"
            className={cn(
              "break-words text-[0.9375rem] leading-[1.375rem]",
              status === "pending"
                ? "text-zinc-400 dark:text-zinc-500"
                : status === "failed"
                  ? "text-red-700/80 dark:text-red-400/80"
                  : "text-zinc-800 dark:text-zinc-200",
            )}
          >
            {deleted ? (
              <span data-testid="deleted-placeholder" className="italic text-zinc-400 dark:text-zinc-500">
                Message deleted
              </span>
            ) : (
              <Markdown text={row.content} everyone={everyone} here={here} trailing={m?.editedAt ? <EditedMark at={m.editedAt} /> : null} />
            )}
          </div>
        )}
        {!deleted && (m?.attachments ?? o?.attachments)?.length ? <Attachments attachments={(m?.attachments ?? o?.attachments)!} /> : null}
        {m && !deleted ? <Reactions message={m} writable={writable} /> : null}
        {m?.thread && m.thread.replyCount > 0 && !inThread ? <ThreadSummaryLine root={m} thread={m.thread} /> : null}
        {status === "pending" ? (
          <p className="flex items-center gap-1 text-xs text-zinc-400 dark:text-zinc-500">
            <ClockIcon className="size-3.5" /> Sending…
          </p>
        ) : null}
        {o && status === "failed" ? (
          <p role="alert" className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-red-600 dark:text-red-400">
            <AlertIcon className="size-3.5" />
            <span>Not sent{o.error ? `: ${o.error}` : ""}</span>
            <button type="button" onClick={() => retryMessage(conversationId, o.clientId)} className="inline-flex items-center gap-1 font-semibold underline-offset-2 hover:underline">
              <RetryIcon className="size-3.5" /> Retry
            </button>
            <button type="button" onClick={() => discardMessage(conversationId, o.clientId)} className="font-medium text-zinc-500 underline-offset-2 hover:underline dark:text-zinc-400">
              Delete
            </button>
          </p>
        ) : null}
        {seen ? (
          <p data-testid="seen" className="mt-0.5 text-right text-xs font-medium text-zinc-400 dark:text-zinc-500">
            Seen
          </p>
        ) : null}
      </div>
    </div>
  );
}
