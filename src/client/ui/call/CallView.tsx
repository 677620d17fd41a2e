/**
 * The active call, full screen on a dark surface. With one other person: them (or their screen
 * share) large and our camera in a corner; with more (or a pinned tile): the grid. The control
 * bar, duration, recording and connection state, chat and participants panels around it.
 */
import { useEffect, useRef, useState } from "react";
import { useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { trapTab } from "../common/focus";
import { CloseIcon, SpeakerIcon, Spinner } from "../common/icons";
import { DownloadIcon } from "./callIcons";
import { CallChatPanel } from "./CallChatPanel";
import { CallControls } from "./CallControls";
import { CallGrid } from "./CallGrid";
import { LobbyPrompt } from "./LobbyPrompt";
import { ParticipantsPanel } from "./ParticipantsPanel";
import { unmuteAsAsked } from "../../state/callHost";
import { RemoteTile, SelfTile } from "./CallTiles";
import { StreamVideo, formatBytes, formatDuration } from "./StreamVideo";
import { usePipLayer, usePipPicture } from "./usePipStream";
import { useScopeName } from "./useScopeName";

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function CallView() {
  const peer = useCall((s) => s.peer);
  const acceptedAt = useCall((s) => s.acceptedAt);
  const engine = useCall((s) => s.engine);
  // A 1:1 call: the one other participant.
  const other = useCall((s) => Object.values(s.participants)[0]);
  // A group call (a room, a channel, a group DM) is a grid even with two people: names come from its roster.
  const groupKind = useCall((s) => s.callKind !== null && s.callKind !== "dm");
  const group = useCall((s) => Object.keys(s.participants).length !== 1 || s.pinned !== null) || groupKind;
  const count = useCall((s) => Object.keys(s.participants).length + 1);
  const peopleOpen = useCall((s) => s.peopleOpen);
  const reconnecting = other?.away ?? false;
  const remoteScreen = other?.screen ?? null;
  const localScreen = useCall((s) => s.localScreen);
  const chatOpen = useCall((s) => s.chatOpen);
  const recording = useCall((s) => s.recording);
  const notice = useCall((s) => s.notice);
  const askedToUnmute = useCall((s) => s.askedToUnmute);
  const now = useNow(1000);
  const root = useRef<HTMLElement>(null);
  // 1:1: the other person's video. A group: a video kept out of sight, playing who is featured (usePipStream.ts).
  const remoteVideo = useRef<HTMLVideoElement | null>(null);
  const pip = usePipPicture();
  usePipLayer(remoteVideo, group && pip?.source === "camera" ? pip.id : null);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const scopeName = useScopeName(useCall((s) => s.conversationId));
  const headcount = count === 1 ? "Just you" : `${count} people`;
  const name = group ? (scopeName ?? headcount) : (peer?.displayName ?? "");

  useEffect(() => root.current?.focus(), []);

  const pipAvailable = typeof document !== "undefined" && document.pictureInPictureEnabled === true;
  const togglePip = () => {
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
    else void remoteVideo.current?.requestPictureInPicture().catch(() => {});
  };
  const enableSound = () => {
    const v = remoteVideo.current;
    if (v) {
      v.muted = false;
      void v.play().catch(() => {});
    }
    setSoundBlocked(false);
  };

  const connected = engine === "connected";
  const lost = engine === "reconnecting";

  return (
    <section
      ref={root}
      tabIndex={-1}
      role="dialog"
      aria-modal="true"
      aria-label={`Call with ${name}`}
      onKeyDown={(e) => root.current && trapTab(e, root.current)}
      className="fixed inset-0 z-40 flex flex-col bg-zinc-950 text-white focus:outline-none"
    >
      <header className="flex h-14 shrink-0 items-center gap-3 px-3 sm:px-5">
        <Avatar name={name || "?"} seed={peer?.id} src={peer?.avatarUrl} size="sm" />
        <div className="min-w-0">
          <h2 className="truncate text-sm font-semibold">{name}</h2>
          <p className="text-xs tabular-nums text-zinc-400">
            {group && scopeName ? <span data-testid="call-headcount">{headcount} · </span> : null}
            <span data-testid="call-duration">{acceptedAt ? formatDuration(now - acceptedAt) : "0:00"}</span>
            {connected ? null : lost ? " · Reconnecting…" : group && count === 1 ? " · Waiting for others" : " · Connecting…"}
          </p>
        </div>
        {/* In the header, not over the stage, where it would cover the top of a tile (its link quality). */}
        <div className="ml-auto flex shrink-0 items-center gap-2">
          {localScreen ? (
            <span data-testid="sharing-indicator" role="status" className="rounded-full bg-brand-600/90 px-3 py-1 text-xs font-medium shadow">
              You're sharing your screen
            </span>
          ) : null}
          {recording.status === "recording" ? (
            <span data-testid="recording-indicator" role="status" className="flex items-center gap-1.5 rounded-full bg-red-600 px-2.5 py-1 text-xs font-bold tracking-wide">
              <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-white" />
              REC <span className="font-medium tabular-nums">{formatDuration(now - recording.since)}</span>
              <span className="sr-only">This call is being recorded on this device</span>
            </span>
          ) : null}
        </div>
      </header>

      <div className="relative flex min-h-0 flex-1 gap-3 px-2 sm:px-4">
        <div className={cn("relative min-w-0 flex-1 overflow-hidden rounded-2xl", !group && "bg-zinc-900")}>
          {group ? (
            <>
              <CallGrid />
              <div aria-hidden="true" data-pip-of={pip?.id} className="pointer-events-none absolute left-0 top-0 size-px overflow-hidden opacity-0">
                <StreamVideo stream={pip?.stream ?? null} muted testId="pip-video" videoRef={remoteVideo} />
              </div>
            </>
          ) : remoteScreen ? (
            <>
              <StreamVideo stream={remoteScreen} muted fit="contain" testId="screen-video" className="bg-black" />
              <RemoteTile participant={other!} user={peer} compact videoRef={remoteVideo} onAutoplayBlocked={() => setSoundBlocked(true)} className="absolute left-3 top-3 aspect-video w-32 rounded-xl shadow-lg ring-1 ring-white/15 sm:w-56" />
            </>
          ) : (
            other ? <RemoteTile participant={other} user={peer} videoRef={remoteVideo} onAutoplayBlocked={() => setSoundBlocked(true)} className="absolute inset-0" /> : null
          )}
          {group ? null : <SelfTile quality={other?.quality ?? null} className="absolute bottom-3 right-3 aspect-[3/4] w-24 sm:aspect-video sm:w-60" />}

          <div className="absolute inset-x-0 top-3 flex flex-col items-center gap-2 px-14">
            {soundBlocked ? (
              <button type="button" onClick={enableSound} className="flex items-center gap-1.5 rounded-full bg-white px-3 py-1.5 text-xs font-semibold text-zinc-900 shadow">
                <SpeakerIcon className="size-4" /> Turn on sound
              </button>
            ) : null}
            <LobbyPrompt />
            {askedToUnmute ? (
              <p role="alert" className="flex max-w-md items-center gap-2 rounded-xl bg-zinc-800/95 py-1.5 pl-3 pr-1.5 text-xs shadow ring-1 ring-white/10">
                The host asks you to unmute
                <button type="button" onClick={unmuteAsAsked} className="rounded-md bg-brand-500 px-2 py-1 font-semibold text-white hover:bg-brand-400">
                  Unmute
                </button>
                <button type="button" aria-label="Stay muted" onClick={() => useCall.setState({ askedToUnmute: false })} className="rounded p-1 text-zinc-400 hover:text-white">
                  <CloseIcon className="size-3.5" />
                </button>
              </p>
            ) : null}
            {notice ? (
              <p role="alert" className="flex max-w-md items-center gap-2 rounded-xl bg-zinc-800/95 py-1.5 pl-3 pr-1.5 text-xs shadow ring-1 ring-white/10">
                {notice}
                <button type="button" aria-label="Dismiss" onClick={() => useCall.setState({ notice: null })} className="rounded p-1 text-zinc-400 hover:text-white">
                  <CloseIcon className="size-3.5" />
                </button>
              </p>
            ) : null}
            {recording.status === "done" ? (
              <a
                href={recording.url}
                download={recording.fileName}
                data-testid="recording-download"
                className="flex items-center gap-1.5 rounded-full bg-zinc-800/95 px-3 py-1.5 text-xs font-medium shadow ring-1 ring-white/10 hover:bg-zinc-700"
              >
                <DownloadIcon className="size-4" /> Download recording ({formatBytes(recording.size)})
              </a>
            ) : null}
          </div>

          {lost && acceptedAt ? (
            <div role="status" className="absolute inset-0 flex flex-col items-center justify-center gap-3 bg-zinc-950/75 backdrop-blur-sm">
              <Spinner className="size-6" />
              <p className="text-sm font-medium">Reconnecting…</p>
              {reconnecting ? <p className="text-xs text-zinc-400">{name} lost connection</p> : null}
            </div>
          ) : null}
        </div>
        {chatOpen ? <CallChatPanel onClose={() => useCall.setState({ chatOpen: false })} /> : null}
        {peopleOpen && !chatOpen ? <ParticipantsPanel onClose={() => useCall.setState({ peopleOpen: false })} /> : null}
      </div>

      <footer className={cn("shrink-0 py-3 sm:py-4", "pb-[max(0.75rem,env(safe-area-inset-bottom))]")}>
        {engine !== "idle" ? <CallControls onPip={togglePip} pipAvailable={pipAvailable} /> : null}
      </footer>
    </section>
  );
}
