/**
 * Reaction chips under a message: emoji and count, pressed when the reader reacted (click
 * toggles), and who reacted in a tooltip on hover or focus. A last chip opens the picker.
 * Where the reader may not write (a read-only DM) the chips only show, and no picker is offered.
 */
import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Message, Reaction } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { userName } from "../../state/chatSelectors";
import { toggleReaction } from "../../state/messageExtras";
import { useEmojiIndex } from "../../state/emoji";
import { cn } from "../common/cn";
import { SmileAddIcon } from "../common/chatIcons";
import { EmojiPicker } from "./emoji/EmojiPicker";

/** "Ann, Bo and 3 others reacted with :tada:". */
function whoReacted(names: string[], code: string): string {
  const shown = names.slice(0, 6);
  const rest = names.length - shown.length;
  const list = rest > 0 ? `${shown.join(", ")} and ${rest} other${rest === 1 ? "" : "s"}` : shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : shown[0];
  return `${list} reacted with ${code}`;
}

function Chip({ message, reaction, meId, writable }: { message: Message; reaction: Reaction; meId: string | null; writable: boolean }) {
  const names = useChat(useShallow((s) => reaction.userIds.map((id) => (id === meId ? "You" : userName(s, message.conversationId, id)))));
  const emoji = useEmojiIndex(true)?.byNative.get(reaction.emoji);
  const mine = !!meId && reaction.userIds.includes(meId);
  const tip = whoReacted(names, emoji ? `:${emoji.id}:` : reaction.emoji);
  return (
    <button
      type="button"
      data-testid="reaction"
      data-emoji={reaction.emoji}
      aria-pressed={mine}
      aria-label={`${reaction.emoji} ${reaction.count}: ${tip}`}
      aria-disabled={writable ? undefined : true}
      onClick={writable ? () => void toggleReaction(message, reaction.emoji) : undefined}
      className={cn(
        "group/chip relative inline-flex h-7 items-center gap-1.5 rounded-lg px-2 text-sm ring-1 ring-inset transition-colors aria-disabled:cursor-default",
        mine
          ? "bg-brand-50 text-brand-700 ring-brand-400 dark:bg-brand-500/15 dark:text-brand-200 dark:ring-brand-400/60"
          : "bg-zinc-100 text-zinc-700 ring-transparent hover:ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:ring-zinc-600",
      )}
    >
      <span className="font-emoji text-base leading-none">{reaction.emoji}</span>
      <span data-testid="reaction-count" className="text-xs font-semibold tabular-nums">
        {reaction.count}
      </span>
      <span
        role="tooltip"
        data-testid="reaction-tooltip"
        className="pointer-events-none invisible absolute bottom-full left-1/2 z-20 mb-2 w-max max-w-60 -translate-x-1/2 rounded-lg bg-zinc-900 px-2.5 py-1.5 text-center text-xs font-medium text-white opacity-0 shadow-lg transition-opacity group-hover/chip:visible group-hover/chip:opacity-100 group-focus-visible/chip:visible group-focus-visible/chip:opacity-100 dark:bg-zinc-700"
      >
        <span className="mb-0.5 block font-emoji text-2xl">{reaction.emoji}</span>
        {tip}
      </span>
    </button>
  );
}

export function AddReactionButton({ message, className, label = "Add reaction" }: { message: Message; className?: string; label?: string }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <button
        type="button"
        title={label}
        aria-label={label}
        aria-haspopup="dialog"
        aria-expanded={!!anchor}
        data-testid="add-reaction"
        onClick={(e) => setAnchor(anchor ? null : e.currentTarget)}
        className={className}
      >
        <SmileAddIcon className="size-4" />
      </button>
      {anchor ? (
        <EmojiPicker
          anchor={anchor}
          onClose={() => setAnchor(null)}
          onPick={(native) => {
            setAnchor(null);
            const has = message.reactions?.some((r) => r.emoji === native && r.userIds.includes(useChat.getState().meId ?? ""));
            if (!has) void toggleReaction(message, native);
          }}
        />
      ) : null}
    </>
  );
}

export function Reactions({ message, writable }: { message: Message; writable: boolean }) {
  const meId = useChat((s) => s.meId);
  if (!message.reactions?.length) return null;
  return (
    <div data-testid="reactions" className="mt-1 flex flex-wrap items-center gap-1">
      {message.reactions.map((r) => (
        <Chip key={r.emoji} message={message} reaction={r} meId={meId} writable={writable} />
      ))}
      {writable ? (
        <AddReactionButton
          message={message}
          className="inline-flex h-7 items-center rounded-lg px-2 text-zinc-500 opacity-0 ring-1 ring-inset ring-transparent transition-opacity hover:bg-zinc-100 hover:text-zinc-700 focus:opacity-100 group-hover/row:opacity-100 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        />
      ) : null}
    </div>
  );
}
