/**
 * What a group call's picture-in-picture window shows: the featured person's picture — the
 * one pinned, else a shared screen, else whoever speaks (and, in a silence, who spoke last),
 * else the first with a camera on. The window plays one <video> of the call view whose stream
 * follows this, so it switches as the featured person changes without being closed and
 * reopened (the browser lets only a click open it).
 */
import { useRef } from "react";
import { useCall } from "../../state/call";
import type { ParticipantView } from "../../rtc/participant";
import { hasLiveVideo } from "./CallTiles";

function pictureOf(p: ParticipantView | undefined): MediaStream | null {
  if (!p) return null;
  if (p.screen && hasLiveVideo(p.screen)) return p.screen;
  return p.media.video && hasLiveVideo(p.stream) ? p.stream : null;
}

export function usePipStream(): MediaStream | null {
  const lastSpeaker = useRef<string | null>(null);
  return useCall((s) => {
    const ids = Object.keys(s.participants);
    const speaking = ids.find((id) => s.participants[id]!.speaking || s.roster[id]?.speaking);
    if (speaking) lastSpeaker.current = speaking;
    const sharer = ids.find((id) => s.participants[id]!.screen);
    const order = [s.pinned, sharer, speaking, lastSpeaker.current, ...ids];
    for (const id of order) {
      const picture = id ? pictureOf(s.participants[id]) : null;
      if (picture) return picture;
    }
    return null;
  });
}
