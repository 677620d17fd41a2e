/**
 * Live calls. Calls are never written to the database (only their log messages are), so the
 * registry is the source of truth for who is in which call. Every change is a compare-and-set
 * on the record's version, so two nodes (or two devices) racing on one call cannot both win.
 * In memory for one node; in Redis (redis-call-registry.ts) for several.
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
  /** Bumped by the registry on every stored change. */
  version: number;
}

export type CreateResult = { ok: true } | { ok: false; busyUserId: string };

export interface CallRegistry {
  /** Adds the call (at version 0) unless caller or callee is already in one. */
  create(call: CallRecord): Promise<CreateResult>;
  get(id: string): Promise<CallRecord | undefined>;
  ofUser(userId: string): Promise<CallRecord | undefined>;
  /** Stores `call` if the stored version is still `call.version`; false when someone got there first. */
  update(call: CallRecord): Promise<boolean>;
  /** Removes the call (only at `expectedVersion` when given); returns what was removed. */
  remove(id: string, expectedVersion?: number): Promise<CallRecord | undefined>;
  close(): Promise<void>;
}

export class MemoryCallRegistry implements CallRegistry {
  readonly #calls = new Map<string, CallRecord>();
  readonly #byUser = new Map<string, string>();

  async create(call: CallRecord): Promise<CreateResult> {
    for (const userId of [call.callerId, call.calleeId]) {
      if (this.#byUser.has(userId)) return { ok: false, busyUserId: userId };
    }
    this.#calls.set(call.id, structuredClone({ ...call, version: 0 }));
    this.#byUser.set(call.callerId, call.id);
    this.#byUser.set(call.calleeId, call.id);
    return { ok: true };
  }

  async get(id: string) {
    const c = this.#calls.get(id);
    return c && structuredClone(c);
  }

  async ofUser(userId: string) {
    const id = this.#byUser.get(userId);
    return id === undefined ? undefined : this.get(id);
  }

  async update(call: CallRecord) {
    const current = this.#calls.get(call.id);
    if (!current || current.version !== call.version) return false;
    this.#calls.set(call.id, structuredClone({ ...call, version: call.version + 1 }));
    return true;
  }

  async remove(id: string, expectedVersion?: number) {
    const c = this.#calls.get(id);
    if (!c || (expectedVersion !== undefined && c.version !== expectedVersion)) return undefined;
    this.#calls.delete(id);
    for (const userId of [c.callerId, c.calleeId]) if (this.#byUser.get(userId) === id) this.#byUser.delete(userId);
    return c;
  }

  async close() {}
}
