/** What the call engine says and takes: frames it sends, events it emits, and their payloads. */
import type { CallMedia, ClientFrame, ServerEvent } from "../../shared/protocol";
import type { DeviceLists } from "./local-media";
import type { CallQuality } from "./quality";

type NoId<T> = T extends unknown ? Omit<T, "id"> : never;
export type SessionFrame = NoId<Extract<ClientFrame, { type: "rtc:offer" | "rtc:answer" | "rtc:ice" | "call:media" }>>;
export type RtcEvent = Extract<ServerEvent, { type: "rtc:offer" | "rtc:answer" | "rtc:ice" }>;

export interface MediaFlags {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface ChatLine {
  id: string;
  from: "self" | "peer";
  text: string;
  at: number;
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

export interface SessionEvents {
  /** Our camera and microphone (a new object whenever its tracks change). */
  "local-stream": MediaStream;
  "remote-stream": MediaStream | null;
  "local-screen": MediaStream | null;
  "remote-screen": MediaStream | null;
  "local-media": MediaFlags;
  connection: RTCPeerConnectionState;
  "chat-open": boolean;
  chat: ChatLine;
  quality: CallQuality;
  recording: RecordingState;
  devices: DeviceState;
  /** A sentence for the user. */
  error: string;
}

export interface SessionOptions {
  callId: string;
  peerId: string;
  /** The callee is polite: in an offer collision it yields. */
  polite: boolean;
  media: CallMedia;
  /** ICE servers for each new peer connection (TURN credentials expire). */
  iceConfig: () => Promise<RTCConfiguration>;
  send: (frame: SessionFrame) => void;
}
