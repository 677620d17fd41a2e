/**
 * One group of a space's channels (text or voice). Who may manage channels reorders them here:
 * by dragging a row within its group, or with Alt+↑/↓ on a focused channel.
 */
import { useState, type KeyboardEvent } from "react";
import { can } from "../../../shared/permissions";
import type { Channel, Space } from "../../../shared/protocol";
import { sortedChannels } from "../../state/spaces";
import { moveChannel } from "../../state/spacesOrder";
import { useSpacesUi } from "../../state/spacesUi";
import { cn } from "../common/cn";
import { TextChannelItem, VoiceChannelItem } from "./ChannelItems";
import { GearIcon, GripIcon, PlusIcon } from "./spaceIcons";
import { useChannelDrag } from "./useChannelDrag";

export function ChannelSection({ space, kind, title, onNavigate }: { space: Space; kind: Channel["kind"]; title: string; onNavigate?: () => void }) {
  const open = useSpacesUi((s) => s.open);
  const channels = sortedChannels(space, kind);
  const ids = channels.map((c) => c.id);
  const manage = can(space.role, "manageChannels");
  const [announcement, setAnnouncement] = useState("");
  const move = (id: string, toIndex: number) => {
    const at = moveChannel(space.id, id, toIndex);
    if (at !== null) setAnnouncement(`${channels.find((c) => c.id === id)?.name} moved to position ${at + 1} of ${ids.length}`);
  };
  const drag = useChannelDrag(kind, ids, move);
  if (!channels.length && !manage) return null;

  function onKeyDown(e: KeyboardEvent<HTMLElement>, id: string) {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    const focused = e.target as HTMLElement;
    move(id, ids.indexOf(id) + (e.key === "ArrowUp" ? -1 : 1));
    // The row's element is moved in the document, which drops focus: give it back.
    requestAnimationFrame(() => focused.isConnected && focused.focus());
  }

  return (
    <section aria-label={title} className="mt-4">
      <div className="flex items-center justify-between pl-2 pr-1">
        <h2 className="text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">{title}</h2>
        {manage ? (
          <button
            type="button"
            aria-label={`Create ${kind} channel`}
            title={`Create ${kind} channel`}
            onClick={() => open({ kind: "createChannel", spaceId: space.id, channelKind: kind })}
            className="rounded p-0.5 text-zinc-500 hover:bg-zinc-200/70 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <PlusIcon className="size-4" />
          </button>
        ) : null}
      </div>
      <ul className="mt-1 flex flex-col gap-0.5" data-testid={`${kind}-channels`} {...(manage ? drag.listProps : {})}>
        {channels.map((c) => (
          <li
            key={c.id}
            data-channel-row={c.id}
            className={cn("group/ch relative", manage && "select-none", drag.dragging === c.id && "opacity-40")}
            {...(manage ? { ...drag.rowProps(c.id), onKeyDown: (e: KeyboardEvent<HTMLElement>) => onKeyDown(e, c.id) } : {})}
          >
            {kind === "text" ? <TextChannelItem space={space} channel={c} reorderable={manage} onNavigate={onNavigate} /> : <VoiceChannelItem space={space} channel={c} reorderable={manage} />}
            {manage ? (
              <>
                <span
                  aria-hidden="true"
                  title="Drag to reorder (or Alt+↑/↓)"
                  data-testid="channel-drag-handle"
                  className="absolute right-6.5 top-[1.125rem] -translate-y-1/2 cursor-grab text-zinc-400 opacity-0 transition-opacity group-hover/ch:opacity-100 group-focus-within/ch:opacity-100 pointer-coarse:hidden dark:text-zinc-500"
                >
                  <GripIcon className="size-3.5" />
                </span>
                <button
                  type="button"
                  aria-label={`Edit ${c.name}`}
                  title="Edit channel"
                  onClick={() => open({ kind: "editChannel", spaceId: space.id, channelId: c.id })}
                  className="absolute right-1 top-[1.125rem] -translate-y-1/2 rounded p-1 text-zinc-500 opacity-0 transition-opacity hover:bg-zinc-300/60 hover:text-zinc-900 focus:opacity-100 group-hover/ch:opacity-100 pointer-coarse:opacity-100 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-white"
                >
                  <GearIcon className="size-3.5" />
                </button>
              </>
            ) : null}
            {drag.target?.id === c.id ? (
              <span
                aria-hidden="true"
                data-testid="drop-indicator"
                className={cn(
                  "pointer-events-none absolute inset-x-1 h-0.5 rounded-full bg-brand-500 before:absolute before:-left-1 before:-top-[3px] before:size-2 before:rounded-full before:border-2 before:border-brand-500 before:bg-zinc-50 dark:before:bg-zinc-900",
                  drag.target.edge === "before" ? "-top-0.5" : "-bottom-0.5",
                )}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {manage ? (
        <p aria-live="polite" className="sr-only">
          {announcement}
        </p>
      ) : null}
    </section>
  );
}
