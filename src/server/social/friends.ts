/** Friend requests, friendships and blocks. Both parties hear every change in real time. */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import type { Friend, FriendRequest, ServerEvent } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { FriendRequestRow, Store, UserRow } from "../store/store";
import type { ConversationService } from "../chat/conversations";
import type { PresenceService } from "./presence";
import type { Limits } from "../limits/limits";
import { toPublic } from "./users";

export class FriendService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
    private readonly conversations: ConversationService,
    private readonly limits: Limits,
    private readonly clock: () => number = Date.now,
  ) {}

  #now() {
    return new Date(this.clock()).toISOString();
  }

  #send(users: string[], event: ServerEvent) {
    return this.bus.publish({ type: "deliver", to: { users }, event });
  }

  #request(r: FriendRequestRow, other: UserRow): FriendRequest {
    return { id: r.id, fromId: r.from_id, toId: r.to_id, user: toPublic(other), createdAt: r.created_at };
  }

  async list(actor: Actor): Promise<Friend[]> {
    const rows = await this.store.social.listFriends(actor.userId);
    const presence = await this.presence.visibleMany(rows.map((f) => f.user.id));
    return rows.map((f) => ({ user: toPublic(f.user), presence: presence.get(f.user.id)!, conversationId: f.conversationId }));
  }

  async requests(actor: Actor): Promise<{ incoming: FriendRequest[]; outgoing: FriendRequest[] }> {
    const { incoming, outgoing } = await this.store.social.listRequests(actor.userId);
    return { incoming: incoming.map((r) => this.#request(r, r.user)), outgoing: outgoing.map((r) => this.#request(r, r.user)) };
  }

  async request(actor: Actor, target: { username: string } | { userId: string }): Promise<{ request?: FriendRequest; friend?: Friend; conversationId?: string }> {
    const other = "username" in target ? await this.store.accounts.userByLogin(target.username) : await this.store.accounts.userById(target.userId);
    // An erased account keeps its row (its messages point at it) but is nobody to befriend.
    if (!other || other.deleted_at || ("username" in target && other.username !== target.username)) throw new AppError("NOT_FOUND", "No user with that name");
    if (other.id === actor.userId) throw new AppError("VALIDATION_ERROR", "You cannot befriend yourself");
    if (await this.store.social.blockedBetween(actor.userId, other.id)) throw new AppError("FORBIDDEN", "You cannot send this user a friend request");
    if (await this.store.social.friendship(actor.userId, other.id)) throw new AppError("CONFLICT", "You are already friends", { field: "friend" });
    // They already asked us: asking back means yes — but only while theirs is still pending. One
    // declined or withdrawn meanwhile makes this a new request of ours.
    const reverse = await this.store.social.requestBetween(other.id, actor.userId);
    const crossed = reverse && (await this.#befriend(reverse));
    if (crossed) return crossed;
    // Send-and-cancel cycles would otherwise notify the target without end.
    this.limits.friendRequest(actor.userId, other.id);
    const me = await this.store.accounts.userById(actor.userId);
    const row = await this.store.social.createRequest({ id: newId(), from_id: actor.userId, to_id: other.id, created_at: this.#now() });
    await this.#send([other.id], { type: "friend:request", request: this.#request(row, me!) });
    const mine = this.#request(row, other);
    await this.#send([actor.userId], { type: "friend:request", request: mine });
    return { request: mine };
  }

  async accept(actor: Actor, requestId: string): Promise<{ friend: Friend; conversationId: string }> {
    const req = await this.store.social.requestById(requestId);
    if (!req || req.to_id !== actor.userId) throw new AppError("NOT_FOUND", "No such friend request");
    if (await this.store.social.blockedBetween(req.from_id, req.to_id)) throw new AppError("FORBIDDEN", "This request can no longer be accepted");
    const done = await this.#befriend(req);
    if (!done) throw new AppError("NOT_FOUND", "No such friend request");
    return done;
  }

  /** Accepts `req` if it is still pending (undefined if not) and tells both sides. */
  async #befriend(req: FriendRequestRow): Promise<{ friend: Friend; conversationId: string } | undefined> {
    const done = await this.store.social.acceptRequest(req, newId(), this.#now());
    if (!done) return undefined;
    const [from, to] = await Promise.all([this.store.accounts.userById(req.from_id), this.store.accounts.userById(req.to_id)]);
    for (const userId of [req.from_id, req.to_id]) {
      await this.bus.publish({ type: "membership", userId, conversationId: done.conversationId, joined: true });
    }
    const presence = await this.presence.visibleMany([req.from_id, req.to_id]);
    const friendFor = (other: UserRow): Friend => ({ user: toPublic(other), presence: presence.get(other.id)!, conversationId: done.conversationId });
    await this.#send([req.from_id], { type: "friend:accepted", friend: friendFor(to!) });
    await this.#send([req.to_id], { type: "friend:accepted", friend: friendFor(from!) });
    await this.conversations.announce(done.conversationId, done.createdConversation ? "conversation:new" : "conversation:updated");
    await this.presence.handleNewFriends(req.from_id, req.to_id);
    return { friend: friendFor(from!), conversationId: done.conversationId };
  }

  /** Reject (recipient) or cancel (sender): either party may withdraw a pending request. */
  async withdraw(actor: Actor, requestId: string, as: "recipient" | "sender"): Promise<void> {
    const req = await this.store.social.requestById(requestId);
    const mine = req && (as === "recipient" ? req.to_id : req.from_id) === actor.userId;
    if (!req || !mine || !(await this.store.social.deleteRequest(req.id))) throw new AppError("NOT_FOUND", "No such friend request");
    await this.#send([req.from_id, req.to_id], { type: "friend:request-removed", requestId: req.id });
  }

  async unfriend(actor: Actor, userId: string): Promise<void> {
    if (!(await this.store.social.removeFriendship(actor.userId, userId))) throw new AppError("NOT_FOUND", "You are not friends");
    await this.#send([actor.userId], { type: "friend:removed", userId });
    await this.#send([userId], { type: "friend:removed", userId: actor.userId });
  }

  async block(actor: Actor, userId: string): Promise<void> {
    if (userId === actor.userId) throw new AppError("VALIDATION_ERROR", "You cannot block yourself");
    if (!(await this.store.accounts.userById(userId))) throw new AppError("NOT_FOUND", "No such user");
    const { wasFriend, removedRequestIds } = await this.store.social.block(actor.userId, userId, this.#now());
    for (const requestId of removedRequestIds) await this.#send([actor.userId, userId], { type: "friend:request-removed", requestId });
    if (wasFriend) {
      await this.#send([actor.userId], { type: "friend:removed", userId });
      await this.#send([userId], { type: "friend:removed", userId: actor.userId });
    }
    await this.#dmChanged(actor.userId, userId);
  }

  async unblock(actor: Actor, userId: string): Promise<void> {
    if (!(await this.store.social.unblock(actor.userId, userId))) throw new AppError("NOT_FOUND", "That user is not blocked");
    await this.#dmChanged(actor.userId, userId);
  }

  async blocked(actor: Actor) {
    return (await this.store.social.listBlocked(actor.userId)).map(toPublic);
  }

  /** The pair's DM (if any) changed read-only state: both sides get the new view. */
  async #dmChanged(a: string, b: string): Promise<void> {
    const dm = await this.store.chat.dmBetween(a, b);
    if (dm) await this.conversations.announce(dm, "conversation:updated");
  }
}
