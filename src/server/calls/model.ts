/**
 * The call record and its pure transitions. Every function takes a record and returns the next
 * one (or throws an AppError), touching nothing else: the service reads, applies one of these
 * and compare-and-sets the result, so the rules live here and are tested without a node.
 */
import { AppError } from "../../shared/errors";
import type { CallInfo, CallKind, CallMedia, CallState, ParticipantInfo, Topology } from "../../shared/calls";

export interface Participant {
  /** A user id, or a guest's id. */
  id: string;
  userId: string | null;
  name: string;
  avatarUrl: string | null;
  role: "host" | "member" | "guest";
  sessionId: string;
  connectionId: string;
  /** Set while the participant's socket is gone and the grace period runs. */
  disconnectedAt: number | null;
  joinedAt: number;
  muted: boolean;
  video: boolean;
  screen: boolean;
  handRaised: boolean;
  speaking: boolean;
}

export interface Invitee {
  userId: string;
  rungAt: number;
}

export interface Waiter {
  id: string;
  name: string;
  since: number;
  /** The knocking socket: it hears admitted / denied. */
  connectionId: string;
}

export interface CallRecord {
  id: string;
  conversationId: string;
  kind: CallKind;
  spaceId: string | null;
  roomId: string | null;
  /** Who started it; for a DM call, the caller. */
  hostId: string | null;
  media: CallMedia;
  state: "ringing" | "active";
  topology: Topology;
  locked: boolean;
  createdAt: number;
  acceptedAt: number | null;
  participants: Participant[];
  invited: Invitee[];
  lobby: Waiter[];
  /** Removed by a host: kept out until admitted again. */
  banned: string[];
  /** Let in from the lobby; may join a locked call. */
  admitted: string[];
  /** Bumped by the registry on every stored change. */
  version: number;
  /**
   * The node whose SFU holds this call's room, once one needed it. Read with the record, but
   * written only by CallRegistry.placeSfu: update() never changes it.
   */
  sfuNode?: string;
}

/** Who a record keeps busy: everyone in it or being rung. */
export function members(call: CallRecord): string[] {
  return [...call.participants.map((p) => p.id), ...call.invited.map((i) => i.userId)];
}

export type NewParticipant = Omit<Participant, "disconnectedAt" | "joinedAt" | "muted" | "video" | "screen" | "handRaised" | "speaking">;

function enter(p: NewParticipant, media: CallMedia, now: number): Participant {
  return { ...p, disconnectedAt: null, joinedAt: now, muted: !media.audio, video: media.video, screen: false, handRaised: false, speaking: false };
}

/** 2 → p2p, up to meshMax → mesh, past it → sfu; never back down within a call. */
export function chooseTopology(count: number, current: Topology, meshMax: number): Topology {
  const wanted: Topology = count <= 2 ? "p2p" : count <= meshMax ? "mesh" : "sfu";
  const rank = { p2p: 0, mesh: 1, sfu: 2 } as const;
  return rank[wanted] >= rank[current] ? wanted : current;
}

function withTopology(call: CallRecord, meshMax: number): CallRecord {
  return { ...call, topology: chooseTopology(call.participants.length, call.topology, meshMax) };
}

export interface StartInput {
  id: string;
  conversationId: string;
  kind: CallKind;
  spaceId?: string | null;
  roomId?: string | null;
  /** Default: the starter (none for voice channels); a room's host whoever starts it. */
  hostId?: string | null;
  media: CallMedia;
  starter: NewParticipant;
  /** Rung at once (ring mode); empty for join-style calls. */
  invite: string[];
}

export function start(input: StartInput, now: number): CallRecord {
  const ring = input.invite.length > 0;
  return {
    id: input.id,
    conversationId: input.conversationId,
    kind: input.kind,
    spaceId: input.spaceId ?? null,
    roomId: input.roomId ?? null,
    hostId: input.hostId !== undefined ? input.hostId : input.kind === "voice" ? null : input.starter.id,
    media: input.media,
    state: ring ? "ringing" : "active",
    topology: "p2p",
    locked: false,
    createdAt: now,
    acceptedAt: ring ? null : now,
    participants: [enter(input.starter, input.media, now)],
    invited: input.invite.map((userId) => ({ userId, rungAt: now })),
    lobby: [],
    banned: [],
    admitted: [],
    version: 0,
  };
}

