/** Profiles: the user's own view, public views of others, avatars, and prefix search. */
import { AppError } from "../../shared/errors";
import type { ImageStore } from "../files/images";
import type { Bus } from "../bus/bus";
import type { Me, PublicUser, UpdateMeBody } from "../../shared/protocol";
import type { Store, UserRow } from "../store/store";
import type { Actor } from "../auth/service";
import type { PresenceService } from "./presence";

/** Where an uploaded avatar is served: from the app itself, so the CSP can refuse other hosts. */
function avatarPath(userId: string, name: string): string {
  return `/api/users/${userId}/avatar/${name}`;
}

/** The avatar's file name, if the stored URL is one of ours (older rows may hold outside URLs). */
export function avatarName(u: Pick<UserRow, "id" | "avatar_url">): string | null {
  const prefix = avatarPath(u.id, "");
  return u.avatar_url?.startsWith(prefix) ? u.avatar_url.slice(prefix.length) : null;
}

/** The columns a public profile is made of. */
export type PublicUserRow = Pick<UserRow, "id" | "username" | "display_name" | "avatar_url">;

export function toPublic(u: PublicUserRow): PublicUser {
  return { id: u.id, username: u.username, displayName: u.display_name, avatarUrl: avatarName(u) ? u.avatar_url : null };
}

export function toMe(u: UserRow): Me {
  return {
    ...toPublic(u),
    email: u.email,
    createdAt: u.created_at,
    presenceVisibility: u.presence_visibility,
    emailVerified: Number(u.email_verified) === 1,
    instanceAdmin: Number(u.instance_admin) === 1,
    ...(u.deletion_due_at ? { deletionScheduledFor: u.deletion_due_at } : {}),
    ...(u.password_hash === null ? { passwordless: true as const } : {}),
  };
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
    private readonly images: ImageStore,
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
    if (u.presence_visibility !== before.presence_visibility) {
      await this.presence.handleVisibilityChanged(u.id, u.presence_visibility);
      // Only the acting device is answered; hello (on every device's next connect) shows the setting.
      await this.bus.publish({ type: "hello:stale", userIds: [u.id] });
    }
    if (u.display_name !== before.display_name) await this.#announce(u);
    return toMe(u);
  }

  /** Replaces (or with null removes) the avatar; the image type comes from its bytes. */
  async setAvatar(actor: Actor, bytes: Uint8Array | null): Promise<Me> {
    const before = await this.store.accounts.userById(actor.userId);
    if (!before) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    const name = bytes ? await this.images.save(bytes) : null;
    const u = await this.store.accounts.updateUser(actor.userId, { avatarUrl: name && avatarPath(actor.userId, name) }, new Date(this.clock()).toISOString());
    if (!u) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    await this.images.remove(avatarName(before));
    await this.#announce(u);
    return toMe(u);
  }

  /** The avatar file, for anyone holding its URL (avatars are public, like the profile). */
  async avatar(userId: string, name: string) {
    const u = await this.store.accounts.userById(userId);
    const f = u && avatarName(u) === name ? await this.images.file(name) : null;
    if (!f) throw new AppError("NOT_FOUND", "No such avatar");
    return f;
  }

  async #announce(u: UserRow): Promise<void> {
    await this.announceTo(await this.audience(u.id), u);
  }

  /** Everyone who shows this profile: the user, friends, both ends of pending requests, DM and group partners, space members. */
  async audience(userId: string): Promise<string[]> {
    const [friends, requests, chats, spaces] = await Promise.all([this.store.social.friendIds(userId), this.store.hello.requests(userId), this.store.chat.coMemberIds(userId), this.store.spaces.coMemberIds(userId)]);
    const asking = [...requests.incoming, ...requests.outgoing].map((r) => r.id);
    return [...new Set([userId, ...friends, ...asking, ...chats, ...spaces])];
  }

  async announceTo(users: string[], u: UserRow): Promise<void> {
    await this.bus.publish({ type: "deliver", to: { users }, event: { type: "user:updated", user: toPublic(u) } });
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
