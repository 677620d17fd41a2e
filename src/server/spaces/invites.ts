/**
 * Invites: codes with optional expiry and use limits, a preview for visitors who are not
 * signed in, revocation, and acceptance that holds maxUses under concurrency (the store spends
 * a use and adds the member in one guarded transaction).
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../../shared/errors";
import { mayModerate } from "../../shared/permissions";
import type { Invite, InvitePreview, Space } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { Store } from "../store/store";
import { SystemMessages } from "../chat/system";
import { toPublic } from "../social/users";
import type { PresenceService } from "../social/presence";
import type { SpaceService } from "./service";
import { iconUrl, toInvite } from "./wire";

/** 10 characters of base62-ish randomness: unguessable, short enough to type. */
function newCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  return Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join("");
}

export class InviteService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly spaces: SpaceService,
    private readonly presence: PresenceService,
    private readonly clock: () => number = Date.now,
  ) {
    this.system = new SystemMessages(store, bus, clock);
  }

  private readonly system: SystemMessages;

  /** `origin`: where links point (http/origin.ts `publicOrigin`). */
  async create(actor: Actor, spaceId: string, input: { maxUses?: number; expiresInSeconds?: number }, origin: string): Promise<Invite> {
    await this.spaces.requireRole(actor, spaceId, "createInvite");
    const now = this.clock();
    const row = await this.store.spaces.createInvite({
      code: newCode(),
      spaceId,
      createdBy: actor.userId,
      maxUses: input.maxUses ?? null,
      expiresAt: input.expiresInSeconds ? new Date(now + input.expiresInSeconds * 1000).toISOString() : null,
      now: new Date(now).toISOString(),
    });
    return toInvite(row, origin);
  }

  async list(actor: Actor, spaceId: string, origin: string): Promise<Invite[]> {
    await this.spaces.requireRole(actor, spaceId, "manageInvites");
    return (await this.store.spaces.invites(spaceId)).map((i) => toInvite(i, origin));
  }

  /** Anyone may revoke an invite they made; managers, those of the ranks below theirs. */
  async revoke(actor: Actor, code: string): Promise<void> {
    const inv = await this.store.spaces.invite(code);
    if (!inv) throw new AppError("NOT_FOUND", "No such invite");
    const { role } = await this.spaces.requireRole(actor, inv.space_id);
    if (inv.created_by !== actor.userId && !mayModerate(role, "manageInvites", await this.store.spaces.role(inv.space_id, inv.created_by))) {
      throw new AppError("FORBIDDEN", "You can only revoke your own invites and those of members below your role");
    }
    if (!(await this.store.spaces.revokeInvite(code, new Date(this.clock()).toISOString()))) throw new AppError("INVITE_REVOKED", "This invite was already revoked");
  }

  /** Works without a session: what a visitor sees before registering. */
  async preview(code: string): Promise<InvitePreview> {
    const inv = await this.store.spaces.invite(code);
    if (!inv) throw new AppError("NOT_FOUND", "This invite does not exist");
    this.#usable(inv.revoked_at, inv.expires_at, inv.max_uses, inv.uses);
    const space = (await this.store.spaces.space(inv.space_id))!;
    return {
      code,
      space: { id: space.id, name: space.name, iconUrl: iconUrl(space), memberCount: await this.store.spaces.memberCount(space.id) },
      expiresAt: inv.expires_at,
    };
  }

  #usable(revokedAt: string | null, expiresAt: string | null, maxUses: number | null, uses: number): void {
    if (revokedAt) throw new AppError("INVITE_REVOKED", "This invite was revoked");
    if (expiresAt && Date.parse(expiresAt) <= this.clock()) throw new AppError("INVITE_EXPIRED", "This invite has expired");
    if (maxUses !== null && uses >= maxUses) throw new AppError("INVITE_EXHAUSTED", "This invite has been used up");
  }

  async accept(actor: Actor, code: string): Promise<Space> {
    const r = await this.store.spaces.acceptInvite(code, actor.userId, new Date(this.clock()).toISOString(), this.spaces.maxSpaces);
    switch (r.kind) {
      case "not-found":
        throw new AppError("NOT_FOUND", "This invite does not exist");
      case "banned":
        throw new AppError("BANNED", "You are banned from this space");
      case "revoked":
        throw new AppError("INVITE_REVOKED", "This invite was revoked");
      case "expired":
        throw new AppError("INVITE_EXPIRED", "This invite has expired");
      case "exhausted":
        throw new AppError("INVITE_EXHAUSTED", "This invite has been used up");
      case "already-member":
        return this.spaces.get(actor, r.spaceId);
    }
    const view = await this.spaces.get(actor, r.spaceId);
    await this.spaces.joined(actor.userId, view);
    const user = (await this.store.accounts.userById(actor.userId))!;
    await this.bus.publish({
      type: "deliver",
      to: { space: r.spaceId },
      event: { type: "member:joined", spaceId: r.spaceId, member: { user: toPublic(user), role: "member", presence: await this.presence.forSpace(user), joinedAt: new Date(this.clock()).toISOString() } },
    });
    // Discord's system messages channel: the first text channel by position, unless turned off.
    const channel = view.channels.find((c) => c.kind === "text");
    if (view.joinMessages && channel) {
      const line = await this.system.post(channel.id, `${user.display_name} joined the space`);
      // Unread for those who were there; the joiner knows they joined.
      if (await this.store.chat.markRead(channel.id, actor.userId, line.id)) {
        await this.bus.publish({ type: "deliver", to: { users: [actor.userId] }, event: { type: "read:updated", conversationId: channel.id, userId: actor.userId, messageId: line.id } });
      }
    }
    return view;
  }
}
