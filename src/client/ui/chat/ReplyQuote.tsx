/** The quoted original above a reply (click: jump to it), and the composer's "Replying to" bar. */
import type { Message, ReplyPreview } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { userName } from "../../state/chatSelectors";
import { cancelReply, jumpToMessage, useReplying } from "../../state/replies";
import { CloseIcon } from "../common/icons";
import { plainText } from "./markdown/parse";

function useAuthorName(conversationId: string, p: Pick<ReplyPreview, "authorId" | "guestName">): string {
  return useChat((s) => (p.guestName && !p.authorId ? p.guestName : userName(s, conversationId, p.authorId)));
}

export function ReplyQuote({ conversationId, preview }: { conversationId: string; preview: ReplyPreview }) {
  const name = useAuthorName(conversationId, preview);
  return (
    <button
      type="button"
      data-testid="reply-quote"
      data-reply-to={preview.id}
      onClick={() => void jumpToMessage(conversationId, preview.id)}
      title="Jump to the original message"
      className="mb-0.5 flex max-w-full items-center gap-1.5 text-left text-[0.8125rem] text-zinc-500 before:mr-0.5 before:h-2.5 before:w-5 before:shrink-0 before:self-end before:rounded-tl-md before:border-l-2 before:border-t-2 before:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:before:border-zinc-600 dark:hover:text-zinc-200"
    >
      {preview.deleted ? (
        <span className="italic">Original message was deleted</span>
      ) : (
        <>
          <bdi className="shrink-0 font-semibold text-zinc-600 dark:text-zinc-300">{name}</bdi>
          <span dir="auto" className="truncate">{plainText(preview.content)}</span>
        </>
      )}
    </button>
  );
}

export function ReplyingBar({ conversationId }: { conversationId: string }) {
  const target: Message | undefined = useReplying((s) => s[conversationId]);
  const name = useChat((s) => (target ? userName(s, conversationId, target.authorId) : ""));
  if (!target) return null;
  return (
    <div data-testid="replying-to" className="mb-1 flex items-center gap-2 rounded-lg bg-zinc-100 px-3 py-1.5 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
      <span className="min-w-0 flex-1 truncate">
        Replying to <bdi className="font-semibold text-zinc-800 dark:text-zinc-200">{name}</bdi>
        <span dir="auto" className="ml-1.5 text-zinc-500">{plainText(target.content)}</span>
      </span>
      <button type="button" onClick={() => cancelReply(conversationId)} aria-label="Cancel reply" data-testid="cancel-reply" className="rounded p-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-800">
        <CloseIcon className="size-3.5" />
      </button>
    </div>
  );
}
