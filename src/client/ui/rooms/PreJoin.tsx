/**
 * The pre-join screen of a meeting: a live camera preview with microphone, camera and device
 * controls, the room's name and who is in it, and a join panel (`children`: the signed-in
 * "Join now", or a guest's name and join) — see /tmp/calls-notes/rooms-ui.md.
 */
import { useEffect, type ReactNode } from "react";
import type { RoomPreview } from "../../../shared/calls";
import { useCall } from "../../state/call";
import {
  closePreview,
  openPreview,
  pickPreviewDevice,
  pickPreviewSpeaker,
  setPreviewCamera,
  setPreviewMic,
  usePreJoin,
} from "../../state/preJoin";
import { Alert } from "../common/Alert";
import { Avatar } from "../common/Avatar";
import { Spinner } from "../common/icons";
import { MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from "../call/callIcons";
import { DeviceMenu, type DevicePick } from "../call/DevicesMenu";
import { RoundButton } from "../call/RoundButton";
import { StreamVideo } from "../call/StreamVideo";

export function PreJoin({ room, selfName, selfSeed, selfAvatar, children }: {
  room: RoomPreview;
  /** The name shown on the preview (the user's, or a guest's as typed). */
  selfName: string;
  selfSeed?: string;
  selfAvatar?: string | null;
  /** The join panel. */
  children: ReactNode;
}) {
  // Turned away from the lobby, the camera was let go: back here, the preview opens it again —
  // not when let in: the call has the preview's camera while it joins (this screen still shows).
  const knocking = useCall((s) => s.lobby !== null);
  const joining = usePreJoin((s) => s.joining);
  useEffect(() => {
    if (!knocking && !joining) void openPreview();
  }, [knocking, joining]);
  useEffect(() => closePreview, []);

  return (
    <div className="mx-auto grid w-full max-w-6xl items-center gap-6 px-4 py-6 sm:px-8 lg:min-h-[calc(100dvh-3.5rem)] lg:grid-cols-[minmax(0,1.6fr)_minmax(18rem,1fr)] lg:gap-12">
      <Preview name={selfName} seed={selfSeed} avatar={selfAvatar} />
      <section aria-labelledby="prejoin-title" className="flex flex-col items-center gap-5 text-center lg:items-start lg:text-left">
        <div>
          <h2 id="prejoin-title" data-testid="prejoin-room-name" className="text-2xl font-semibold tracking-tight text-zinc-900 sm:text-3xl dark:text-white">
            <bdi>{room.name}</bdi>
          </h2>
          <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">
            Hosted by <bdi className="font-medium text-zinc-700 dark:text-zinc-300">{room.host.displayName}</bdi>
          </p>
          <p data-testid="prejoin-live" className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            {room.live === 0 ? "No one else is here yet" : room.live === 1 ? "1 person is in this meeting" : `${room.live} people are in this meeting`}
          </p>
        </div>
        {children}
      </section>
    </div>
  );
}

function Preview({ name, seed, avatar }: { name: string; seed?: string; avatar?: string | null }) {
  const { status, stream, mic, camera, devices, error } = usePreJoin();
  const onPick = (kind: DevicePick, id: string) => (kind === "speaker" ? pickPreviewSpeaker(id) : void pickPreviewDevice(kind, id));
  const showVideo = camera && status === "ready" && !!stream?.getVideoTracks().length;
  return (
    <div className="flex flex-col gap-3">
      {/* No overflow-hidden here: it would clip the Devices menu, which opens upward from the bottom bar; the picture and the bar round their own corners. */}
      <div className="relative aspect-[4/3] rounded-2xl bg-zinc-900 shadow-lg ring-1 ring-zinc-900/10 sm:aspect-video dark:ring-white/10">
        {showVideo ? (
          <StreamVideo stream={stream} muted mirror testId="prejoin-preview" className="absolute inset-0 size-full rounded-2xl" />
        ) : (
          <div className="absolute inset-0 flex flex-col items-center justify-center gap-3 text-zinc-300">
            {status === "opening" ? (
              <>
                <Spinner className="size-6" />
                <p className="text-sm">Starting camera…</p>
              </>
            ) : (
              <>
                <Avatar name={name || "?"} seed={seed} src={avatar} size="xl" />
                <p data-testid="prejoin-camera-off" className="text-sm">
                  {camera ? "No camera" : "Camera is off"}
                </p>
              </>
            )}
          </div>
        )}
        <p className="absolute left-3 top-3 max-w-[70%] truncate rounded-md bg-black/45 px-2 py-1 text-sm font-medium text-white">
          <bdi>{name || "You"}</bdi>
        </p>
        <div role="group" aria-label="Microphone and camera" className="absolute inset-x-0 bottom-0 flex items-center justify-center gap-3 rounded-b-2xl bg-linear-to-t from-black/60 to-transparent p-3 pt-10">
          <RoundButton label={mic ? "Turn off microphone" : "Turn on microphone"} tone={mic ? "neutral" : "off"} onClick={() => setPreviewMic(!mic)}>
            {mic ? <MicIcon /> : <MicOffIcon />}
          </RoundButton>
          <RoundButton label={camera ? "Turn off camera" : "Turn on camera"} tone={camera ? "neutral" : "off"} onClick={() => void setPreviewCamera(!camera)}>
            {camera ? <VideoIcon /> : <VideoOffIcon />}
          </RoundButton>
          <DeviceMenu devices={devices} onPick={onPick} />
        </div>
      </div>
      {error ? <Alert>{error}</Alert> : null}
    </div>
  );
}