/** Rings more users (already in or rung: unchanged). */
export function invite(call: CallRecord, userIds: string[], now: number): CallRecord {
  const present = new Set(members(call));
  const fresh = userIds.filter((u) => !present.has(u));
  return { ...call, invited: [...call.invited, ...fresh.map((userId) => ({ userId, rungAt: now }))] };
}

/** A rung user answers, or anyone allowed comes in: they become a participant. */
export function join(call: CallRecord, p: NewParticipant, media: CallMedia, now: number, meshMax: number): CallRecord {
  if (call.participants.some((q) => q.id === p.id)) throw new AppError("CONFLICT", "You are already in this call");
  if (call.banned.includes(p.id)) throw new AppError("FORBIDDEN", "The host removed you from this call");
  if (call.kind === "dm" && !call.invited.some((i) => i.userId === p.id)) throw new AppError("CONFLICT", "This call was already answered");
  const next: CallRecord = {
    ...call,
    state: "active",
    acceptedAt: call.acceptedAt ?? now,
    participants: [...call.participants, enter(p, media, now)],
    invited: call.invited.filter((i) => i.userId !== p.id),
    lobby: call.lobby.filter((w) => w.id !== p.id),
    admitted: call.admitted.filter((id) => id !== p.id),
  };
  return withTopology(next, meshMax);
}

/** A rung user declines, or their ring times out. */
export function uninvite(call: CallRecord, userId: string): CallRecord {
  if (!call.invited.some((i) => i.userId === userId)) throw new AppError("CONFLICT", "You are not being called");
  return { ...call, invited: call.invited.filter((i) => i.userId !== userId) };
}

export function leave(call: CallRecord, id: string): CallRecord {
  if (!call.participants.some((p) => p.id === id)) throw new AppError("FORBIDDEN", "You are not in this call");
  const participants = call.participants.filter((p) => p.id !== id);
  // A ring-mode call whose starter left before anyone answered has no one left to ring for.
  const invited = participants.length === 0 ? [] : call.invited;
  return { ...call, participants, invited };
}

/**
 * Why the call is over, or null while it goes on: nobody left in it, or (ringing) nobody
 * answered and nobody is still being rung. A DM call ends as soon as either side leaves.
 */
export function endReason(call: CallRecord, cause: "declined" | "timeout" | "left" | "disconnected"): "rejected" | "timeout" | "cancelled" | "hangup" | "disconnected" | "empty" | null {
  if (call.state === "ringing") {
    if (call.participants.length === 0) return "cancelled";
    if (call.invited.length > 0) return null;
    return cause === "declined" ? "rejected" : "timeout";
  }
  if (call.kind === "dm") return call.participants.length < 2 ? (cause === "disconnected" ? "disconnected" : "hangup") : null;
  return call.participants.length === 0 ? "empty" : null;
}

/** The active call's participant on exactly this socket (another device of the user is not in it). `id`: a user's or a guest's. */
export function bound(call: CallRecord | undefined, id: string, connectionId: string): { call: CallRecord; me: Participant } {
  const me = call?.participants.find((p) => p.id === id && p.connectionId === connectionId);
  if (!call || !me || call.state !== "active") throw new AppError("FORBIDDEN", "You are not in this call");
  return { call, me };
}

export function markAway(call: CallRecord, id: string, connectionId: string, now: number): CallRecord | undefined {
  const me = call.participants.find((p) => p.id === id && p.connectionId === connectionId);
  if (!me) return undefined;
  return { ...call, participants: call.participants.map((p) => (p === me ? { ...p, disconnectedAt: now } : p)) };
}

/** The same sign-in (the reloaded tab) takes its place back on a new socket. */
export function rebind(call: CallRecord, id: string, sessionId: string, connectionId: string): CallRecord | undefined {
  const me = call.participants.find((p) => p.id === id);
  if (!me || me.sessionId !== sessionId) return undefined;
  return { ...call, participants: call.participants.map((p) => (p === me ? { ...p, connectionId, disconnectedAt: null } : p)) };
}

export type Flags = Partial<Pick<Participant, "muted" | "video" | "screen" | "handRaised" | "speaking">>;

export function setFlags(call: CallRecord, id: string, flags: Flags): CallRecord {
  if (!call.participants.some((p) => p.id === id)) throw new AppError("FORBIDDEN", "You are not in this call");
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...call, participants: call.participants.map((p) => (p.id === id ? { ...p, ...defined } : p)) };
}

/** A host takes someone out: they stay out (lobby included) until admitted again. */
export function remove(call: CallRecord, id: string): CallRecord {
  const next = leave(call, id);
  return { ...next, banned: [...new Set([...next.banned, id])], admitted: next.admitted.filter((a) => a !== id) };
}

