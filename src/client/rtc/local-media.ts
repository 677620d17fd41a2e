/**
 * The user's own camera and microphone for a call: opening them, muting (track.enabled, so
 * the peer connection never has to renegotiate), swapping a device for another, and listing
 * what devices exist. Knows nothing about peers; the session moves tracks onto senders.
 */
import type { CallMedia } from "../../shared/protocol";
import type { DeviceState } from "./types";

export type InputKind = "audioinput" | "videoinput";

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface DeviceLists {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  speakers: DeviceOption[];
}

/**
 * 360p: the encoder starts near 200 kbit/s and would scale 720p down anyway; capturing at the
 * size it can send cut accept → first remote frame from ~420 ms to ~290 ms (bench/call-setup.ts).
 */
const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };
const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** A sentence the user can act on, for a getUserMedia / getDisplayMedia failure. */
export function describeMediaError(err: unknown, what = "camera or microphone"): string {
  const name = err instanceof DOMException ? err.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return `Access to your ${what} was blocked. Allow it in the browser's site settings.`;
  if (name === "NotFoundError" || name === "OverconstrainedError") return `No ${what} was found.`;
  if (name === "NotReadableError" || name === "AbortError") return `Your ${what} is busy in another app.`;
  return `Could not start your ${what}.`;
}

export class LocalMedia {
  /** The one stream shown in the self view; its tracks change, the object does not. */
  readonly stream = new MediaStream();

  /** Opens what the call asks for; on failure falls back to less (audio only, then nothing). */
  async open(media: CallMedia): Promise<string | null> {
    if (!media.audio && !media.video) return null;
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: media.audio && AUDIO, video: media.video && VIDEO });
      s.getTracks().forEach((t) => this.stream.addTrack(t));
      return null;
    } catch (err) {
      if (!media.video || !media.audio) return describeMediaError(err);
      // The camera is often the part that fails (busy, absent): keep the call going with voice.
      const fallback = await this.open({ audio: true, video: false });
      return fallback ?? describeMediaError(err, "camera");
    }
  }

  track(kind: "audio" | "video"): MediaStreamTrack | undefined {
    return kind === "audio" ? this.stream.getAudioTracks()[0] : this.stream.getVideoTracks()[0];
  }

  enabled(kind: "audio" | "video"): boolean {
    const t = this.track(kind);
    return !!t && t.enabled && t.readyState === "live";
  }

  setEnabled(kind: "audio" | "video", on: boolean): void {
    const t = this.track(kind);
    if (t) t.enabled = on;
  }

  /** The device a track of this kind currently uses. */
  deviceId(kind: InputKind): string | null {
    return this.track(kind === "audioinput" ? "audio" : "video")?.getSettings().deviceId ?? null;
  }

  /**
   * Opens a fresh track (on `deviceId`, or the default) and puts it in place of the current one,
   * keeping the mute state. Returns both so the caller can move senders over before the old one stops.
   */
  async replace(kind: InputKind, deviceId?: string): Promise<{ previous: MediaStreamTrack | undefined; next: MediaStreamTrack }> {
    const isVideo = kind === "videoinput";
    const base = isVideo ? VIDEO : AUDIO;
    const constraints = deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
    const previous = this.track(isVideo ? "video" : "audio");
    // Some cameras can be opened by one consumer only: release the old one first when switching devices.
    if (previous && isVideo && deviceId && previous.getSettings().deviceId !== deviceId) previous.stop();
    let s: MediaStream;
    try {
      s = await navigator.mediaDevices.getUserMedia(isVideo ? { video: constraints } : { audio: constraints });
    } catch (err) {
      throw new Error(describeMediaError(err, isVideo ? "camera" : "microphone"));
    }
    const next = (isVideo ? s.getVideoTracks() : s.getAudioTracks())[0]!;
    if (previous) {
      next.enabled = previous.enabled;
      this.stream.removeTrack(previous);
    }
    this.stream.addTrack(next);
    return { previous, next };
  }

  async devices(): Promise<DeviceLists> {
    const all = await navigator.mediaDevices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    const pick = (kind: MediaDeviceKind, noun: string) =>
      all
        .filter((d) => d.kind === kind && d.deviceId !== "")
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
    return { cameras: pick("videoinput", "Camera"), microphones: pick("audioinput", "Microphone"), speakers: pick("audiooutput", "Speaker") };
  }

  /** The device lists with what is in use, for a device picker. */
  async deviceState(speaker: string | null): Promise<DeviceState> {
    const lists = await this.devices();
    return { ...lists, camera: this.deviceId("videoinput"), microphone: this.deviceId("audioinput"), speaker, canChooseSpeaker: canChooseSpeaker() };
  }

  stop(): void {
    for (const t of this.stream.getTracks()) {
      t.stop();
      this.stream.removeTrack(t);
    }
  }
}

/** Whether audio output can be routed to a chosen device (Chromium yes, Safari/Firefox partly). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}
