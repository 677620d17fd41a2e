/** Read while looking: run `mark` now, whenever `deps` change, and when the window regains focus or becomes visible — only while it is visible and focused. */
import { useEffect, type DependencyList } from "react";

export function useReadWhileLooking(mark: () => void, deps: DependencyList): void {
  useEffect(() => {
    const look = () => {
      if (!document.hidden && document.hasFocus()) mark();
    };
    look();
    window.addEventListener("focus", look);
    document.addEventListener("visibilitychange", look);
    return () => {
      window.removeEventListener("focus", look);
      document.removeEventListener("visibilitychange", look);
    };
    // `mark` is a fresh closure each render: `deps` say when looking again matters.
  }, deps);
}
