/**
 * The call wire contract (1:1, group DMs, voice channels, rooms): client frames as zod schemas,
 * server events and the `CallState` snapshot. See docs/PROTOCOL.md "Calls".
 *
 * Every call is scoped by a conversation (a DM, a group DM, a voice channel or a room's chat).
 * Clients get whole `call:state` snapshots carrying a `version` and ignore any older than the one
 * they hold; the other call events are cues (ringing, sounds, toasts), never state to merge.
 */
import { z } from "zod";
import { DisplayName, frame, Id, Str } from "./wire";

export const CallMedia = z.object({ audio: z.boolean(), video: z.boolean() }).strict();
export type CallMedia = z.infer<typeof CallMedia>;
const Sdp = Str().min(1).max(60_000);
export const IceCandidate = z
  .object({
    candidate: Str().max(2000),
    sdpMid: Str().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    usernameFragment: Str().max(256).nullable().optional(),
  })
  .strict();
export type IceCandidate = z.infer<typeof IceCandidate>;
/** Which peer connection of the call a signal belongs to: the main one or a screen share. */
const SignalChannel = z.enum(["main", "screen"]).default("main");
/** A reaction: one emoji (a short grapheme sequence), relayed, never stored. */
const Reaction = Str().min(1).max(16).regex(/^\S+$/, "One emoji");

export const HOST_ACTIONS = ["mute", "ask-unmute", "remove"] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];

