/**
 * Per node, which sessions were found live lately, so a socket upgrade or a request does not
 * read the session row each time. Every sign-out publishes `sessions:ended` (logout, logout
 * everywhere, a reused refresh token, a password reset, a proven email): a published one drops
 * its entries here at once (before the next request on this node), one from another node when
 * it arrives. An entry lives at most TTL_MS, so an event lost in a Redis outage cannot keep a
 * signed-out session usable for longer than that on any node.
 *
 * A read that races a sign-out (started before the commit, done after the event) is answered
 * but not kept: each user's sign-outs are counted, and a load keeps its result only if the
 * count did not move while it ran.
 */
import { watched, type Bus, type BusEvent } from "../bus/bus";

const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

export class SessionCache {
  /** sessionId → its user and when the verdict lapses; Map order is insertion (oldest first). */
  readonly #live = new Map<string, { userId: string; until: number }>();
  /** userId → sign-outs heard, for the race above. Entries stay small: one number per user who signed out. */
  readonly #ended = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Whether the session is live for this user: from the cache, else by `load` (the row read). */
  async isLive(userId: string, sessionId: string, load: () => Promise<boolean>): Promise<boolean> {
    const hit = this.#live.get(sessionId);
    if (hit && hit.userId === userId && hit.until > this.clock()) return true;
    const before = this.#ended.get(userId) ?? 0;
    const live = await load();
    if (live && (this.#ended.get(userId) ?? 0) === before) {
      this.#live.delete(sessionId);
      this.#live.set(sessionId, { userId, until: this.clock() + TTL_MS });
      if (this.#live.size > MAX_ENTRIES) this.#live.delete(this.#live.keys().next().value!);
    }
    return live;
  }

  #forget(e: BusEvent): void {
    if (e.type !== "sessions:ended") return;
    this.#ended.set(e.userId, (this.#ended.get(e.userId) ?? 0) + 1);
    if (e.sessionIds !== "all") for (const id of e.sessionIds) this.#live.delete(id);
    else for (const [id, s] of this.#live) if (s.userId === e.userId) this.#live.delete(id);
  }

  /** The bus, wrapped so that what this node publishes is forgotten before it is sent. */
  watch(bus: Bus): Bus {
    return watched(bus, (e) => this.#forget(e));
  }
}
