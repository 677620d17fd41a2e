/**
 * Live calls. Calls are never written to the database (only their log messages are), so the
 * registry is the source of truth for who is in which call. In-memory for one node; a
 * Redis-backed registry can implement the same interface for several.
 */
import type { CallMedia } from "../../shared/protocol";

export interface Participant {
  userId: string;
  sessionId: string;
  connectionId: string;
  /** Set while the participant's socket is gone and the grace period runs. */
  disconnectedAt: number | null;
}

export interface CallRecord {
  id: string;
  conversationId: string;
  callerId: string;
  calleeId: string;
  media: CallMedia;
  state: "ringing" | "active";
  createdAt: number;
  acceptedAt: number | null;
  /** The caller's device from the start; the callee's once a device accepts. */
  participants: Participant[];
}

export interface CallRegistry {
  /** Adds the call unless caller or callee is already in one; returns the blocking call otherwise. */
  create(call: CallRecord): Promise<{ ok: true } | { ok: false; busyUserId: string }>;
  get(id: string): Promise<CallRecord | undefined>;
  ofUser(userId: string): Promise<CallRecord | undefined>;
  /** Compare-and-set on state, so two accepts cannot both win. */
  update(call: CallRecord, expectedState: CallRecord["state"]): Promise<boolean>;
  remove(id: string): Promise<CallRecord | undefined>;
}

export class MemoryCallRegistry implements CallRegistry {
  readonly #calls = new Map<string, CallRecord>();
  readonly #byUser = new Map<string, string>();

  async create(call: CallRecord) {
    for (const userId of [call.callerId, call.calleeId]) {
      if (this.#byUser.has(userId)) return { ok: false as const, busyUserId: userId };
    }
    this.#calls.set(call.id, structuredClone(call));
    this.#byUser.set(call.callerId, call.id);
    this.#byUser.set(call.calleeId, call.id);
    return { ok: true as const };
  }

  async get(id: string) {
    const c = this.#calls.get(id);
    return c && structuredClone(c);
  }

  async ofUser(userId: string) {
    const id = this.#byUser.get(userId);
    return id === undefined ? undefined : this.get(id);
  }

  async update(call: CallRecord, expectedState: CallRecord["state"]) {
    const current = this.#calls.get(call.id);
    if (!current || current.state !== expectedState) return false;
    this.#calls.set(call.id, structuredClone(call));
    return true;
  }

  async remove(id: string) {
    const c = this.#calls.get(id);
    if (!c) return undefined;
    this.#calls.delete(id);
    for (const userId of [c.callerId, c.calleeId]) if (this.#byUser.get(userId) === id) this.#byUser.delete(userId);
    return c;
  }
}
