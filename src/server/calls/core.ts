/**
 * What every call flow shares: reading and compare-and-setting records, telling everyone in a
 * call what changed (`call:state` snapshots, voice:state for channels, call:live for group DMs) and ending calls with
 * their log line. The flows themselves live in service.ts.
 */
import { AppError } from "../../shared/errors";
import type { CallEndReason, LiveCall, ServerEvent } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { ConversationService } from "../chat/conversations";
import type { MessageService } from "../chat/messages";
import type { Store } from "../store/store";
import { toPublic } from "../social/users";
import * as M from "./model";
import type { CallRecord, CallRegistry } from "./registry";
import { CallTimers } from "./timers";

/** A guest socket's scope: one room's call and chat. Their `userId` is the guest id ("g-…"). */
export interface GuestScope {
  name: string;
  roomId: string;
  conversationId: string;
}

/** An actor on a particular socket: calls bind to devices, not just users. */
export interface DeviceActor extends Actor {
  connectionId: string;
  guest?: GuestScope;
}

export interface CallTimings {
  ringMs: number;
  graceMs: number;
  /** Past this many participants the call goes through the SFU. */
  meshMax: number;
  /** Guests one room's call holds at once. */
  guestsPerRoom: number;
}

/** What a watcher (the SFU bridge) hears: every change this node commits, and every end. */
export type CallChange = { type: "changed"; call: CallRecord } | { type: "ended"; callId: string; sfuNode?: string };

export class CallCore {
  protected readonly timers: CallTimers;
  readonly #watchers = new Set<(change: CallChange) => void>();

  constructor(
    protected readonly store: Store,
    protected readonly bus: Bus,
    protected readonly registry: CallRegistry,
    protected readonly conversations: ConversationService,
    protected readonly messages: MessageService,
    protected readonly timings: CallTimings,
    protected readonly clock: () => number = Date.now,
    /** Timer-driven endings have no caller to report to. */
    onError: (err: unknown) => void = () => {},
  ) {
    this.timers = new CallTimers(onError);
  }