/** The 1:1 frames (implemented; group DM calls reuse them). */
const RingFrames = [
  frame("call:invite", { conversationId: Id, media: CallMedia }),
  frame("call:accept", { callId: Id }),
  frame("call:reject", { callId: Id }),
  frame("call:cancel", { callId: Id }),
  frame("call:end", { callId: Id }),
  frame("call:resume", {}),
  frame("call:media", { callId: Id, audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  // Signaling: `to` is a participant id or "sfu"; the server stamps `from`.
  frame("rtc:offer", { callId: Id, to: Id, channel: SignalChannel, sdp: Sdp }),
  frame("rtc:answer", { callId: Id, to: Id, channel: SignalChannel, sdp: Sdp }),
  frame("rtc:ice", { callId: Id, to: Id, channel: SignalChannel, candidate: IceCandidate.nullable() }),
] as const;

/**
 * Group call frames. Defined here as the contract; each joins `CallClientFrames` (and so the
 * gateway's ClientFrame) when the server implements it — until then the gateway refuses it.
 */
export const GroupFrames = {
  /** Ring more people into a running call: group DM members, or a third person into a DM call. */
  add: frame("call:add", { callId: Id, userIds: z.array(Id).min(1).max(10) }),
  /** Join a running group DM call, a voice channel or a room (by its conversation). */
  join: frame("call:join", { conversationId: Id, media: CallMedia.optional() }),
  leave: frame("call:leave", { callId: Id }),
  update: frame("call:update", {
    callId: Id,
    muted: z.boolean().optional(),
    video: z.boolean().optional(),
    screen: z.boolean().optional(),
    handRaised: z.boolean().optional(),
    speaking: z.boolean().optional(),
  }),
  react: frame("call:react", { callId: Id, emoji: Reaction }),
  // Host: a room's host; a space's owner and admins in its voice channels.
  host: frame("call:host", { callId: Id, action: z.enum(HOST_ACTIONS), participantId: Id }),
  endAll: frame("call:end-all", { callId: Id }),
  lock: frame("call:lock", { callId: Id, locked: z.boolean() }),
  admit: frame("call:admit", { callId: Id, participantId: Id }),
  deny: frame("call:deny", { callId: Id, participantId: Id }),
} as const;

/** The call frames the gateway accepts. */
export const CallClientFrames = [...RingFrames, ...Object.values(GroupFrames)] as const;

export type CallEndReason = "timeout" | "rejected" | "cancelled" | "hangup" | "disconnected" | "ended-by-host" | "empty" | "room-deleted";
export type CallKind = "dm" | "group" | "voice" | "room";
export type Topology = "p2p" | "mesh" | "sfu";

/** One person in a call, as everyone in it sees them. */
export interface ParticipantInfo {
  /** A user id, or a guest's id (`g-…`): the id signaling addresses. */
  id: string;
  /** Null for guests. */
  userId: string | null;
  name: string;
  avatarUrl: string | null;
  role: "host" | "member" | "guest";
  muted: boolean;
  video: boolean;
  screen: boolean;
  handRaised: boolean;
  speaking: boolean;
  /** Their socket dropped; the grace period runs. */
  away: boolean;
  joinedAt: string;
}

/** Someone waiting in a locked room's lobby. */
export interface LobbyEntry {
  id: string;
  name: string;
  since: string;
}

/** The whole call. `version` grows with every change: apply a snapshot only if it is newer. */
export interface CallState {
  id: string;
  conversationId: string;
  kind: CallKind;
  /** Set for voice channels. */
  spaceId: string | null;
  /** Set for rooms. */
  roomId: string | null;
  /** "ring": started by call:invite (DM, group DM); "join": voice channels and rooms. */
  mode: "ring" | "join";
  /** Chosen by the server: 2 people → p2p, up to MESH_MAX → mesh, past it → sfu. */
  topology: Topology;
  /** "ringing" until a second person is in. */
  state: "ringing" | "active";
  /** Who started it (the room's host for rooms; null for voice channels). */
  hostId: string | null;
  /** The media the call was started with (voice or video call). */
  media: CallMedia;
  locked: boolean;
  participants: ParticipantInfo[];
  /** Users still being rung. */
  invited: string[];
  lobby: LobbyEntry[];
  startedAt: string;
  version: number;
}

/**
 * The 1:1 view the current client reads (hello `call`, call:resume and call:accept replies).
 * Filled for DM calls only; `CallState` describes every call.
 */
export interface CallInfo {
  id: string;
  conversationId: string;
  state: "ringing" | "active";
  callerId: string;
  calleeId: string;
  media: CallMedia;
  /** The user ids currently in the call (both, once accepted). */
  participants: string[];
  startedAt: string;
  acceptedAt: string | null;
}

/** A group DM's running call, for the members not in it ("call in progress — Join"). */
export interface LiveCall {
  conversationId: string;
  callId: string;
  media: CallMedia;
  userIds: string[];
}

interface PublicUserRef {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}
type SignalFrom = { callId: string; from: string; channel: "main" | "screen" };

export type CallServerEvent =
  /** The full call, to every participant (and every ringing invitee) after each change. */
  | { type: "call:state"; call: CallState }
  /** `kind` and `call` added for group calls: the ring screen can show who else is in. */
  | { type: "call:incoming"; callId: string; conversationId: string; from: PublicUserRef; media: CallMedia; kind?: CallKind; call?: CallState }
  | { type: "call:ringing"; callId: string; conversationId: string; to: PublicUserRef; media: CallMedia }
  | { type: "call:accepted"; callId: string; by: string }
  | { type: "call:answered-elsewhere"; callId: string }
  | { type: "call:rejected"; callId: string; by?: string }
  | { type: "call:busy"; conversationId: string; userId: string }
  | { type: "call:ended"; callId: string; reason: CallEndReason }
  | { type: "call:participant-reconnecting"; callId: string; userId: string }
  | { type: "call:participant-joined"; callId: string; userId: string; participant?: ParticipantInfo; version?: number }
  | { type: "call:participant-left"; callId: string; userId: string; reason: "left" | "removed" | "disconnected"; version: number }
  | { type: "call:participant-updated"; callId: string; participant: ParticipantInfo; version: number }
  | { type: "call:media"; callId: string; userId: string; audio: boolean; video: boolean; screen: boolean }
  | { type: "call:reaction"; callId: string; from: string; emoji: string }
  /** To the participant a host acted on. */
  | { type: "call:moderated"; callId: string; action: HostAction; by: string }
  /** To the host(s) of a locked call: someone is waiting. */
  | { type: "call:knock"; callId: string; entry: LobbyEntry }
  /** To a lobby waiter: let in (join now with call:join) or turned away. */
  | { type: "call:admitted"; callId: string }
  | { type: "call:denied"; callId: string }
  /** Who is in a voice channel now (and who of them is muted, speaking), to every space member who can see it. */
  | { type: "voice:state"; spaceId: string; channelId: string; userIds: string[]; muted: string[]; speaking: string[] }
  /** A group DM's call and who is in it, to every member of the group (empty `userIds`: it ended). */
  | ({ type: "call:live" } & LiveCall)
  | ({ type: "rtc:offer"; sdp: string } & SignalFrom)
  | ({ type: "rtc:answer"; sdp: string } & SignalFrom)
  | ({ type: "rtc:ice"; candidate: IceCandidate | null } & SignalFrom);

// ---------------------------------------------------------------------------
// Rooms: calls joined by link (REST; see PROTOCOL "Group calls")
// ---------------------------------------------------------------------------

export const MAX_ROOMS_PER_USER = 50;
/** Three groups of lowercase letters, like "kfp-wzqa-tnm": 26^10 links, not worth guessing. */
export const ROOM_SLUG_RE = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
export const CreateRoomBody = z.object({ name: Str().trim().min(1).max(100), allowGuests: z.boolean().default(false) }).strict();

export interface Room {
  id: string;
  slug: string;
  name: string;
  hostId: string;
  allowGuests: boolean;
  locked: boolean;
  /** The room's chat, and the scope of its call (call:join with it). */
  conversationId: string;
  /** The link to share: <origin>/r/<slug>. */
  url: string;
  createdAt: string;
}

/** The host's room settings (PATCH /api/rooms/:slug): at least one. */
export const RoomSettingsBody = z
  .object({ allowGuests: z.boolean().optional(), locked: z.boolean().optional() })
  .strict()
  .refine((b) => b.allowGuests !== undefined || b.locked !== undefined, "Give allowGuests or locked");

/** A visitor asking for a guest session (POST /api/rooms/:slug/guests). */
export const GuestBody = z.object({ name: DisplayName }).strict();

/** Why a guest socket's frame is refused (FORBIDDEN): a guest session reaches one room's call and chat only. */
export const GUEST_SCOPE = "Guests can only use their room's call and chat";

/** Guest ids: "g-" and a UUID; never a user id. */
export const GUEST_ID_RE = /^g-[0-9a-f-]{36}$/;

/** A guest session: scoped to one room's call and chat, until `expiresAt`. */
export interface GuestSession {
  id: string;
  name: string;
  roomId: string;
  conversationId: string;
  expiresAt: string;
}

/** A guest socket's hello reply. */
export interface GuestHello {
  guest: GuestSession;
  /** Their live call (after a reload within the grace period), if any. */
  callState: CallState | null;
}

/** call:join's reply when the joiner must wait in the lobby (locked, or removed earlier). */
export interface Waiting {
  call: null;
  state: null;
  waiting: true;
  callId: string;
  /** Why: the call is locked, or a host removed this person from it. */
  reason: "locked" | "removed";
}

/** What anyone holding the link may see before joining. */
export interface RoomPreview {
  slug: string;
  name: string;
  host: { id: string; displayName: string; avatarUrl: string | null };
  allowGuests: boolean;
  locked: boolean;
  conversationId: string;
  /** How many people are in its call now. */
  live: number;
}
