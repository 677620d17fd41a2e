/** What the call engine says and takes: frames it sends, events it emits, and their payloads. */
import type { ClientFrame, ServerEvent } from "../../shared/protocol";
import type { DeviceLists } from "./local-media";

type NoId<T> = T extends unknown ? Omit<T, "id"> : never;
export type SessionFrame = NoId<Extract<ClientFrame, { type: "rtc:offer" | "rtc:answer" | "rtc:ice" | "call:media" }>>;
export type RtcEvent = Extract<ServerEvent, { type: "rtc:offer" | "rtc:answer" | "rtc:ice" }>;

export interface MediaFlags {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export type RecordingState =
  | { status: "idle" }
  | { status: "recording"; since: number }
  | { status: "saving" }
  | { status: "done"; url: string; size: number; fileName: string };

export interface DeviceState extends DeviceLists {
  camera: string | null;
  microphone: string | null;
  speaker: string | null;
  canChooseSpeaker: boolean;
}
