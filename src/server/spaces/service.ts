/**
 * Spaces: create (with #general and a General voice channel), list, rename, icon, delete,
 * leave, transfer; channels; members, roles, kick and ban. Every action is checked against
 * the permission table in src/shared/permissions.ts.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import { can, mayModerate, type Permission } from "../../shared/permissions";
import type { Channel, ServerEvent, Space, SpaceMember } from "../../shared/protocol";
import type { Actor } from "../auth/service";
import type { Bus } from "../bus/bus";
import type { ImageStore } from "../files/images";
import type { PresenceService } from "../social/presence";
import type { SpaceRole } from "../store/schema";
import type { SpaceRow, Store } from "../store/store";
import { toPublic } from "../social/users";
import { channelsWithUnread, listedChannel, spaceInfo, toChannel, toSpace } from "./wire";

/** Discord-style text channel names: lowercase words joined by dashes. */
export function textChannelName(name: string): string {
  const slug = name.trim().toLowerCase().replace(/\s+/g, "-").replace(/[^\p{L}\p{N}_-]/gu, "").replace(/-+/g, "-");
  if (!slug) throw new AppError("VALIDATION_ERROR", "Channel names need letters or digits", { fields: { name: "Use letters, digits, - or _" } });
  return slug.slice(0, 100);
}

/** Who is in which voice channel now (the call service; live calls are not in the store). */
export interface VoiceRoster {
  voiceMembers(channelIds: string[]): Promise<Map<string, Pick<Channel, "voiceMembers" | "voiceMuted" | "voiceSpeaking">>>;
}

