/** Profiles: the user's own view, public views of others, and prefix search. */
import { AppError } from "../../shared/errors";
import type { Me, PublicUser, UpdateMeBody } from "../../shared/protocol";
import type { Store, UserRow } from "../store/store";
import type { Actor } from "../auth/service";
import type { PresenceService } from "./presence";

export function toPublic(u: UserRow): PublicUser {
  return { id: u.id, username: u.username, displayName: u.display_name, avatarUrl: u.avatar_url };
}

export function toMe(u: UserRow): Me {
  return { ...toPublic(u), email: u.email, createdAt: u.created_at, presenceVisibility: u.presence_visibility };
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly clock: () => number = Date.now,
  ) {}

  async me(actor: Actor): Promise<Me> {
    const u = await this.store.accounts.userById(actor.userId);
    if (!u) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    return toMe(u);
  }

  async updateMe(actor: Actor, patch: UpdateMeBody): Promise<Me> {
    const before = await this.store.accounts.userById(actor.userId);
    const u = await this.store.accounts.updateUser(actor.userId, patch, new Date(this.clock()).toISOString());
    if (!u || !before) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    if (u.presence_visibility !== before.presence_visibility) await this.presence.handleVisibilityChanged(u.id, u.presence_visibility);
    return toMe(u);
  }

  async byId(_actor: Actor, id: string): Promise<PublicUser> {
    const u = await this.store.accounts.userById(id);
    if (!u) throw new AppError("NOT_FOUND", "No such user");
    return toPublic(u);
  }

  async search(_actor: Actor, q: string): Promise<PublicUser[]> {
    if (q.length === 0) return [];
    return (await this.store.accounts.searchUsers(q, 20)).map(toPublic);
  }
}
