/**
 * The message box: Enter sends, Shift+Enter starts a new line, at most 4000 characters.
 * Files come by the paperclip, by dropping them on it or by pasting; they upload at once and
 * go with the next send. Drafts survive switching conversations and reloads. A read-only
 * conversation says why instead.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { MAX_MESSAGE_LENGTH, type PublicUser, type ReadOnly } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { sendMessage, stopTyping, typingActivity } from "../../state/chatActions";
import { LockIcon, PaperclipIcon, SendIcon } from "../common/chatIcons";
import { addFiles, takeAttachments, useUploads } from "../../state/uploads";
import { UploadTray } from "./UploadTray";
import { cn } from "../common/cn";
import { useMediaQuery } from "../common/useMediaQuery";
import { MentionList, optionId, useMentionSuggest } from "./MentionSuggest";
import { cancelReply, useReplying } from "../../state/replies";
import { ReplyingBar } from "./ReplyQuote";
import { loadDraft, saveDraft } from "../../state/drafts";

const MAX_HEIGHT_PX = 200;
/** Show the remaining count from here on. */
const COUNT_FROM = MAX_MESSAGE_LENGTH - 200;

export function Composer({
  conversationId,
  placeholder,
  readOnly,
  status,
  members = [],
  broadcasts = false,
  threadId,
}: {
  conversationId: string;
  /** Replies go into this thread (the side panel's composer). */
  threadId?: string;
  /** Who `@` suggests: the conversation's members (a channel's: the space's). */
  members?: readonly PublicUser[];
  /** The writer may send `@everyone` / `@here` here, so `@` offers them. */
  broadcasts?: boolean;
  placeholder: string;
  /** Why nothing more can be sent here (a block, a deleted account), or false. */
  readOnly: ReadOnly;
  /** Shown under the box on the left (who is typing). */
  status?: ReactNode;
}) {
  const meId = useChat((s) => s.meId);
  const place = threadId ? `${conversationId}/${threadId}` : conversationId;
  const [text, setText] = useState(() => loadDraft(meId, place));
  const ref = useRef<HTMLTextAreaElement>(null);
  const wide = useMediaQuery("(min-width: 48rem)");
  const over = text.length > MAX_MESSAGE_LENGTH;
  // Files wait per conversation, and per thread.
  const files = useUploads((s) => s[place]);
  const unfinished = !!files?.some((u) => u.status !== "done");
  const empty = text.trim().length === 0 && !files?.some((u) => u.status === "done");
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [caret, setCaret] = useState(0);
  // Reply quotes belong to the main timeline's composer.
  const replyingTo = useReplying((s) => (threadId ? undefined : s[conversationId]));
  const suggest = useMentionSuggest(members, meId, text, caret, broadcasts);
  // The caret moves in the commit that shows the new text, not a frame later: a key typed in
  // between would land at the end and then be overtaken by the move.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (pendingCaret.current === null) return;
    ref.current?.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  });
  const replace = (next: string, at: number) => {
    pendingCaret.current = at;
    update(next);
    setCaret(at);
  };

  // Switching conversations: load that one's draft; leaving: stop "typing".
  useEffect(() => {
    setText(loadDraft(meId, place));
    if (wide) ref.current?.focus();
    return () => stopTyping(conversationId);
  }, [place, wide, meId]);

  // Reply chosen: type the answer straight away.
  useEffect(() => {
    if (replyingTo) ref.current?.focus();
  }, [replyingTo]);

  // Grow with the text up to a limit, then scroll inside.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  function update(value: string) {
    setText(value);
    saveDraft(meId, place, value);
    typingActivity(conversationId, value.trim().length > 0);
  }

  function send() {
    if (empty || over || unfinished) return;
    sendMessage(conversationId, text.trim(), { replyTo: replyingTo, threadId, attachments: takeAttachments(place) });
    if (replyingTo) cancelReply(conversationId);
    saveDraft(meId, place, "");
    setText("");
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggest.onKeyDown(e, text, caret, replace)) return;
    if (e.key === "Escape" && replyingTo) {
      e.preventDefault();
      return cancelReply(conversationId);
    }
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  }

  if (readOnly) {
    return (
      <div className="px-4 pb-4 pt-1 sm:px-6" data-testid="composer-readonly">
        <p className="flex items-center gap-2 rounded-xl bg-zinc-100 px-4 py-3 text-sm text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <LockIcon className="size-4 shrink-0" />
          {readOnly === "deleted"
            ? "This account was deleted. You can't send messages here; the history stays readable."
            : "You can't send messages here: one of you has blocked the other. The history stays readable."}
        </p>
      </div>
    );
  }

  return (
    <form
      className="px-4 pb-3 sm:px-6 sm:pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        send();
        ref.current?.focus();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        if (e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        addFiles(place, e.dataTransfer.files);
      }}
    >
      {threadId ? null : <ReplyingBar conversationId={conversationId} />}
      <UploadTray conversationId={place} />
      <div
        className={cn(
          "relative flex items-end gap-2 rounded-xl bg-zinc-100 py-1.5 pl-1.5 pr-1.5 ring-1 ring-transparent transition-shadow focus-within:ring-brand-500/40 dark:bg-zinc-900",
          over && "ring-red-500/60 focus-within:ring-red-500/60",
          dragging && "ring-2 ring-brand-500",
        )}
      >
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files) addFiles(place, e.target.files);
            e.target.value = "";
          }}
        />
        <button
          type="button"
          onClick={() => picker.current?.click()}
          aria-label="Attach files"
          className="flex size-9 shrink-0 items-center justify-center rounded-lg text-zinc-500 transition-colors hover:bg-zinc-200 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-300"
        >
          <PaperclipIcon className="size-5" />
        </button>
        <MentionList suggest={suggest} onPick={(item) => suggest.pick(item, text, caret, replace)} />
        <textarea
          ref={ref}
          rows={1}
          value={text}
          onChange={(e) => {
            update(e.target.value);
            setCaret(e.target.selectionStart);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onPaste={(e) => {
            if (e.clipboardData.files.length === 0) return;
            e.preventDefault();
            addFiles(place, e.clipboardData.files);
          }}
          role="combobox"
          aria-expanded={suggest.open}
          aria-controls={suggest.open ? "mention-suggestions" : undefined}
          aria-autocomplete="list"
          aria-activedescendant={suggest.open && suggest.items[suggest.active] ? optionId(suggest.items[suggest.active]!) : undefined}
          onKeyDown={onKeyDown}
          onBlur={() => stopTyping(conversationId)}
          placeholder={placeholder}
          aria-label={placeholder}
          aria-describedby={over ? "composer-limit" : undefined}
          aria-invalid={over || undefined}
          data-testid={threadId ? "thread-composer" : "composer"}
          className="max-h-[200px] min-h-6 flex-1 resize-none bg-transparent py-1.5 text-[0.9375rem] leading-6 text-zinc-900 placeholder:text-zinc-500 focus:outline-none dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
        <button
          type="submit"
          disabled={empty || over || unfinished}
          aria-label="Send message"
          className="flex size-9 shrink-0 items-center justify-center rounded-lg text-brand-600 transition-colors hover:bg-brand-500/10 disabled:text-zinc-400 disabled:hover:bg-transparent dark:text-brand-400 dark:disabled:text-zinc-600"
        >
          <SendIcon className="size-5" />
        </button>
      </div>
      <div className="flex h-5 items-center justify-between gap-3 px-1 pt-1 text-[0.6875rem]">
        <div className="min-w-0 flex-1">{status}</div>
        {text.length >= COUNT_FROM ? (
          <span id="composer-limit" className={cn("shrink-0", over ? "font-semibold text-red-600 dark:text-red-400" : "text-zinc-500")}>
            {over ? `${text.length - MAX_MESSAGE_LENGTH} characters over the ${MAX_MESSAGE_LENGTH} limit` : `${MAX_MESSAGE_LENGTH - text.length} characters left`}
          </span>
        ) : wide ? (
          <span className="shrink-0 text-zinc-400 dark:text-zinc-500">
            <kbd className="font-sans font-medium">Enter</kbd> to send · <kbd className="font-sans font-medium">Shift+Enter</kbd> for a new line
          </span>
        ) : null}
      </div>
    </form>
  );
}