export class SpaceService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
    private readonly images: ImageStore,
    /** Spaces one user may belong to, owned ones included. */
    readonly maxSpaces: number,
    private readonly clock: () => number,
    private readonly voice: VoiceRoster,
  ) {}

  #now() {
    return new Date(this.clock()).toISOString();
  }

  #toSpace(event: ServerEvent, spaceId: string) {
    return this.bus.publish({ type: "deliver", to: { space: spaceId }, event });
  }

  /** The caller's role, or FORBIDDEN when they are not a member (existence is not revealed). */
  async requireRole(actor: Actor, spaceId: string, permission?: Permission): Promise<{ space: SpaceRow; role: SpaceRole }> {
    const [space, role] = await Promise.all([this.store.spaces.space(spaceId), this.store.spaces.role(spaceId, actor.userId)]);
    if (!space || !role) throw new AppError("FORBIDDEN", "You are not a member of this space");
    if (permission && !can(role, permission)) throw new AppError("FORBIDDEN", "Your role does not allow that");
    return { space, role };
  }

  async #channelSpace(actor: Actor, channelId: string, permission: Permission) {
    const channel = await this.store.chat.conversation(channelId);
    if (!channel || channel.kind !== "channel" || !channel.space_id) throw new AppError("FORBIDDEN", "No such channel in your spaces");
    return { channel, ...(await this.requireRole(actor, channel.space_id, permission)) };
  }

  async #view(actor: Actor, space: SpaceRow, role: SpaceRole): Promise<Space> {
    const [rows, summaries, count] = await Promise.all([
      this.store.spaces.channels(space.id),
      this.store.chat.summaries(actor.userId, { spaceId: space.id }),
      this.store.spaces.memberCount(space.id),
    ]);
    const [channels] = await this.#withVoice([channelsWithUnread(rows, summaries)]);
    return toSpace(space, role, count, channels!);
  }

  /** Fills each voice channel's `voiceMembers` (one roster read for all the spaces). */
  async #withVoice(perSpace: Channel[][]): Promise<Channel[][]> {
    const inVoice = await this.voice.voiceMembers(perSpace.flat().filter((c) => c.kind === "voice").map((c) => c.id));
    return perSpace.map((channels) => channels.map((c) => (c.kind === "voice" ? { ...c, ...inVoice.get(c.id) } : c)));
  }

  async create(actor: Actor, name: string): Promise<Space> {
    const space = await this.store.spaces.createSpace({
      id: newId(),
      name,
      ownerId: actor.userId,
      now: this.#now(),
      maxSpaces: this.maxSpaces,
      channels: [
        { id: newId(), name: "general", kind: "text" },
        { id: newId(), name: "General", kind: "voice" },
      ],
    });
    const view = await this.#view(actor, space, "owner");
    await this.joined(actor.userId, view);
    return view;
  }

  /** Subscribes the user's sockets to the space and its channels, and tells their devices. */
  async joined(userId: string, view: Space): Promise<void> {
    await this.bus.publish({ type: "space-membership", userId, spaceId: view.id, joined: true, conversationIds: view.channels.map((c) => c.id) });
    await this.bus.publish({ type: "deliver", to: { users: [userId] }, event: { type: "space:new", space: view } });
  }

  /** Every space with its channels from two reads (channel membership mirrors space membership). */
  async list(actor: Actor): Promise<Space[]> {
    const spaces = await this.listWithoutVoice(actor.userId);
    const channels = await this.#withVoice(spaces.map((s) => s.channels));
    return spaces.map((s, i) => ({ ...s, channels: channels[i]! }));
  }

  /** As `list`, with voice channels' rosters left empty (hello keeps this part and reads the rosters fresh). */
  async listWithoutVoice(userId: string): Promise<Space[]> {
    const [spaces, rows] = await Promise.all([this.store.spaces.spacesOf(userId), this.store.hello.channels(userId)]);
    const bySpace = Map.groupBy(rows.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || (a.id < b.id ? -1 : 1)), (c) => c.space_id);
    return spaces.map((s) => toSpace(s, s.role, s.member_count, (bySpace.get(s.id) ?? []).map(listedChannel)));
  }

  async get(actor: Actor, spaceId: string): Promise<Space> {
    const { space, role } = await this.requireRole(actor, spaceId);
    return this.#view(actor, space, role);
  }

  async #announceSpace(spaceId: string): Promise<void> {
    const space = await this.store.spaces.space(spaceId);
    if (!space) return;
    const memberCount = await this.store.spaces.memberCount(spaceId);
    await this.#toSpace({ type: "space:updated", space: spaceInfo(space, memberCount) }, spaceId);
  }

  /** Name and the join-announcement setting; either may be left out. */
  async update(actor: Actor, spaceId: string, patch: { name?: string; joinMessages?: boolean }): Promise<Space> {
    await this.requireRole(actor, spaceId, "manageSpace");
    await this.store.spaces.update(spaceId, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.joinMessages === undefined ? {} : { join_messages: patch.joinMessages ? 1 : 0 }),
    });
    await this.#announceSpace(spaceId);
    return this.get(actor, spaceId);
  }

  async setIcon(actor: Actor, spaceId: string, bytes: Uint8Array | null): Promise<Space> {
    const { space } = await this.requireRole(actor, spaceId, "manageSpace");
    const icon = bytes ? await this.images.save(bytes) : null;
    await this.store.spaces.update(spaceId, { icon });
    await this.images.remove(space.icon);
    await this.#announceSpace(spaceId);
    return this.get(actor, spaceId);
  }

  /** The icon file, for anyone holding its URL (invite previews show it to visitors). */
  async icon(spaceId: string, name: string) {
    const space = await this.store.spaces.space(spaceId);
    if (!space || space.icon !== name) throw new AppError("NOT_FOUND", "No such icon");
    const f = await this.images.file(name);
    if (!f) throw new AppError("NOT_FOUND", "No such icon");
    return f;
  }

  async remove(actor: Actor, spaceId: string, confirm: string): Promise<void> {
    const { space } = await this.requireRole(actor, spaceId, "deleteSpace");
    if (confirm !== space.name) throw new AppError("VALIDATION_ERROR", "Type the space's name to confirm", { fields: { confirm: "Does not match the space's name" } });
    await this.#delete(space);
  }

  /** The instance admin's removal: no role or typed name asked (AdminService checks who asks). */
  async removeByAdmin(spaceId: string): Promise<SpaceRow> {
    const space = await this.store.spaces.space(spaceId);
    if (!space) throw new AppError("NOT_FOUND", "No such space");
    await this.#delete(space);
    return space;
  }

  async #delete(space: SpaceRow): Promise<void> {
    const members = await this.store.spaces.memberIds(space.id);
    await this.store.spaces.deleteSpace(space.id);
    await this.images.remove(space.icon);
    await this.bus.publish({ type: "deliver", to: { users: members }, event: { type: "space:removed", spaceId: space.id, reason: "deleted" } });
  }

  async #depart(spaceId: string, userId: string, reason: "left" | "kicked" | "banned"): Promise<void> {
    const channels = (await this.store.spaces.channels(spaceId)).map((c) => c.id);
    await this.bus.publish({ type: "space-membership", userId, spaceId, joined: false, conversationIds: channels });
    await this.bus.publish({ type: "deliver", to: { users: [userId] }, event: { type: "space:removed", spaceId, reason } });
    await this.#toSpace({ type: "member:left", spaceId, userId }, spaceId);
    await this.#announceSpace(spaceId);
  }

  async leave(actor: Actor, spaceId: string): Promise<void> {
    const { role } = await this.requireRole(actor, spaceId);
    if (role === "owner") throw new AppError("CONFLICT", "Transfer ownership before leaving your space");
    await this.store.spaces.removeMember(spaceId, actor.userId);
    await this.#depart(spaceId, actor.userId, "left");
  }

  /**
   * An erased account leaves every space. A space it owns goes to its highest-ranked remaining
   * member (an admin before a member, the longest-standing first), or is deleted when nobody is left.
   */
  async accountErased(userId: string): Promise<void> {
    for (const space of await this.store.spaces.spacesOf(userId)) {
      if (space.role === "owner") {
        const rank = { owner: 0, admin: 1, member: 2 } as const;
        const heir = (await this.store.spaces.members(space.id))
          .filter((m) => m.user.id !== userId)
          .sort((a, b) => rank[a.role] - rank[b.role] || (a.joinedAt < b.joinedAt ? -1 : 1))[0];
        if (!heir) {
          await this.store.spaces.deleteSpace(space.id);
          await this.images.remove(space.icon);
          await this.bus.publish({ type: "deliver", to: { users: [userId] }, event: { type: "space:removed", spaceId: space.id, reason: "deleted" } });
          continue;
        }
        if (!(await this.store.spaces.transferOwnership(space.id, userId, heir.user.id))) continue;
        await this.#memberUpdated(space.id, heir.user.id);
      }
      await this.store.spaces.removeMember(space.id, userId);
      await this.#depart(space.id, userId, "left");
    }
  }

  async #target(spaceId: string, userId: string): Promise<SpaceRole> {
    const role = await this.store.spaces.role(spaceId, userId);
    if (!role) throw new AppError("NOT_FOUND", "That user is not a member of this space");
    return role;
  }

  async kick(actor: Actor, spaceId: string, userId: string): Promise<void> {
    const { role } = await this.requireRole(actor, spaceId, "kick");
    if (!mayModerate(role, "kick", await this.#target(spaceId, userId))) throw new AppError("FORBIDDEN", "You can only remove members below your role");
    await this.store.spaces.removeMember(spaceId, userId);
    await this.#depart(spaceId, userId, "kicked");
  }

  async ban(actor: Actor, spaceId: string, userId: string): Promise<void> {
    const { role } = await this.requireRole(actor, spaceId, "ban");
    if (userId === actor.userId) throw new AppError("VALIDATION_ERROR", "You cannot ban yourself");
    const targetRole = await this.store.spaces.role(spaceId, userId);
    if (targetRole && !mayModerate(role, "ban", targetRole)) throw new AppError("FORBIDDEN", "You can only ban members below your role");
    if (!(await this.store.accounts.userById(userId))) throw new AppError("NOT_FOUND", "No such user");
    await this.store.spaces.ban(spaceId, userId, actor.userId, this.#now());
    if (targetRole) await this.#depart(spaceId, userId, "banned");
  }

  async unban(actor: Actor, spaceId: string, userId: string): Promise<void> {
    await this.requireRole(actor, spaceId, "ban");
    if (!(await this.store.spaces.unban(spaceId, userId))) throw new AppError("NOT_FOUND", "That user is not banned");
  }

  async bans(actor: Actor, spaceId: string) {
    await this.requireRole(actor, spaceId, "ban");
    return (await this.store.spaces.bans(spaceId)).map((b) => ({ user: toPublic(b.user), bannedAt: b.bannedAt }));
  }

  async members(actor: Actor, spaceId: string): Promise<SpaceMember[]> {
    await this.requireRole(actor, spaceId);
    const [rows, friends] = await Promise.all([this.store.spaces.members(spaceId), this.store.social.friendIds(actor.userId)]);
    const friendSet = new Set(friends);
    // Presence shows only where the member allows it: to friends, or to fellow members.
    const shown = rows.filter((m) => m.user.id === actor.userId || friendSet.has(m.user.id) || m.user.presence_visibility === "spaces").map((m) => m.user.id);
    const presence = await this.presence.visibleMany(shown);
    return rows.map((m) => ({ user: toPublic(m.user), role: m.role, presence: presence.get(m.user.id) ?? "offline", joinedAt: m.joinedAt }));
  }

  async setRole(actor: Actor, spaceId: string, userId: string, role: "admin" | "member"): Promise<void> {
    await this.requireRole(actor, spaceId, "manageRoles");
    if ((await this.#target(spaceId, userId)) === "owner") throw new AppError("FORBIDDEN", "The owner's role changes only by transfer");
    await this.store.spaces.setRole(spaceId, userId, role);
    await this.#memberUpdated(spaceId, userId);
  }

  async transfer(actor: Actor, spaceId: string, userId: string): Promise<void> {
    await this.requireRole(actor, spaceId, "transferOwnership");
    if (userId === actor.userId) throw new AppError("VALIDATION_ERROR", "You already own this space");
    await this.#target(spaceId, userId);
    // The checks above may be stale by now; the store re-checks both inside its transaction.
    if (!(await this.store.spaces.transferOwnership(spaceId, actor.userId, userId))) {
      if ((await this.store.spaces.role(spaceId, actor.userId)) !== "owner") throw new AppError("FORBIDDEN", "You no longer own this space");
      throw new AppError("NOT_FOUND", "That user is not a member of this space");
    }
    await this.#memberUpdated(spaceId, userId);
    await this.#memberUpdated(spaceId, actor.userId);
    await this.#announceSpace(spaceId);
  }

  async #memberUpdated(spaceId: string, userId: string): Promise<void> {
    const m = (await this.store.spaces.members(spaceId)).find((x) => x.user.id === userId);
    if (!m) return;
    const member: SpaceMember = { user: toPublic(m.user), role: m.role, presence: await this.presence.forSpace(m.user), joinedAt: m.joinedAt };
    await this.#toSpace({ type: "member:updated", spaceId, member }, spaceId);
  }

  async createChannel(actor: Actor, spaceId: string, input: { name: string; kind: "text" | "voice" }): Promise<Channel> {
    await this.requireRole(actor, spaceId, "manageChannels");
    const name = input.kind === "text" ? textChannelName(input.name) : input.name.trim();
    const row = await this.store.spaces.createChannel(spaceId, { id: newId(), name, kind: input.kind }, this.#now());
    await this.bus.publish({ type: "channel:subscribe", spaceId, conversationId: row.id, subscribe: true });
    const channel = toChannel(row);
    await this.#toSpace({ type: "channel:created", channel }, spaceId);
    return channel;
  }

  async renameChannel(actor: Actor, channelId: string, name: string): Promise<Channel> {
    const { channel } = await this.#channelSpace(actor, channelId, "manageChannels");
    await this.store.spaces.renameChannel(channelId, channel.channel_kind === "text" ? textChannelName(name) : name.trim());
    const updated = toChannel((await this.store.chat.conversation(channelId))!);
    await this.#toSpace({ type: "channel:updated", channel: updated }, channel.space_id!);
    return updated;
  }

  async deleteChannel(actor: Actor, channelId: string): Promise<void> {
    const { channel } = await this.#channelSpace(actor, channelId, "manageChannels");
    await this.store.spaces.deleteChannel(channelId);
    await this.#toSpace({ type: "channel:deleted", spaceId: channel.space_id!, channelId }, channel.space_id!);
    await this.bus.publish({ type: "channel:subscribe", spaceId: channel.space_id!, conversationId: channelId, subscribe: false });
  }

  async reorderChannels(actor: Actor, spaceId: string, channelIds: string[]): Promise<Channel[]> {
    await this.requireRole(actor, spaceId, "manageChannels");
    if (!(await this.store.spaces.reorderChannels(spaceId, channelIds))) {
      throw new AppError("VALIDATION_ERROR", "channelIds must list every channel of the space (text and voice), each exactly once", {
        fields: { channelIds: "Send the space's whole channel order" },
      });
    }
    const channels = (await this.store.spaces.channels(spaceId)).map((c) => toChannel(c));
    for (const channel of channels) await this.#toSpace({ type: "channel:updated", channel }, spaceId);
    return channels;
  }
}
