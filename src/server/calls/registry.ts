/**
 * Live calls. Calls are never written to the database (only their log messages are), so the
 * registry is the source of truth for who is in which call. Every change is a compare-and-set
 * on the record's version, so two nodes (or two devices) racing on one call cannot both win.
 * A user is in at most one call (as participant or being rung), a conversation has at most one.
 * In memory for one node; in Redis (redis-call-registry.ts) for several.
 */
import { members, type CallRecord } from "./model";

export type { CallRecord, Participant } from "./model";

export type CreateResult = { ok: true } | { ok: false; busyUserId: string } | { ok: false; existingCallId: string };
/** `busyUserId`: a user the update would add is in another call; otherwise the version moved. */
export type UpdateResult = { ok: true } | { ok: false; busyUserId?: string };

export interface CallRegistry {
  /** Adds the call (at version 0) unless one of its users is busy or its conversation has a call. */
  create(call: CallRecord): Promise<CreateResult>;
  get(id: string): Promise<CallRecord | undefined>;
  ofUser(userId: string): Promise<CallRecord | undefined>;
  ofConversation(conversationId: string): Promise<CallRecord | undefined>;
  /** Stores `call` if the stored version is still `call.version` and everyone it adds is free. */
  update(call: CallRecord): Promise<UpdateResult>;
  /** Removes the call (only at `expectedVersion` when given); returns what was removed. */
  remove(id: string, expectedVersion?: number): Promise<CallRecord | undefined>;
  /** How many calls there are (the admin console's live metrics; not for hot paths). */
  count(): Promise<number>;
  /**
   * Places the call's SFU room on `node` (null: nowhere) if it is on `from` now (null: nowhere
   * yet), a compare-and-set apart from the version, so placing races no other change of the
   * call. Returns the node it is on afterwards; undefined when nowhere or there is no such call.
   */
  placeSfu(callId: string, node: string | null, from: string | null): Promise<string | undefined>;
  /** The calls placed on `node` (ended ones may linger: read each). */
  sfuCallsOf(node: string): Promise<string[]>;
  /**
   * Calls with a participant whose socket has been gone since `before` or earlier (their
   * disconnectedAt), oldest first, at most `limit`. For the sweep that ends grace periods whose
   * timer died with its node; a listed call may have changed since: read it.
   */
  awayBefore(before: number, limit: number): Promise<string[]>;
  /**
   * Calls still ringing someone rung at `before` or earlier (their rungAt), oldest first, at most
   * `limit`. For the sweep that times out rings whose timer died with its node; a listed call
   * may have changed since: read it.
   */
  rungBefore(before: number, limit: number): Promise<string[]>;
  /**
   * Claims one sweep (grace or ring) of a call for `ms`: true for exactly one of the nodes that
   * ask until the claim lapses, so only one of them acts on it. The two sweeps claim apart, so
   * one does not hold the other back.
   */
  claimSweep(callId: string, sweep: Sweep, ms: number): Promise<boolean>;
  /** Rejects while the backing store (Redis) is out of reach; /readyz reports it. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Since when its longest-gone participant has been away; null when everyone is connected. */
export function awaySince(call: CallRecord): number | null {
  const gone = call.participants.flatMap((p) => (p.disconnectedAt === null ? [] : [p.disconnectedAt]));
  return gone.length ? Math.min(...gone) : null;
}

export type Sweep = "grace" | "ring";

/** When its longest-ringing invitee was rung; null when nobody is being rung. */
export function rungSince(call: CallRecord): number | null {
  return call.invited.length ? Math.min(...call.invited.map((i) => i.rungAt)) : null;
}

/** The record as update() stores it: its SFU node is placeSfu's alone to write. */
export function unplaced(call: CallRecord): CallRecord {
  const { sfuNode: _, ...rest } = call;
  return rest;
}

export class MemoryCallRegistry implements CallRegistry {
  readonly #calls = new Map<string, CallRecord>();
  readonly #byUser = new Map<string, string>();
  readonly #byConversation = new Map<string, string>();
  /** callId → its SFU node. */
  readonly #sfu = new Map<string, string>();
  /** sweep:callId → when that sweep's claim lapses. */
  readonly #claims = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  #busy(call: CallRecord): string | undefined {
    return members(call).find((u) => this.#byUser.has(u) && this.#byUser.get(u) !== call.id);
  }

