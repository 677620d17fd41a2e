/**
 * The pre-join screen's camera and microphone: a live preview, microphone and camera switches,
 * device choice. Joining hands the open media to the call, which then starts with these devices
 * and this mute state (no second getUserMedia, no flash of an unmuted microphone).
 */
import { create } from "zustand";
import type { CallMedia } from "../../shared/protocol";
import { prefetchIceConfig } from "../rtc/ice-config";
import { LocalMedia, type InputKind } from "../rtc/local-media";
import type { DeviceState } from "../rtc/types";
import { currentCall } from "./callController";
import { useSession } from "./session";

export interface PreJoinState {
  status: "off" | "opening" | "ready";
  /** The preview (a new object whenever its tracks change). */
  stream: MediaStream | null;
  /** What the user chose; the call starts with it. */
  mic: boolean;
  camera: boolean;
  devices: DeviceState | null;
  /** A sentence the user can act on (camera blocked, none found…). */
  error: string | null;
  joining: boolean;
}

const OFF: PreJoinState = { status: "off", stream: null, mic: true, camera: true, devices: null, error: null, joining: false };

export const usePreJoin = create<PreJoinState>()(() => ({ ...OFF }));

let media: LocalMedia | null = null;
let speaker: string | null = null;
/** Grows on every open and close, so late answers for an earlier preview are dropped. */
let generation = 0;

async function refresh(): Promise<void> {
  const m = media;
  if (!m) return;
  const devices = await m.deviceState(speaker);
  if (media === m) usePreJoin.setState({ stream: new MediaStream(m.stream.getTracks()), devices });
}

const onDeviceChange = () => void refresh();

/** The preview's camera and microphone opening (a join waits for it, so the call never adopts half-open media). */
let opening: Promise<void> = Promise.resolve();

/** Opens camera and microphone for the preview (once; again after closePreview). */
export function openPreview(): Promise<void> {
  if (media) return opening;
  // Joining must not wait for the ICE servers (a guest's come with their session, later).
  if (useSession.getState().user) prefetchIceConfig();
  const m = new LocalMedia();
  media = m;
  const gen = ++generation;
  usePreJoin.setState({ ...OFF, status: "opening" });
  opening = (async () => {
    const error = await m.open({ audio: true, video: true });
    if (gen !== generation) return m.stop();
    const { mic, camera } = usePreJoin.getState();
    m.setEnabled("audio", mic);
    m.setEnabled("video", camera);
    navigator.mediaDevices?.addEventListener("devicechange", onDeviceChange);
    usePreJoin.setState({ status: "ready", error });
    await refresh();
  })();
  return opening;
}

function release(): LocalMedia | null {
  const m = media;
  media = null;
  generation++;
  navigator.mediaDevices?.removeEventListener("devicechange", onDeviceChange);
  return m;
}

/** Stops the preview's capture (leaving the page). */
export function closePreview(): void {
  release()?.stop();
  usePreJoin.setState({ ...OFF });
}

export function setPreviewMic(on: boolean): void {
  media?.setEnabled("audio", on);
  usePreJoin.setState({ mic: on });
}

export async function setPreviewCamera(on: boolean): Promise<void> {
  usePreJoin.setState({ camera: on });
  // No live camera (it failed to open, or was unplugged): try again.
  if (on && media && media.track("video")?.readyState !== "live") return pickPreviewDevice("videoinput", media.deviceId("videoinput") ?? undefined);
  media?.setEnabled("video", on);
}

/** Another camera or microphone for the preview (and so for the call). */
export async function pickPreviewDevice(kind: InputKind, deviceId?: string): Promise<void> {
  const m = media;
  if (!m) return;
  try {
    const { previous, next } = await m.replace(kind, deviceId);
    previous?.stop();
    next.enabled = kind === "videoinput" ? usePreJoin.getState().camera : usePreJoin.getState().mic;
    usePreJoin.setState({ error: null });
  } catch (err) {
    usePreJoin.setState({ error: err instanceof Error ? err.message : String(err) });
  }
  await refresh();
}

/** The speaker takes effect in the call (the preview plays no sound). */
export function pickPreviewSpeaker(deviceId: string): void {
  speaker = deviceId;
  void refresh();
}

/**
 * Joins through `join` (the signed-in path: joinCall on the room's conversation; a guest path
 * may bring its own), handing over the open media. True when joined; otherwise the preview stays.
 */
export async function joinWithPreview(join: (media: CallMedia, local: LocalMedia | undefined) => Promise<boolean>): Promise<boolean> {
  const { mic, camera, joining } = usePreJoin.getState();
  if (joining) return false;
  usePreJoin.setState({ joining: true });
  // Joining while the camera is still starting: taken now, the preview would stop it once open.
  await opening;
  // Handed over before the call starts: the page may close the preview as the call view opens.
  const m = media;
  media = null;
  const ok = await join({ audio: mic, video: camera }, m ?? undefined);
  if (ok) {
    release();
    usePreJoin.setState({ ...OFF });
    if (speaker) currentCall()?.local.setSpeaker(speaker);
    return true;
  }
  // Still on the pre-join screen: the preview goes on; it was closed meanwhile: nobody needs it.
  if (usePreJoin.getState().status !== "off" && !media) media = m;
  else m?.stop();
  usePreJoin.setState({ joining: false });
  return false;
}
