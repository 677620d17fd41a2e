/** One author's run of messages (avatar and name once), a system line, a day separator. */
import type { Message, PublicUser } from "../../../shared/protocol";
import { stampOf, timeOf, type Row } from "./messageModel";
import { RowView } from "./MessageRow";

export function DaySeparator({ label }: { label: string }) {
  return (
    <div role="separator" aria-label={label} className="my-3 flex items-center gap-3 px-4 sm:px-6">
      <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      <span className="text-[0.6875rem] font-semibold text-zinc-500 dark:text-zinc-400">{label}</span>
      <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
    </div>
  );
}

export function SystemLine({ message }: { message: Message }) {
  return (
    <div
      data-testid="message"
      data-message-id={message.id}
      data-kind="system"
      className="my-1 px-4 text-center text-[0.8125rem] italic text-zinc-500 sm:px-6 dark:text-zinc-400"
    >
      {message.content} <time className="not-italic text-zinc-400 dark:text-zinc-500" dateTime={message.createdAt}>· {timeOf(message.createdAt)}</time>
    </div>
  );
}

export function MessageGroup({
  author,
  rows,
  conversationId,
  seenId,
  meId = null,
  moderator = false,
  showUsername = false,
  inThread = false,
}: {
  author: PublicUser | undefined;
  rows: Row[];
  conversationId: string;
  /** The id of the message to mark "Seen" under, if it is in this group. */
  seenId: string | null;
  meId?: string | null;
  /** May delete this author's messages (deleteMessages in a space channel, over a lower rank). */
  moderator?: boolean;
  /** Another member's name looks like this author's: show the @username beside the name. */
  showUsername?: boolean;
  /** Drawn in the thread panel. */
  inThread?: boolean;
}) {
  const first = rows[0]!;
  const name = author?.displayName ?? "Unknown user";
  return (
    <article aria-label={`${name}, ${stampOf(first.createdAt)}`} className="mt-3">
      {rows.map((r, i) => (
        <RowView
          key={r.key}
          row={r}
          conversationId={conversationId}
          header={i === 0 ? { author, name, showUsername } : null}
          seen={!!seenId && r.message?.id === seenId}
          canDelete={!!r.message && (moderator || (!!meId && r.message.authorId === meId))}
          meId={meId}
          inThread={inThread}
        />
      ))}
    </article>
  );
}
