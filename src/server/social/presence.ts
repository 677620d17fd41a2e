/**
 * Presence: a user is online while any of their connections is, with the status they chose
 * (invisible looks offline to everyone else). Changes go to friends — and to fellow space
 * members when the user chose that — through the bus. State lives in a PresenceRegistry
 * (memory for one node, Redis for several).
 */
import type { PresenceStatus } from "../../shared/protocol";
import type { Bus } from "../bus/bus";
import type { Store } from "../store/store";
import type { Chosen, PresenceRegistry, PresenceState } from "./presence-registry";

const visibleOf = (s: PresenceState | undefined): PresenceStatus => (!s?.online || s.chosen === "invisible" ? "offline" : s.chosen);

export class PresenceService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly registry: PresenceRegistry,
  ) {}

  /** What others see of a user. */
  async visible(userId: string): Promise<PresenceStatus> {
    return visibleOf((await this.registry.states([userId])).get(userId));
  }

  /** What others see of each of these users. */
  async visibleMany(userIds: string[]): Promise<Map<string, PresenceStatus>> {
    const states = await this.registry.states(userIds);
    const out = new Map<string, PresenceStatus>();
    for (const id of userIds) out.set(id, visibleOf(states.get(id)));
    return out;
  }

  /** What others see of those of these users who do not look offline (hello's `presence`: absent is offline). */
  async shownOf(userIds: string[]): Promise<Record<string, PresenceStatus>> {
    const out: Record<string, PresenceStatus> = {};
    for (const [id, s] of await this.registry.connected(userIds)) {
      const status = visibleOf(s);
      if (status !== "offline") out[id] = status;
    }
    return out;
  }

  async #change(userId: string, mutate: () => Promise<void>): Promise<void> {
    const before = await this.visible(userId);
    await mutate();
    const after = await this.visible(userId);
    if (after === before) return;
    const audience = await this.audience(userId);
    if (audience.length === 0) return;
    await this.bus.publish({ type: "deliver", to: { users: audience }, event: { type: "presence:update", userId, status: after } });
  }

  handleConnect(userId: string, connectionId: string): Promise<void> {
    return this.#change(userId, () => this.registry.connect(userId, connectionId));
  }

  handleDisconnect(userId: string, connectionId: string): Promise<void> {
    return this.#change(userId, () => this.registry.disconnect(userId, connectionId));
  }

  handleHeartbeat(userId: string, connectionId: string): Promise<void> {
    return this.registry.touch(userId, connectionId);
  }

  handleSet(userId: string, status: Chosen): Promise<void> {
    return this.#change(userId, () => this.registry.setChosen(userId, status));
  }

  /** Two users just became friends: each learns the other's presence. */
  async handleNewFriends(a: string, b: string): Promise<void> {
    const v = await this.visibleMany([a, b]);
    await this.bus.publish({ type: "deliver", to: { users: [a] }, event: { type: "presence:update", userId: b, status: v.get(b)! } });
    await this.bus.publish({ type: "deliver", to: { users: [b] }, event: { type: "presence:update", userId: a, status: v.get(a)! } });
  }

  /**
   * What a broadcast to a whole space may say of a member: their presence only if they
   * show it to fellow members; friends learn the truth through presence:update instead.
   */
  async forSpace(user: { id: string; presence_visibility: "friends" | "spaces" }): Promise<PresenceStatus> {
    return user.presence_visibility === "spaces" ? this.visible(user.id) : "offline";
  }

  /** The user widened or narrowed who sees them: fellow members who are not friends hear the change. */
  async handleVisibilityChanged(userId: string, now: "friends" | "spaces"): Promise<void> {
    const [friends, coMembers] = await Promise.all([this.store.social.friendIds(userId), this.store.spaces.coMemberIds(userId)]);
    const friendSet = new Set(friends);
    const strangers = coMembers.filter((id) => !friendSet.has(id));
    if (strangers.length === 0) return;
    const status = now === "spaces" ? await this.visible(userId) : "offline";
    await this.bus.publish({ type: "deliver", to: { users: strangers }, event: { type: "presence:update", userId, status } });
  }

  /** Who may see this user's presence. */
  async audience(userId: string): Promise<string[]> {
    const [friends, user] = await Promise.all([this.store.social.friendIds(userId), this.store.accounts.userById(userId)]);
    if (user?.presence_visibility !== "spaces") return friends;
    return [...new Set([...friends, ...(await this.store.spaces.coMemberIds(userId))])];
  }
}
