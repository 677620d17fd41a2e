/**
 * In-call chat: the call's conversation's ordinary messages (sent with message:send, so stored
 * and synced, and the same for every topology), from when this call started here. A signed-in
 * member reports someone else's message as from the conversation (the shell's report dialog).
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { MAX_MESSAGE_LENGTH, type Message } from "../../../shared/protocol";
import { useCall } from "../../state/call";
import { isMine, useChat } from "../../state/chat";
import { loadInitial } from "../../state/chatHistory";
import { retryMessage, sendMessage } from "../../state/chatActions";
import { userName } from "../../state/chatSelectors";
import { isDeleted } from "../../state/messageDelete";
import { useSession } from "../../state/session";
import { useReporting } from "../chat/ReportMessage";
import { FlagIcon } from "../common/chatIcons";
import { cn } from "../common/cn";
import { CloseIcon } from "../common/icons";
import { SendIcon } from "./callIcons";

export function CallChatPanel({ onClose }: { onClose: () => void }) {
  const conversationId = useCall((s) => s.conversationId);
  const since = useCall((s) => s.chatSince);
  const meId = useChat((s) => s.meId);
  const held = useChat((s) => !!s.history[conversationId ?? ""]);
  const messages = useChat(useShallow((s) => s.messages[conversationId ?? ""] ?? []));
  const pending = useChat(useShallow((s) => s.outbox[conversationId ?? ""] ?? []));
  const conversations = useChat((s) => s.conversations);
  // A guest has no account to report with (the report dialog lives in the signed-in shell).
  const signedIn = useSession((s) => !!s.user);
  const [text, setText] = useState("");
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const roster = useCall((s) => s.roster);

  const lines = useMemo(() => {
    // Who wrote it as the call knows them (people joined by a room's link are not the conversation's
    // members, guests have no account), else as the conversation does.
    const author = (m: Message) => {
      const id = m.authorId ?? m.guest?.id;
      return (id ? roster[id]?.name : undefined) ?? m.guest?.name ?? userName({ conversations }, m.conversationId, m.authorId);
    };
    const sent = messages
      .filter((m) => m.kind !== "system" && Date.parse(m.createdAt) >= since)
      .map((m) => ({ key: m.id, self: isMine(m, meId), author: author(m), text: m.content, message: m as Message | null, failed: null as string | null }));
    return [...sent, ...pending.map((o) => ({ key: o.clientId, self: true, author: "", text: o.content, message: null, failed: o.status === "failed" ? (o.error ?? "Could not send") : null }))];
  }, [messages, pending, since, meId, roster, conversations]);

  useEffect(() => input.current?.focus(), []);
  // Live messages are kept only for conversations whose history is held.
  useEffect(() => {
    if (conversationId && !held) void loadInitial(conversationId);
  }, [conversationId, held]);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [lines.length]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || !conversationId) return;
    sendMessage(conversationId, body);
    setText("");
  };

  return (
    <aside
      aria-label="In-call chat"
      className="absolute inset-0 z-20 flex flex-col bg-zinc-900 text-white sm:static sm:inset-auto sm:w-80 sm:shrink-0 sm:rounded-2xl sm:ring-1 sm:ring-white/10"
    >
      <header className="flex h-12 shrink-0 items-center justify-between border-b border-white/10 pl-4 pr-2">
        <h2 className="text-sm font-semibold">In-call messages</h2>
        <button type="button" onClick={onClose} aria-label="Close chat" className="rounded-md p-1.5 text-zinc-400 hover:bg-white/10 hover:text-white">
          <CloseIcon className="size-4" />
        </button>
      </header>
      <p className="mx-3 mt-3 rounded-lg bg-white/5 px-3 py-2 text-xs text-zinc-400">Messages go to the conversation and stay there after the call.</p>
      <ol ref={list} className="min-h-0 flex-1 space-y-2 overflow-y-auto px-3 py-3" aria-live="polite">
        {lines.map((l) => (
          <li key={l.key} data-testid="call-chat-line" data-message-id={l.message?.id} className={cn("group/line flex flex-col", l.self ? "items-end" : "items-start")}>
            {l.self ? (
              <span className="sr-only">You: </span>
            ) : (
              <span className="flex items-center gap-1 px-1 text-[0.6875rem] text-zinc-400">
                {l.author}
                {signedIn && l.message && l.message.kind === "text" && !isDeleted(l.message) ? (
                  <button
                    type="button"
                    title="Report"
                    data-testid="report-message"
                    onClick={() => useReporting.setState({ message: l.message })}
                    className="rounded p-0.5 text-zinc-500 opacity-0 hover:bg-white/10 hover:text-white focus:opacity-100 group-hover/line:opacity-100"
                  >
                    <FlagIcon className="size-3.5" />
                    <span className="sr-only">Report message</span>
                  </button>
                ) : null}
              </span>
            )}
            <span
              className={cn(
                "max-w-[85%] whitespace-pre-wrap break-words rounded-2xl px-3 py-1.5 text-sm",
                l.self ? "rounded-br-md bg-brand-600" : "rounded-bl-md bg-white/10",
              )}
            >
              {l.text}
            </span>
            {l.failed !== null ? (
              <span role="alert" data-testid="call-chat-failed" className="mt-0.5 flex items-center gap-1.5 px-1 text-[0.6875rem] text-red-300">
                Not sent: {l.failed}
                <button type="button" onClick={() => conversationId && retryMessage(conversationId, l.key)} className="font-medium text-white underline">
                  Retry
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="flex shrink-0 items-center gap-2 border-t border-white/10 p-3">
        <input
          ref={input}
          data-testid="call-chat-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={MAX_MESSAGE_LENGTH}
          placeholder="Send a message"
          aria-label="Message"
          className="h-10 min-w-0 flex-1 rounded-xl bg-white/10 px-3 text-sm placeholder:text-zinc-500 focus:outline-2 focus:outline-brand-400"
        />
        <button
          type="submit"
          disabled={!text.trim()}
          aria-label="Send"
          className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-brand-600 hover:bg-brand-500 disabled:opacity-40"
        >
          <SendIcon className="size-4" />
        </button>
      </form>
    </aside>
  );
}
