/**
 * Native drag and drop within one channel group: rows carry `data-channel-row`, the list takes
 * the drop. The drag's data type names the group, so a text channel is never dropped among
 * voice channels (nor anything dragged in from elsewhere).
 */
import { useState, type DragEvent } from "react";
import type { Channel } from "../../../shared/protocol";

export interface DropTarget {
  id: string;
  edge: "before" | "after";
}

/** Where `dragged` lands among `ids` when dropped at `target`. */
export function dropIndex(ids: string[], dragged: string, target: DropTarget): number {
  if (target.id === dragged) return ids.indexOf(dragged);
  const i = ids.filter((x) => x !== dragged).indexOf(target.id);
  return target.edge === "before" ? i : i + 1;
}

export function useChannelDrag(kind: Channel["kind"], ids: string[], onMove: (id: string, toIndex: number) => void) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [target, setTarget] = useState<DropTarget | null>(null);
  const type = `application/x-parley-${kind}-channel`;

  const end = () => {
    setDragging(null);
    setTarget(null);
  };

  const rowProps = (id: string) => ({
    draggable: true,
    onDragStart(e: DragEvent<HTMLElement>) {
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData(type, id);
      setDragging(id);
    },
    onDragEnd: end,
  });

  const listProps = {
    onDragOver(e: DragEvent<HTMLElement>) {
      if (!dragging || !e.dataTransfer.types.includes(type)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      const row = (e.target as Element).closest<HTMLElement>("[data-channel-row]");
      if (!row) return;
      const box = row.getBoundingClientRect();
      const next: DropTarget = { id: row.dataset.channelRow!, edge: e.clientY < box.top + box.height / 2 ? "before" : "after" };
      // Dropping where the channel already is changes nothing: show no line there.
      const moves = dropIndex(ids, dragging, next) !== ids.indexOf(dragging);
      setTarget((t) => (!moves ? null : t?.id === next.id && t.edge === next.edge ? t : next));
    },
    onDragLeave(e: DragEvent<HTMLElement>) {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setTarget(null);
    },
    onDrop(e: DragEvent<HTMLElement>) {
      if (!dragging) return;
      e.preventDefault();
      if (target) onMove(dragging, dropIndex(ids, dragging, target));
      end();
    },
  };

  return { dragging, target, rowProps, listProps };
}