  /** Listens to call changes on this node; returns the unsubscribe. */
  watch(listener: (change: CallChange) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  #emit(change: CallChange) {
    for (const w of this.#watchers) w(change);
  }

  protected toUsers(users: string[], event: ServerEvent) {
    return users.length ? this.bus.publish({ type: "deliver", to: { users }, event }) : Promise.resolve();
  }

  protected toConnections(connections: string[], event: ServerEvent) {
    return connections.length ? this.bus.publish({ type: "deliver", to: { connections }, event }) : Promise.resolve();
  }

  /** The sockets in the call, but `except`'s. */
  protected others(call: CallRecord, except?: string): string[] {
    return call.participants.filter((p) => p.id !== except).map((p) => p.connectionId);
  }

  /** The participant's entry as a user: name and avatar for the snapshot. */
  protected async person(actor: DeviceActor, role: M.Participant["role"]): Promise<M.NewParticipant> {
    if (actor.guest) return { id: actor.userId, userId: null, name: actor.guest.name, avatarUrl: null, role: "guest", sessionId: actor.sessionId, connectionId: actor.connectionId };
    const u = await this.store.accounts.userById(actor.userId);
    if (!u) throw new AppError("UNAUTHORIZED", "Unknown user");
    const pub = toPublic(u);
    return { id: u.id, userId: u.id, name: pub.displayName, avatarUrl: pub.avatarUrl, role, sessionId: actor.sessionId, connectionId: actor.connectionId };
  }

  /** The snapshot to everyone in the call and everyone rung; for voice channels, who is in it to the space. */
  protected async publish(call: CallRecord): Promise<void> {
    this.#emit({ type: "changed", call });
    const state = M.toState(call);
    await this.toConnections(this.others(call), { type: "call:state", call: state });
    await this.toUsers(call.invited.map((i) => i.userId), { type: "call:state", call: state });
    await this.presence(call, call.participants);
  }

  /** Who is in a voice channel (with their mute and speaking marks) to its space; who is in a group DM's call to the group. */
  protected async presence(call: CallRecord, inCall: M.Participant[]): Promise<void> {
    const userIds = inCall.map((p) => p.id);
    if (call.kind === "group") {
      await this.bus.publish({ type: "deliver", to: { conversation: call.conversationId }, event: { type: "call:live", conversationId: call.conversationId, callId: call.id, media: call.media, userIds } });
    }
    if (call.kind !== "voice" || !call.spaceId) return;
    const marked = (flag: "muted" | "speaking") => inCall.filter((p) => p[flag]).map((p) => p.id);
    const event = { type: "voice:state", spaceId: call.spaceId, channelId: call.conversationId, userIds, muted: marked("muted"), speaking: marked("speaking") } as const;
    await this.bus.publish({ type: "deliver", to: { space: call.spaceId }, event });
  }

  /** Who is in each of these voice channels now, muted, speaking (for Channel.voiceMembers and its marks). */
  async voiceMembers(channelIds: string[]): Promise<Map<string, { voiceMembers: string[]; voiceMuted: string[]; voiceSpeaking: string[] }>> {
    const calls = await Promise.all(channelIds.map((id) => this.registry.ofConversation(id)));
    const ids = (ps: M.Participant[]) => ps.map((p) => p.id);
    return new Map(
      calls.flatMap((c) =>
        c ? [[c.conversationId, { voiceMembers: ids(c.participants), voiceMuted: ids(c.participants.filter((p) => p.muted)), voiceSpeaking: ids(c.participants.filter((p) => p.speaking)) }] as const] : [],
      ),
    );
  }

  /** The running calls of these group DMs (hello's liveCalls). */
  async live(conversationIds: string[]): Promise<LiveCall[]> {
    const calls = await Promise.all(conversationIds.map((id) => this.registry.ofConversation(id)));
    return calls.flatMap((c) => (c && c.kind === "group" ? [{ conversationId: c.conversationId, callId: c.id, media: c.media, userIds: c.participants.map((p) => p.id) }] : []));
  }

  /**
   * Read-modify-write of a call, retried when another node or device changed it in between.
   * `change` returns the new record, or nothing to leave the call alone; AppErrors pass through.
   */
  protected async mutate(read: () => Promise<CallRecord | undefined>, change: (call: CallRecord) => CallRecord | undefined): Promise<CallRecord | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const call = await read();
      const next = call && change(call);
      if (!next) return undefined;
      const stored = await this.registry.update(next);
      if (stored.ok) return { ...next, version: next.version + 1 };
      if (stored.busyUserId) throw new AppError("BUSY", "They are in another call", { userId: stored.busyUserId });
    }
    throw new AppError("CONFLICT", "The call kept changing; try again");
  }

  protected mutateCall(callId: string, change: (call: CallRecord) => CallRecord | undefined) {
    return this.mutate(() => this.registry.get(callId), change);
  }

  /** Ends the call if `next` (just stored) leaves nothing to go on with. */
  /** `alsoTell`: who just stepped out (declined, timed out, left) and should hear the end too. */
  protected async endIfOver(next: CallRecord, cause: Parameters<typeof M.endReason>[1], alsoTell: string[] = []): Promise<boolean> {
    const reason = M.endReason(next, cause);
    if (!reason) return false;
    await this.end(next.id, reason, next.version, alsoTell);
    return true;
  }

  protected async end(callId: string, reason: CallEndReason, expectedVersion?: number, alsoTell: string[] = []): Promise<void> {
    const call = await this.registry.remove(callId, expectedVersion);
    if (!call) return;
    this.timers.clearCall(callId);
    this.#emit({ type: "ended", callId, sfuNode: call.sfuNode });
    const users = [...new Set([...call.participants.map((p) => p.userId), ...call.invited.map((i) => i.userId), ...alsoTell].filter((u): u is string => u !== null))];
    // Every member of a group DM hears it, so a "call running" banner goes away for those who never joined.
    if (call.kind === "group") await this.bus.publish({ type: "deliver", to: { conversation: call.conversationId }, event: { type: "call:ended", callId, reason } });
    else await this.toUsers(users, { type: "call:ended", callId, reason });
    await this.toConnections(call.participants.filter((p) => p.userId === null).map((p) => p.connectionId), { type: "call:ended", callId, reason });
    await this.presence(call, []);
    if (call.kind === "dm" || call.kind === "group") await this.messages.system(call.conversationId, await this.logLine(call, reason));
  }

  private async logLine(call: CallRecord, reason: CallEndReason): Promise<string> {
    const kind = `${call.kind === "group" ? "group " : ""}${call.media.video ? "video call" : "voice call"}`;
    if (call.acceptedAt === null) {
      if (reason === "rejected") return `Declined ${kind}`;
      const caller = call.hostId ? await this.store.accounts.userById(call.hostId) : undefined;
      return `Missed ${kind} from ${caller?.display_name ?? "someone"}`;
    }
    const secs = Math.round((this.clock() - call.acceptedAt) / 1000);
    const duration = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
    return `${kind[0]!.toUpperCase()}${kind.slice(1)} ended · ${duration}`;
  }

  /** The call, if it is active and this very socket is in it. */
  protected bound(actor: DeviceActor, call: CallRecord | undefined): { call: CallRecord; me: M.Participant } {
    return M.bound(call, actor.userId, actor.connectionId);
  }

  /** Cancels timers; live calls die with the process. Idempotent. */
  close(): void {
    this.#watchers.clear();
    this.timers.close();
  }
}
