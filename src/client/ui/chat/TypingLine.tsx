/** "Alice is typing…" for the open conversation (indicators expire after 6 s without a refresh). */
import { useChat } from "../../state/chat";
import { userName } from "../../state/chatSelectors";

const NOBODY: Record<string, number> = {};

export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return "Several people are typing…";
}

export function TypingLine({ conversationId }: { conversationId: string }) {
  const typing = useChat((s) => s.typing[conversationId] ?? NOBODY);
  const meId = useChat((s) => s.meId);
  const names = useChat((s) =>
    Object.keys(typing)
      .filter((id) => id !== meId)
      .map((id) => userName(s, conversationId, id))
      .join("\u0000"),
  );
  const list = names ? names.split("\u0000") : [];
  return (
    <div aria-live="polite" data-testid="typing" className="flex min-w-0 items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
      {list.length ? (
        <>
          <span aria-hidden="true" className="flex gap-0.5">
            <span className="size-1 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.3s]" />
            <span className="size-1 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.15s]" />
            <span className="size-1 animate-bounce rounded-full bg-zinc-400" />
          </span>
          <span className="truncate font-medium">{typingText(list)}</span>
        </>
      ) : null}
    </div>
  );
}
