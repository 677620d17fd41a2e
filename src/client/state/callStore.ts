/**
 * The current 1:1 call as the UI sees it: its phase (incoming, outgoing, active, ended with a
 * reason), who is on the other side, the engine session, streams, both sides' media flags,
 * in-call chat, quality and recording. Data only; callActions.ts and callEvents.ts change it.
 */
import { create } from "zustand";
import type { CallEndReason, CallMedia, PublicUser } from "../../shared/protocol";
import type { CallSession } from "../rtc/call-session";
import type { CallQuality } from "../rtc/quality";
import type { ChatLine, DeviceState, MediaFlags, RecordingState } from "../rtc/types";

/** "elsewhere": our call rings from another device of ours; this one only shows it and can cancel. */
export type CallPhase = "idle" | "incoming" | "outgoing" | "active" | "ended" | "elsewhere";
export type EndReason = CallEndReason | "busy" | "answered-elsewhere" | "failed";

export interface CallState {
  phase: CallPhase;
  callId: string | null;
  conversationId: string | null;
  /** The other person. */
  peer: PublicUser | null;
  direction: "incoming" | "outgoing" | null;
  media: CallMedia;
  /** When the call was answered (ms), for the duration. */
  acceptedAt: number | null;
  /** The other side's socket dropped; they have a few seconds to come back. */
  peerReconnecting: boolean;
  connection: RTCPeerConnectionState;
  session: CallSession | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  localScreen: MediaStream | null;
  remoteScreen: MediaStream | null;
  local: MediaFlags;
  remote: MediaFlags;
  chat: ChatLine[];
  chatOpen: boolean;
  chatReady: boolean;
  chatUnread: number;
  quality: CallQuality | null;
  recording: RecordingState;
  devices: DeviceState | null;
  /** Why the last call ended, shown briefly; with a recording, until dismissed. */
  ended: { reason: EndReason; message: string; recording: RecordingState | null } | null;
  /** A problem worth telling the user during the call (camera blocked, device failed). */
  notice: string | null;
}

const NO_MEDIA: MediaFlags = { audio: false, video: false, screen: false };

export const IDLE: CallState = {
  phase: "idle",
  callId: null,
  conversationId: null,
  peer: null,
  direction: null,
  media: { audio: true, video: true },
  acceptedAt: null,
  peerReconnecting: false,
  connection: "new",
  session: null,
  localStream: null,
  remoteStream: null,
  localScreen: null,
  remoteScreen: null,
  local: NO_MEDIA,
  remote: NO_MEDIA,
  chat: [],
  chatOpen: false,
  chatReady: false,
  chatUnread: 0,
  quality: null,
  recording: { status: "idle" },
  devices: null,
  ended: null,
  notice: null,
};

export const useCall = create<CallState>()(() => ({ ...IDLE }));

/** A call this device takes part in (or is being asked to). */
export function inCall(s: Pick<CallState, "phase">): boolean {
  return s.phase === "incoming" || s.phase === "outgoing" || s.phase === "active";
}

/** No new call may start from here: this device is in one, or another device of ours is calling. */
export function callBusy(s: Pick<CallState, "phase">): boolean {
  return inCall(s) || s.phase === "elsewhere";
}

declare global {
  interface Window {
    /** Read-only diagnostics: the live peer connections of the current call (used by the browser tests). */
    __parleyCall?: { readonly callId: string | null; peers(): { channel: "main" | "screen"; pc: RTCPeerConnection }[] };
  }
}

if (typeof window !== "undefined") {
  Object.defineProperty(window, "__parleyCall", {
    // Not writable; configurable only so a hot module reload can define it again.
    configurable: true,
    value: Object.freeze({
      get callId() {
        return useCall.getState().callId;
      },
      peers: () => useCall.getState().session?.peers() ?? [],
    }),
  });
}
