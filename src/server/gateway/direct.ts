/**
 * Which users on this node are in which DM, group and room. Their events go to each member's
 * user topic instead of a topic per conversation, so a new socket subscribes no topic for each of
 * its (possibly hundreds of) DMs: a user's first socket adds them here once, their last removes them;
 * membership events keep them current in between.
 * Space channels keep a topic per socket (a channel can have thousands of members on one node).
 */
export class DirectMembers {
  /** conversationId → users here in it. */
  readonly #members = new Map<string, Set<string>>();
  /** userId → their conversations held in #members. */
  readonly #of = new Map<string, Set<string>>();
  /** Users whose whole list a socket's setup has added (a membership event alone adds one conversation). */
  readonly #whole = new Set<string>();

  /** A socket of the user is set up: their whole list, unless another socket here gave it already. */
  addAll(userId: string, conversationIds: Iterable<string>): void {
    if (this.#whole.has(userId)) return;
    this.add(userId, conversationIds);
    this.#whole.add(userId);
  }

  add(userId: string, conversationIds: Iterable<string>): void {
    let mine = this.#of.get(userId);
    if (!mine) this.#of.set(userId, (mine = new Set()));
    for (const id of conversationIds) {
      mine.add(id);
      let users = this.#members.get(id);
      if (!users) this.#members.set(id, (users = new Set()));
      users.add(userId);
    }
  }

  remove(userId: string, conversationId: string): void {
    this.#of.get(userId)?.delete(conversationId);
    this.#leave(userId, conversationId);
  }

  /** The user's last socket here closed. */
  forget(userId: string): void {
    for (const id of this.#of.get(userId) ?? []) this.#leave(userId, id);
    this.#of.delete(userId);
    this.#whole.delete(userId);
  }

  #leave(userId: string, conversationId: string): void {
    const users = this.#members.get(conversationId);
    users?.delete(userId);
    if (users?.size === 0) this.#members.delete(conversationId);
  }

  users(conversationId: string): Iterable<string> {
    return this.#members.get(conversationId) ?? [];
  }
}