/** Most people a lobby holds: past it, knocks are refused until the host clears some. */
export const MAX_LOBBY = 50;

/** Someone who may not walk in waits; knocking again (another tab, a retry) moves the entry to that socket. */
export function knock(call: CallRecord, w: Waiter): CallRecord {
  if (call.participants.some((p) => p.id === w.id)) throw new AppError("CONFLICT", "You are already in this call");
  const others = call.lobby.filter((x) => x.id !== w.id);
  if (others.length >= MAX_LOBBY) throw new AppError("LIMIT_REACHED", "Too many people are waiting to get in; try again later");
  const since = call.lobby.find((x) => x.id === w.id)?.since ?? w.since;
  return { ...call, lobby: [...others, { ...w, since }] };
}

/** The waiter gives up (cancel, or their socket closed); unknown: unchanged. */
export function unknock(call: CallRecord, id: string, connectionId: string): CallRecord | undefined {
  if (!call.lobby.some((w) => w.id === id && w.connectionId === connectionId)) return undefined;
  return { ...call, lobby: call.lobby.filter((w) => w.id !== id) };
}

/** Lets a waiter in, or lifts a removal: they may join (the lock and the removal no longer apply to them). */
export function admit(call: CallRecord, id: string): CallRecord {
  if (!call.lobby.some((w) => w.id === id) && !call.banned.includes(id)) throw new AppError("NOT_FOUND", "Nobody by that id is waiting");
  return { ...call, lobby: call.lobby.filter((w) => w.id !== id), banned: call.banned.filter((b) => b !== id), admitted: [...new Set([...call.admitted, id])] };
}

export function deny(call: CallRecord, id: string): CallRecord {
  if (!call.lobby.some((w) => w.id === id)) throw new AppError("NOT_FOUND", "Nobody by that id is waiting");
  return { ...call, lobby: call.lobby.filter((w) => w.id !== id) };
}

export function setLocked(call: CallRecord, locked: boolean): CallRecord {
  return { ...call, locked };
}

/** Whether `id` may walk straight in: not removed, and an unlocked call or admitted by a host. Hosts always may. */
export function mayEnter(call: CallRecord, id: string, isHost: boolean): boolean {
  if (isHost) return true;
  if (call.admitted.includes(id)) return true;
  return !call.locked && !call.banned.includes(id);
}

function participantInfo(p: Participant): ParticipantInfo {
  return {
    id: p.id,
    userId: p.userId,
    name: p.name,
    avatarUrl: p.avatarUrl,
    role: p.role,
    muted: p.muted,
    video: p.video,
    screen: p.screen,
    handRaised: p.handRaised,
    speaking: p.speaking,
    away: p.disconnectedAt !== null,
    joinedAt: new Date(p.joinedAt).toISOString(),
  };
}

export function participantOf(call: CallRecord, id: string): ParticipantInfo | undefined {
  const p = call.participants.find((q) => q.id === id);
  return p && participantInfo(p);
}

export function toState(call: CallRecord): CallState {
  return {
    id: call.id,
    conversationId: call.conversationId,
    kind: call.kind,
    spaceId: call.spaceId,
    roomId: call.roomId,
    mode: call.kind === "dm" || call.kind === "group" ? "ring" : "join",
    topology: call.topology,
    state: call.state,
    hostId: call.hostId,
    media: call.media,
    locked: call.locked,
    participants: call.participants.map(participantInfo),
    invited: call.invited.map((i) => i.userId),
    lobby: call.lobby.map((w) => ({ id: w.id, name: w.name, since: new Date(w.since).toISOString() })),
    startedAt: new Date(call.createdAt).toISOString(),
    version: call.version,
  };
}

/** The 1:1 view of a DM call (undefined for other calls). */
export function toInfo(call: CallRecord): CallInfo | undefined {
  const calleeId = call.participants.find((p) => p.id !== call.hostId)?.id ?? call.invited[0]?.userId;
  if (call.kind !== "dm" || !call.hostId || !calleeId) return undefined;
  return {
    id: call.id,
    conversationId: call.conversationId,
    state: call.state,
    callerId: call.hostId,
    calleeId,
    media: call.media,
    participants: call.participants.map((p) => p.id),
    startedAt: new Date(call.createdAt).toISOString(),
    acceptedAt: call.acceptedAt === null ? null : new Date(call.acceptedAt).toISOString(),
  };
}