  #index(call: CallRecord, before?: CallRecord) {
    if (before) this.#unindex(before);
    for (const u of members(call)) this.#byUser.set(u, call.id);
    this.#byConversation.set(call.conversationId, call.id);
  }

  #unindex(call: CallRecord) {
    for (const u of members(call)) if (this.#byUser.get(u) === call.id) this.#byUser.delete(u);
    if (this.#byConversation.get(call.conversationId) === call.id) this.#byConversation.delete(call.conversationId);
  }

  async create(call: CallRecord): Promise<CreateResult> {
    const existing = this.#byConversation.get(call.conversationId);
    if (existing !== undefined) return { ok: false, existingCallId: existing };
    const busyUserId = this.#busy(call);
    if (busyUserId !== undefined) return { ok: false, busyUserId };
    this.#calls.set(call.id, structuredClone({ ...unplaced(call), version: 0 }));
    this.#index(call);
    return { ok: true };
  }

  async get(id: string) {
    const c = this.#calls.get(id);
    const sfuNode = this.#sfu.get(id);
    return c && structuredClone(sfuNode === undefined ? c : { ...c, sfuNode });
  }

  async ofUser(userId: string) {
    const id = this.#byUser.get(userId);
    return id === undefined ? undefined : this.get(id);
  }

  async ofConversation(conversationId: string) {
    const id = this.#byConversation.get(conversationId);
    return id === undefined ? undefined : this.get(id);
  }

  async update(call: CallRecord): Promise<UpdateResult> {
    const current = this.#calls.get(call.id);
    if (!current || current.version !== call.version) return { ok: false };
    const busyUserId = this.#busy(call);
    if (busyUserId !== undefined) return { ok: false, busyUserId };
    const owner = this.#byConversation.get(call.conversationId);
    if (owner !== undefined && owner !== call.id) return { ok: false };
    this.#calls.set(call.id, structuredClone({ ...unplaced(call), version: call.version + 1 }));
    this.#index(call, current);
    return { ok: true };
  }

  async remove(id: string, expectedVersion?: number) {
    const c = this.#calls.get(id);
    if (!c || (expectedVersion !== undefined && c.version !== expectedVersion)) return undefined;
    const sfuNode = this.#sfu.get(id);
    this.#calls.delete(id);
    this.#sfu.delete(id);
    this.#unindex(c);
    return sfuNode === undefined ? c : { ...c, sfuNode };
  }

  async placeSfu(callId: string, node: string | null, from: string | null) {
    if (!this.#calls.has(callId)) return undefined;
    if ((this.#sfu.get(callId) ?? null) !== from) return this.#sfu.get(callId);
    if (node === null) this.#sfu.delete(callId);
    else this.#sfu.set(callId, node);
    return node ?? undefined;
  }

  async sfuCallsOf(node: string) {
    return [...this.#sfu].filter(([, n]) => n === node).map(([id]) => id);
  }

  /** A scan: one node holds few calls, and this runs every few seconds, not per request. */
  #since(score: (call: CallRecord) => number | null, before: number, limit: number) {
    const due = [...this.#calls.values()].flatMap((c) => {
      const since = score(c);
      return since !== null && since <= before ? [{ id: c.id, since }] : [];
    });
    return due
      .sort((a, b) => a.since - b.since)
      .slice(0, limit)
      .map((a) => a.id);
  }

  async awayBefore(before: number, limit: number) {
    return this.#since(awaySince, before, limit);
  }

  async rungBefore(before: number, limit: number) {
    return this.#since(rungSince, before, limit);
  }

  async claimSweep(callId: string, sweep: Sweep, ms: number) {
    const now = this.clock();
    const key = `${sweep}:${callId}`;
    if ((this.#claims.get(key) ?? -Infinity) > now) return false;
    for (const [k, until] of this.#claims) if (until <= now) this.#claims.delete(k);
    this.#claims.set(key, now + ms);
    return true;
  }

  async count() {
    return this.#calls.size;
  }

  async ping() {}

  async close() {}
}
