/**
 * One person's tile in a group call: their camera (or avatar), name, mute and raised hand, link
 * quality, a ring while they speak, their reactions floating up, and a pin button. "self" is us.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { useCall } from "../../state/call";
import { tileDrawn } from "../../state/callLayers";
import { useChat } from "../../state/chat";
import { useGuest } from "../../state/guestSession";
import { useSession } from "../../state/session";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { HandIcon, PinIcon } from "./callIcons";
import { NameTag, hasLiveVideo } from "./CallTiles";
import { QualityIndicator } from "./QualityIndicator";
import { StreamVideo } from "./StreamVideo";
import { useTileLayer } from "./useTileLayer";

/**
 * A participant's name and picture: the call's roster, else the conversation's members. Ours is
 * named "You", its avatar drawn from our own name (`avatarName`, `seed`), as everyone else sees it.
 */
export function usePerson(id: string): { name: string; avatarUrl: string | null; avatarName: string; seed: string | undefined } {
  const entry = useCall((s) => s.roster[id]);
  const peer = useCall((s) => (s.peer?.id === id ? s.peer : null));
  const member = useChat((s) => {
    const conv = s.conversations[useCall.getState().conversationId ?? ""];
    return conv?.members.find((m) => m.id === id) ?? null;
  });
  const me = useSession((s) => s.user);
  const guest = useGuest((s) => s.guest);
  const user = peer ?? member;
  // Our own tile says "You" but shows our picture, like everyone else's.
  if (id === "self") return { name: "You", avatarUrl: me?.avatarUrl ?? null, avatarName: me?.displayName ?? guest?.name ?? "You", seed: me?.id ?? guest?.id };
  const name = entry?.name ?? user?.displayName ?? "Someone";
  return { name, avatarUrl: entry?.avatarUrl ?? user?.avatarUrl ?? null, avatarName: name, seed: id };
}

/**
 * Whether the <video> given to the returned ref shows a picture yet: a track can be live for a
 * while before its first frame arrives (an SFU link still connecting, a keyframe on its way), and
 * a black tile then looks broken — the avatar stays until the picture comes.
 */
function useHasPicture(): [(el: HTMLVideoElement | null) => void, boolean] {
  const [has, setHas] = useState(false);
  const detach = useRef<() => void>(() => {});
  const ref = useCallback((v: HTMLVideoElement | null) => {
    detach.current();
    detach.current = () => {};
    if (!v) return;
    const check = () => setHas(v.videoWidth > 0);
    const events = ["loadeddata", "resize", "emptied"] as const;
    for (const e of events) v.addEventListener(e, check);
    detach.current = () => events.forEach((e) => v.removeEventListener(e, check));
    check();
  }, []);
  return [ref, has];
}

