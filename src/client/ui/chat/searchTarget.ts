/** The message a search hit or a notification opened, shown in a scrolling list: centred and marked. */
import { useEffect, type RefObject } from "react";
import { useSearch } from "../../state/search";
import { loadOlderReplies } from "../../state/threads";
import type { ThreadHeld } from "../../state/threadModel";

/** Mark `row` as the one asked for (the mark moves from any other in `scroller`) and centre it. */
function showTarget(scroller: HTMLElement, row: HTMLElement): void {
  scroller.querySelectorAll("[data-search-target]").forEach((el) => el.removeAttribute("data-search-target"));
  row.setAttribute("data-search-target", "");
  row.scrollIntoView({ block: "center" });
}

/**
 * One step towards showing message `id` in `scroller`: shown when it is there (`settle(true)`
 * runs just before), else older pages load until none is left (`settle(false)`).
 */
export function seekTarget(scroller: HTMLElement | null, id: string, page: { hasMoreBefore: boolean; loadingOlder: boolean }, loadOlder: () => void, settle: (shown: boolean) => void): void {
  const row = scroller?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);
  if (row && scroller) {
    settle(true);
    showTarget(scroller, row);
  } else if (!page.hasMoreBefore) settle(false);
  else if (!page.loadingOlder) loadOlder();
}

/**
 * A thread reply asked for in this thread panel: older replies load until it is held, then it
 * is shown. `onShown` runs just before (the panel stops following the newest reply).
 */
export function useThreadTarget(rootId: string, held: ThreadHeld | undefined, scroller: RefObject<HTMLElement | null>, onShown: () => void): void {
  const target = useSearch((s) => (s.threadFocus?.rootId === rootId ? s.threadFocus.messageId : null));
  const oldestId = held?.replies[0]?.id;
  useEffect(() => {
    if (!target || held?.status !== "ready") return;
    seekTarget(scroller.current, target, held, () => void loadOlderReplies(rootId), (shown) => {
      if (shown) onShown();
      useSearch.setState({ threadFocus: null });
    });
  }, [target, rootId, oldestId, held?.status, held?.loadingOlder, held?.hasMoreBefore]);
}
