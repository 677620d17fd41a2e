/**
 * What a group call's picture-in-picture window shows: the featured person's picture — the
 * one pinned, else a shared screen, else whoever speaks (and, in a silence, who spoke last),
 * else the first with a camera on. The window plays one <video> of the call view whose stream
 * follows this, so it switches as the featured person changes without being closed and
 * reopened (the browser lets only a click open it). While it is open, the camera it plays is
 * received as if its tile were drawn at the window's size: the featured person may be on
 * another grid page, whose cameras the SFU otherwise does not send us.
 */
import { useEffect, useRef, useState, type RefObject } from "react";
import { useCall } from "../../state/call";
import { pipDrawn } from "../../state/callLayers";
import type { ParticipantView } from "../../rtc/participant";
import { hasLiveVideo } from "./CallTiles";

type Source = "camera" | "screen";

export interface PipPicture {
  id: string;
  source: Source;
  stream: MediaStream | null;
}

function pictureOf(p: ParticipantView | undefined): Source | null {
  if (!p) return null;
  if (p.screen && hasLiveVideo(p.screen)) return "screen";
  return p.media.video && hasLiveVideo(p.stream) ? "camera" : null;
}

export function usePipPicture(): PipPicture | null {
  const lastSpeaker = useRef<string | null>(null);
  // "source:id", a string so that the store's subscription compares it by value.
  const featured = useCall((s) => {
    const ids = Object.keys(s.participants);
    const speaking = ids.find((id) => s.participants[id]!.speaking || s.roster[id]?.speaking);
    if (speaking) lastSpeaker.current = speaking;
    const sharer = ids.find((id) => s.participants[id]!.screen);
    const order = [s.pinned, sharer, speaking, lastSpeaker.current, ...ids];
    for (const id of order) {
      const source = id ? pictureOf(s.participants[id]) : null;
      if (source) return `${source}:${id}`;
    }
    return null;
  });
  const colon = featured?.indexOf(":") ?? -1;
  const source = featured ? (featured.slice(0, colon) as Source) : null;
  const id = featured ? featured.slice(colon + 1) : null;
  const stream = useCall((s) => (id === null ? null : ((source === "screen" ? s.participants[id]?.screen : s.participants[id]?.stream) ?? null)));
  return id === null || source === null ? null : { id, source, stream };
}

/** While `video` plays in the picture-in-picture window, `camera` (whose camera it plays; null: none) is received at the window's size. */
export function usePipLayer(video: RefObject<HTMLVideoElement | null>, camera: string | null): void {
  const [height, setHeight] = useState<number | null>(null);
  useEffect(() => {
    let open: PictureInPictureWindow | null = null;
    const resize = () => setHeight(open?.height ?? 0);
    // Both events bubble: the call view's video may be replaced while it stays mounted.
    const enter = (e: Event) => {
      if (e.target !== video.current) return;
      open?.removeEventListener("resize", resize);
      open = (e as PictureInPictureEvent).pictureInPictureWindow;
      open.addEventListener("resize", resize);
      resize();
    };
    const leave = () => {
      open?.removeEventListener("resize", resize);
      open = null;
      setHeight(null);
    };
    document.addEventListener("enterpictureinpicture", enter);
    document.addEventListener("leavepictureinpicture", leave);
    return () => {
      document.removeEventListener("enterpictureinpicture", enter);
      document.removeEventListener("leavepictureinpicture", leave);
      leave();
    };
  }, [video]);
  useEffect(() => pipDrawn(height === null ? null : camera, height ?? 0), [camera, height]);
  useEffect(() => () => pipDrawn(null, 0), []);
}
