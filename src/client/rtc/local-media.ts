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
 * What the camera is captured for: "direct", one encoding per peer link (1:1 calls and the
 * mesh), or "simulcast", three layers to the SFU (¼, ½ and full size: sfu-links.ts).
 */
export type CameraUse = "direct" | "simulcast";

/** Height of the simulcast capture: the SFU's top layer; the others are ½ and ¼ of it. */
export const SIMULCAST_HEIGHT = 720;

const CAMERA: Record<CameraUse, MediaTrackConstraints> = {
  // 360p: the encoder starts near 200 kbit/s and would scale 720p down anyway; capturing at the
  // size it can send cut accept → first remote frame from ~420 ms to ~290 ms (bench/call-setup.ts).
  direct: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } },
  // Chromium sends only as many simulcast layers as the size allows: two at 640×360 (160 and 320
  // px wide, so the SFU's top layer never existed), three from 960×540. At 720p they are 320, 640
  // and 1280 px wide, and each subscriber's tile picks one.
  simulcast: { width: { ideal: (SIMULCAST_HEIGHT * 16) / 9 }, height: { ideal: SIMULCAST_HEIGHT }, frameRate: { ideal: 30 } },
};
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
  #cameraUse: CameraUse = "direct";

  /**
   * Captures the camera for `use` from now on. A camera already open is resized in place
   * (applyConstraints: the same track, so senders and negotiation stay as they are); one that
   * cannot deliver the size keeps its own.
   */
  async setCameraUse(use: CameraUse): Promise<void> {
    if (use === this.#cameraUse) return;
    this.#cameraUse = use;
    await this.#fit(this.track("video"), null);
  }

  /** A camera track opened for `openedFor` brought to the current use's size (the use changed while it opened). */
  async #fit(track: MediaStreamTrack | undefined, openedFor: CameraUse | null): Promise<void> {
    if (track?.readyState === "live" && openedFor !== this.#cameraUse) await track.applyConstraints(CAMERA[this.#cameraUse]).catch(() => {});
  }

  /** Opens what the call asks for; on failure falls back to less (audio only, then nothing). */
  async open(media: CallMedia): Promise<string | null> {
    if (!media.audio && !media.video) return null;
    const use = this.#cameraUse;
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: media.audio && AUDIO, video: media.video && CAMERA[use] });
      s.getTracks().forEach((t) => this.stream.addTrack(t));
      await this.#fit(s.getVideoTracks()[0], use);
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
    const use = this.#cameraUse;
    const base = isVideo ? CAMERA[use] : AUDIO;
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
    if (isVideo) await this.#fit(next, use);
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
