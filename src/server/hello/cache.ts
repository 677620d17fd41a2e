/**
 * A per-node cache of what hello and socket setup read from the store for each user, kept
 * true by the bus: every change a user's hello shows is published as an event to that user,
 * to a conversation they are in or to a space they belong to (that is how their open sockets
 * hear of it), so the cache drops an entry on any such event — published here (at once, so a
 * REST answer is never followed by an older hello on this node) or heard from another node.
 * Events that touch nothing cached (typing, presence, reactions, calls, signalling) are skipped;
 * presence, calls and voice rosters are read fresh on every hello.
 *
 * A read that races a change (started before the commit, done after the event) is answered but
 * not kept: each load notes the invalidations that arrive while it runs.
 */
import { watched, type Bus, type BusEvent } from "../bus/bus";
import { deliveredType } from "../bus/wire";

/** "u:<userId>", "c:<conversationId>" or "sp:<spaceId>": what an invalidation names. */
type Key = string;

export interface Loaded<T> {
  value: T;
  /** Conversations ("c:<id>") and spaces ("sp:<id>") the value was read from; the user is implied. */
  deps: Key[];
  /** Rough size, for the cache's budget. */
  bytes: number;
}

interface Slot {
  value: unknown;
  deps: Key[];
  bytes: number;
}

interface Flight {
  all: boolean;
  dirty: Set<Key>;
}

/** Event types that change nothing a hello's cached parts hold (presence, calls and voice are read fresh). */
const IGNORED = /^(typing|presence:update|reaction:updated|error|call:.*|voice:state|rtc:.*|sfu:.*)$/;

/** What a bus event makes stale: keys, everything ("all"), or nothing (empty). */
export function staleKeys(e: BusEvent): Key[] | "all" {
  switch (e.type) {
    case "deliver": {
      if (IGNORED.test(deliveredType(e))) return [];
      const to = e.to;
      if ("conversation" in to) return [`c:${to.conversation}`];
      if ("space" in to) return [`sp:${to.space}`];
      if ("users" in to) return to.users.map((u) => `u:${u}`);
      // Sockets by id name no user this node can resolve for another node's sockets.
      return "all";
    }
    case "membership":
    case "space-membership":
      return [`u:${e.userId}`];
    case "channel:subscribe":
      return [`sp:${e.spaceId}`];
    case "hello:stale":
      return e.userIds.map((u) => `u:${u}`);
    case "sessions:ended":
    case "sfu:sync":
    case "sfu:signal":
      return [];
  }
}

export class HelloCache {
  /** userId → kind → slot; Map order is least recently used first. */
  readonly #entries = new Map<string, Map<string, Slot>>();
  /** "c:…"/"sp:…" → users whose cached slots were read from it. */
  readonly #byKey = new Map<Key, Set<string>>();
  readonly #flights = new Set<Flight>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached `kind` of the user's data, or `load`'s result — kept unless the budget is zero
   * or something it was read from changed while it loaded.
   */
  async read<T>(userId: string, kind: string, load: () => Promise<Loaded<T>>): Promise<T> {
    const entry = this.#entries.get(userId);
    const hit = entry?.get(kind);
    if (entry && hit) {
      this.#entries.delete(userId);
      this.#entries.set(userId, entry);
      return hit.value as T;
    }
    const flight: Flight = { all: false, dirty: new Set() };
    this.#flights.add(flight);
    let loaded: Loaded<T>;
    try {
      loaded = await load();
    } finally {
      this.#flights.delete(flight);
    }
    const raced = flight.all || flight.dirty.has(`u:${userId}`) || loaded.deps.some((d) => flight.dirty.has(d));
    if (!raced && loaded.bytes <= this.maxBytes) this.#keep(userId, kind, loaded);
    return loaded.value;
  }

  #keep(userId: string, kind: string, loaded: Loaded<unknown>): void {
    let entry = this.#entries.get(userId);
    const old = entry?.get(kind);
    if (old) this.#bytes -= old.bytes;
    if (!entry) this.#entries.set(userId, (entry = new Map()));
    entry.set(kind, { value: loaded.value, deps: loaded.deps, bytes: loaded.bytes });
    this.#bytes += loaded.bytes;
    for (const d of loaded.deps) {
      let users = this.#byKey.get(d);
      if (!users) this.#byKey.set(d, (users = new Set()));
      users.add(userId);
    }
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#drop(oldest);
    }
  }

  #drop(userId: string): void {
    const entry = this.#entries.get(userId);
    if (!entry) return;
    this.#entries.delete(userId);
    for (const slot of entry.values()) {
      this.#bytes -= slot.bytes;
      for (const d of slot.deps) {
        const users = this.#byKey.get(d);
        users?.delete(userId);
        if (users?.size === 0) this.#byKey.delete(d);
      }
    }
  }

  invalidate(keys: Key[] | "all"): void {
    if (keys === "all") {
      for (const f of this.#flights) f.all = true;
      for (const userId of [...this.#entries.keys()]) this.#drop(userId);
      return;
    }
    for (const key of keys) {
      for (const f of this.#flights) f.dirty.add(key);
      if (key.startsWith("u:")) this.#drop(key.slice(2));
      else for (const userId of [...(this.#byKey.get(key) ?? [])]) this.#drop(userId);
    }
  }

  /**
   * The bus the services publish on: each event invalidates here as it is published, then goes
   * out; events from other nodes invalidate as they arrive (ahead of the gateway's delivery).
   */
  watch(bus: Bus): Bus {
    return watched(bus, (e) => this.invalidate(staleKeys(e)));
  }
}
