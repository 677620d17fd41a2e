/** Rooms: create, list mine, preview by link (anyone), settings and delete (the host), guest sessions (visitors). */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { MAX_ROOMS_PER_USER, ROOM_SLUG_RE, type GuestSession, type Room, type RoomPreview } from "../../shared/calls";
import type { GuestTokens } from "../auth/guest-tokens";
import type { Actor } from "../auth/service";
import { toPublic } from "../social/users";
import type { Bus } from "../bus/bus";
import type { RoomRow, Store } from "../store/store";

/** What rooms need of the call service. */
export interface RoomCalls {
  /** How many people are in a conversation's call now. */
  liveIn(conversationId: string): Promise<number>;
  endIn(conversationId: string, reason: "room-deleted"): Promise<void>;
  /** A room's lock changed: its running call follows. */
  lockConversation(conversationId: string, locked: boolean): Promise<void>;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** "kfp-wzqa-tnm" from crypto randomness (rejection sampling keeps every letter equally likely). */
export function newSlug(): string {
  const out: string[] = [];
  while (out.length < 10) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) if (b < 234 && out.length < 10) out.push(LETTERS[b % 26]!);
  }
  return `${out.slice(0, 3).join("")}-${out.slice(3, 7).join("")}-${out.slice(7).join("")}`;
}

export function toRoom(r: RoomRow, origin: string): Room {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    hostId: r.host_id,
    allowGuests: r.allow_guests === 1,
    locked: r.locked === 1,
    conversationId: r.conversation_id,
    url: `${origin}/r/${r.slug}`,
    createdAt: r.created_at,
  };
}

export class RoomService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly calls: RoomCalls,
    private readonly guests: GuestTokens,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(actor: Actor, input: { name: string; allowGuests: boolean }, origin: string): Promise<Room> {
    const row = await this.store.rooms.create({
      id: newId(),
      slug: newSlug(),
      name: input.name,
      hostId: actor.userId,
      allowGuests: input.allowGuests,
      conversationId: newId(),
      now: new Date(this.clock()).toISOString(),
      max: MAX_ROOMS_PER_USER,
    });
    // The host's open sockets start getting the room's chat.
    await this.bus.publish({ type: "membership", userId: actor.userId, conversationId: row.conversation_id, joined: true });
    return toRoom(row, origin);
  }

  async mine(actor: Actor, origin: string): Promise<Room[]> {
    return (await this.store.rooms.ofHost(actor.userId)).map((r) => toRoom(r, origin));
  }

  async #bySlug(slug: string): Promise<RoomRow> {
    const room = ROOM_SLUG_RE.test(slug) ? await this.store.rooms.bySlug(slug) : undefined;
    if (!room) throw new AppError("NOT_FOUND", "No room at this link");
    return room;
  }

  async preview(slug: string): Promise<RoomPreview> {
    const room = await this.#bySlug(slug);
    const [host, live] = await Promise.all([this.store.accounts.userById(room.host_id), this.calls.liveIn(room.conversation_id)]);
    const h = toPublic(host!);
    return {
      slug: room.slug,
      name: room.name,
      host: { id: h.id, displayName: h.displayName, avatarUrl: h.avatarUrl },
      allowGuests: room.allow_guests === 1,
      locked: room.locked === 1,
      conversationId: room.conversation_id,
      live,
    };
  }

  /** The host turns guests and the lobby lock on or off; a running call's lock follows. */
  async update(actor: Actor, slug: string, patch: { allowGuests?: boolean; locked?: boolean }, origin: string): Promise<Room> {
    const room = await this.#bySlug(slug);
    if (room.host_id !== actor.userId) throw new AppError("FORBIDDEN", "Only the host can change this room");
    const next = await this.store.rooms.update(room.id, patch);
    if (patch.locked !== undefined) await this.calls.lockConversation(room.conversation_id, patch.locked);
    return toRoom(next, origin);
  }

  /**
   * A visitor with the link becomes a guest of this room, if the host allows guests: a signed,
   * expiring token for it alone. A visitor still holding a valid token for this room keeps its
   * id, so a host's removal still applies when they join again under another name.
   */
  async guest(slug: string, name: string, previousToken?: string): Promise<{ guest: GuestSession; token: string }> {
    const room = await this.#bySlug(slug);
    if (room.allow_guests !== 1) throw new AppError("FORBIDDEN", "The host does not allow guests in this room; sign in to join");
    const previous = previousToken ? await this.guests.verify(previousToken).catch(() => null) : null;
    const id = previous?.roomId === room.id ? previous.id : `g-${crypto.randomUUID()}`;
    const claims = { id, name, roomId: room.id, conversationId: room.conversation_id };
    const { token, exp } = await this.guests.sign(claims, this.clock());
    return { guest: { ...claims, expiresAt: new Date(exp * 1000).toISOString() }, token };
  }

  /** The host deletes the room and its running call ends for everyone; its chat history stays in the store. */
  async remove(actor: Actor, slug: string): Promise<void> {
    const room = await this.#bySlug(slug);
    if (room.host_id !== actor.userId) throw new AppError("FORBIDDEN", "Only the host can delete this room");
    // The room first: from then on nobody can join, so the call cannot restart behind our back.
    await this.store.rooms.remove(room.id);
    await this.calls.endIn(room.conversation_id, "room-deleted");
  }
}
