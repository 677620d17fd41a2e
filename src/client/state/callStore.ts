/**
 * The current call as the UI sees it: its phase (incoming, outgoing, active, ended with a
 * reason), who rang or was rung, the engine's state, our media, every other participant by user
 * id (media flags, streams, link state, quality), in-call chat and recording. Data only — the
 * engine itself lives in callController.ts; callActions.ts and callEvents.ts change this.
 */
import { create } from "zustand";
import type { CallEndReason, CallKind, CallMedia, PublicUser } from "../../shared/protocol";
import type { LobbyEntry } from "../../shared/calls";
import type { CallState as EngineState } from "../rtc/call";
import type { ParticipantView } from "../rtc/participant";
import type { DeviceState, MediaFlags, RecordingState } from "../rtc/types";

/**
 * "joining": we are in a group call and its media links are starting; the call view follows once
 * they have sent their first signals (see enterGroupCall). "elsewhere": our call rings from
 * another device of ours; this one only shows it and can cancel.
 */
export type CallPhase = "idle" | "incoming" | "outgoing" | "joining" | "active" | "ended" | "elsewhere";
export type EndReason = CallEndReason | "busy" | "answered-elsewhere" | "failed" | "removed";

export interface CallState {
  phase: CallPhase;
  callId: string | null;
  conversationId: string | null;
  /** The other person of a 1:1 call (who rings us, or whom we ring). */
  peer: PublicUser | null;
  direction: "incoming" | "outgoing" | null;
  media: CallMedia;
  /** When the call was answered (ms), for the duration. */
  acceptedAt: number | null;
  /** The media engine's state (connecting, connected, reconnecting…); "idle" without one. */
  engine: EngineState;
  localStream: MediaStream | null;
  localScreen: MediaStream | null;
  local: MediaFlags;
  /** Everyone else in the call, by user id (what our media engine knows of them). */
  participants: Record<string, ParticipantView>;
  /** Who is in the call as the server tells it (names, raised hands, speaking on an SFU), by id. */
  roster: Record<string, RosterEntry>;
  /** Who is being rung into the call now (user ids, from the snapshot). */
  invited: string[];
  localSpeaking: boolean;
  handRaised: boolean;
  /** Emoji reactions floating over their sender's tile for a few seconds. */
  reactions: Reaction[];
  /** The tile shown large ("self" or a participant id), or none. */
  pinned: string | null;
  /** The grid's page when more people are in than fit one. */
  page: number;
  peopleOpen: boolean;
  /** The newest call:state snapshot applied (0: none yet), and the kind of call it described. */
  version: number;
  callKind: CallKind | null;
  /** In-call chat shows the conversation's messages from this time (ms) on. */
  chatSince: number;
  chatOpen: boolean;
  chatUnread: number;
  recording: RecordingState;
  devices: DeviceState | null;
  /** Why the last call ended, shown briefly; with a recording, until dismissed. */
  ended: { reason: EndReason; message: string; recording: RecordingState | null } | null;
  /** A problem worth telling the user during the call (camera blocked, device failed). */
  notice: string | null;
  /** What a host sees and may do (from the snapshot); null when we cannot host this call. */
  host: HostView | null;
  /** A host asked us to unmute: a prompt until we do or dismiss it. */
  askedToUnmute: boolean;
  /** We knocked at a locked call (or one we were removed from) and wait, or were turned away. */
  lobby: LobbyWait | null;
}

export interface HostView {
  locked: boolean;
  waiting: LobbyEntry[];
  /** Set for rooms (guests and the lobby lock are room settings). */
  roomId: string | null;
  hostId: string | null;
}

export interface LobbyWait {
  callId: string;
  conversationId: string;
  media: CallMedia;
  status: "waiting" | "denied";
  /** Why we knock: the call is locked, or a host removed us from it. */
  reason: "locked" | "removed";
}

export interface RosterEntry {
  name: string;
  avatarUrl: string | null;
  handRaised: boolean;
  speaking: boolean;
  role: "host" | "member" | "guest";
}

export interface Reaction {
  key: number;
  from: string;
  emoji: string;
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
  engine: "idle",
  localStream: null,
  localScreen: null,
  local: NO_MEDIA,
  participants: {},
  roster: {},
  invited: [],
  localSpeaking: false,
  handRaised: false,
  reactions: [],
  pinned: null,
  page: 0,
  peopleOpen: false,
  version: 0,
  callKind: null,
  chatSince: 0,
  chatOpen: false,
  chatUnread: 0,
  recording: { status: "idle" },
  devices: null,
  ended: null,
  notice: null,
  host: null,
  askedToUnmute: false,
  lobby: null,
};

export const useCall = create<CallState>()(() => ({ ...IDLE }));

/** A call this device takes part in (or is being asked to). */
export function inCall(s: Pick<CallState, "phase">): boolean {
  return s.phase === "incoming" || s.phase === "outgoing" || s.phase === "joining" || s.phase === "active";
}

/** No new call may start from here: this device is in one, or another device of ours is calling. */
export function callBusy(s: Pick<CallState, "phase">): boolean {
  return inCall(s) || s.phase === "elsewhere";
}