export function GridTile({ id, compact = false, className }: { id: string; compact?: boolean; className?: string }) {
  const self = id === "self";
  const remote = useCall((s) => (self ? null : (s.participants[id] ?? null)));
  const localStream = useCall((s) => s.localStream);
  const local = useCall((s) => s.local);
  const localSpeaking = useCall((s) => s.localSpeaking);
  const myHand = useCall((s) => s.handRaised);
  const entry = useCall((s) => s.roster[id]);
  const pinned = useCall((s) => s.pinned === id);
  const speaker = useCall((s) => s.devices?.speaker ?? null);
  const reactions = useCall(useShallow((s) => s.reactions.filter((r) => r.from === id)));
  const { name, avatarUrl, avatarName, seed } = usePerson(id);
  const tile = useRef<HTMLDivElement>(null);
  useTileLayer(id, tile);

  const stream = self ? localStream : (remote?.stream ?? null);
  const media = self ? local : (remote?.media ?? { audio: false, video: false, screen: false });
  const speaking = self ? localSpeaking : !!(remote?.speaking || entry?.speaking);
  const hand = self ? myHand : !!entry?.handRaised;
  const lost = !!remote?.lost;
  const showVideo = media.video && hasLiveVideo(stream);
  const [videoRef, hasPicture] = useHasPicture();
  const avatar = <Avatar name={avatarName} seed={seed} src={avatarUrl} size={compact ? "md" : "lg"} />;

  return (
    <div
      ref={tile}
      data-testid="call-tile"
      data-participant={id}
      data-speaking={speaking || undefined}
      className={cn(
        "group/tile relative overflow-hidden rounded-xl bg-zinc-900 ring-1 ring-white/10 transition-shadow",
        speaking && "ring-[3px] ring-emerald-400",
        className,
      )}
    >
      {/* Always mounted for others: it also plays their audio when their camera is off. */}
      <StreamVideo
        stream={stream}
        muted={self}
        mirror={self}
        sinkId={self ? null : speaker}
        testId={self ? "local-video" : "remote-video"}
        fit="cover"
        videoRef={videoRef}
        className={cn(!(showVideo && hasPicture) && "invisible")}
      />
      {!showVideo ? (
        <div role="img" aria-label={`${self ? "Your" : `${name}'s`} camera is off`} className="absolute inset-0 flex items-center justify-center">
          {avatar}
        </div>
      ) : !hasPicture ? (
        <div data-testid="tile-waiting-picture" aria-hidden="true" className="absolute inset-0 flex items-center justify-center">
          {avatar}
        </div>
      ) : null}
      <NameTag name={name} muted={!media.audio} mutedLabel={self ? "Your microphone is off" : `${name} is muted`} />
      {hand ? (
        <span role="img" aria-label={`${name} raised a hand`} className="absolute right-2 top-2 rounded-full bg-amber-400 p-1 text-zinc-900 shadow">
          <HandIcon className="size-4" />
        </span>
      ) : null}
      {remote && !compact ? <QualityIndicator link={remote.quality?.inbound ?? null} relayed={remote.quality?.relayed ?? false} label={`${name}'s`} className="absolute left-2 top-2" /> : null}
      {lost ? (
        <div role="status" className="absolute inset-0 flex items-center justify-center bg-zinc-950/70 text-xs font-medium">
          Reconnecting…
        </div>
      ) : null}
      <div aria-hidden="true" className="pointer-events-none absolute inset-x-0 bottom-8 flex justify-center">
        {reactions.map((r) => (
          <span key={r.key} data-testid="reaction" className="animate-float-up absolute text-4xl">
            {r.emoji}
          </span>
        ))}
      </div>
      <button
        type="button"
        aria-label={pinned ? `Unpin ${name}` : `Pin ${name}`}
        aria-pressed={pinned}
        onClick={() => useCall.setState({ pinned: pinned ? null : id })}
        className={cn(
          "absolute bottom-2 right-2 rounded-md bg-black/50 p-1.5 text-white backdrop-blur transition-opacity hover:bg-black/70 focus-visible:opacity-100",
          pinned ? "opacity-100" : "opacity-0 group-hover/tile:opacity-100",
        )}
      >
        <PinIcon className="size-4" />
      </button>
    </div>
  );
}

/**
 * Plays the voice of someone whose tile is on another grid page (a tile plays it otherwise), and
 * says their camera is not shown: the SFU then forwards none of it to us until a tile is drawn.
 */
export function OffPageAudio({ id }: { id: string }) {
  const stream = useCall((s) => s.participants[id]?.stream ?? null);
  const speaker = useCall((s) => s.devices?.speaker ?? null);
  const audio = useRef<HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }>(null);
  useEffect(() => tileDrawn(id, null), [id]);
  useEffect(() => {
    const el = audio.current;
    if (!el) return;
    el.srcObject = stream ? new MediaStream(stream.getAudioTracks()) : null;
    if (stream) void el.play().catch(() => {});
  }, [stream]);
  useEffect(() => {
    if (speaker && audio.current?.setSinkId) void audio.current.setSinkId(speaker).catch(() => {});
  }, [speaker]);
  return <audio ref={audio} autoPlay data-testid="off-page-audio" />;
}
