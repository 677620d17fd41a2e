/** Reports a remote tile's drawn height (and its removal) so the SFU sends a camera layer that fits it. */
import { useEffect, type RefObject } from "react";
import { tileDrawn } from "../../state/callLayers";

export function useTileLayer(id: string, ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = ref.current;
    if (id === "self" || !el) return;
    const observer = new ResizeObserver(([entry]) => tileDrawn(id, entry?.contentRect.height ?? null));
    observer.observe(el);
    return () => {
      observer.disconnect();
      tileDrawn(id, null);
    };
  }, [id, ref]);
}
