/** Raise or lower a hand, or send an emoji that floats over our tile on everyone's screen. */
import { react, setHand, useCall } from "../../state/call";
import { HandIcon, SmileIcon } from "./callIcons";
import { RoundButton } from "./RoundButton";
import { usePopover } from "./usePopover";

export const REACTIONS = ["👍", "👏", "😂", "❤️", "🎉", "😮"] as const;

export function ReactionsMenu() {
  const { open, setOpen, root } = usePopover();
  const hand = useCall((s) => s.handRaised);

  return (
    <div ref={root} className="relative" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <RoundButton label="Reactions" tone={hand ? "active" : "neutral"} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <SmileIcon />
      </RoundButton>
      {open ? (
        <div
          role="menu"
          aria-label="Reactions"
          className="absolute bottom-full left-1/2 z-30 mb-3 flex -translate-x-1/2 animate-pop items-center gap-1 rounded-2xl bg-zinc-900 p-1.5 shadow-2xl ring-1 ring-white/10"
        >
          <button
            type="button"
            role="menuitemcheckbox"
            aria-checked={hand}
            onClick={() => {
              void setHand(!hand);
              setOpen(false);
            }}
            className="flex items-center gap-1.5 whitespace-nowrap rounded-xl px-2.5 py-2 text-sm hover:bg-white/10"
          >
            <HandIcon className="size-5 text-amber-400" /> {hand ? "Lower hand" : "Raise hand"}
          </button>
          <span aria-hidden="true" className="mx-0.5 h-6 w-px bg-white/10" />
          {REACTIONS.map((emoji) => (
            <button key={emoji} type="button" role="menuitem" aria-label={`React with ${emoji}`} onClick={() => void react(emoji)} className="rounded-xl p-1.5 text-2xl leading-none hover:bg-white/10">
              {emoji}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
