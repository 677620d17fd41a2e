/** In-call chat: peer to peer over the call's data channel, gone when the call ends. */
import { useEffect, useRef, useState } from "react";
import { currentCall, useCall } from "../../state/call";
import { MAX_CHAT_LENGTH } from "../../rtc/call-chat";
import { cn } from "../common/cn";
import { CloseIcon } from "../common/icons";
import { SendIcon } from "./callIcons";

export function CallChatPanel({ onClose }: { onClose: () => void }) {
  const lines = useCall((s) => s.chat);
  const ready = useCall((s) => s.chatReady);
  const peerName = useCall((s) => s.peer?.displayName ?? "Them");
  const [text, setText] = useState("");
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [lines.length]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (currentCall()?.sendChat(text)) setText("");
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
      <p className="mx-3 mt-3 rounded-lg bg-white/5 px-3 py-2 text-xs text-zinc-400">
        Messages go straight to {peerName} and disappear when the call ends.
      </p>
      <ol ref={list} className="min-h-0 flex-1 space-y-2 overflow-y-auto px-3 py-3" aria-live="polite">
        {lines.map((l) => (
          <li key={l.id} data-testid="call-chat-line" className={cn("flex flex-col", l.from === "self" ? "items-end" : "items-start")}>
            <span className="sr-only">{l.from === "self" ? "You" : peerName}: </span>
            <span
              className={cn(
                "max-w-[85%] whitespace-pre-wrap break-words rounded-2xl px-3 py-1.5 text-sm",
                l.from === "self" ? "rounded-br-md bg-brand-600" : "rounded-bl-md bg-white/10",
              )}
            >
              {l.text}
            </span>
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="flex shrink-0 items-center gap-2 border-t border-white/10 p-3">
        <input
          ref={input}
          data-testid="call-chat-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={MAX_CHAT_LENGTH}
          placeholder={ready ? "Send a message" : "Connecting…"}
          aria-label="Message"
          className="h-10 min-w-0 flex-1 rounded-xl bg-white/10 px-3 text-sm placeholder:text-zinc-500 focus:outline-2 focus:outline-brand-400"
        />
        <button
          type="submit"
          disabled={!ready || !text.trim()}
          aria-label="Send"
          className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-brand-600 hover:bg-brand-500 disabled:opacity-40"
        >
          <SendIcon className="size-4" />
        </button>
      </form>
    </aside>
  );
}
