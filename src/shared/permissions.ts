/**
 * The one permission table for spaces. The server checks every action against it; the client
 * reads the same table to hide what a role cannot do.
 */
export type SpaceRole = "owner" | "admin" | "member";

export type Permission =
  | "manageSpace"
  | "manageChannels"
  | "createInvite"
  | "manageInvites"
  | "kick"
  | "ban"
  | "deleteMessages"
  | "mentionEveryone"
  | "manageRoles"
  | "deleteSpace"
  | "transferOwnership";

const ADMIN: Permission[] = ["manageSpace", "manageChannels", "createInvite", "manageInvites", "kick", "ban", "deleteMessages", "mentionEveryone"];

export const PERMISSIONS: Readonly<Record<SpaceRole, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>([...ADMIN, "manageRoles", "deleteSpace", "transferOwnership"]),
  admin: new Set<Permission>(ADMIN),
  member: new Set<Permission>(["createInvite"]),
};

export function can(role: SpaceRole | undefined, permission: Permission): boolean {
  return role !== undefined && PERMISSIONS[role].has(permission);
}

const RANK: Record<SpaceRole, number> = { owner: 3, admin: 2, member: 1 };

/** Moderation only flows downwards: an admin can kick a member, not another admin. */
export function outranks(actor: SpaceRole, target: SpaceRole): boolean {
  return RANK[actor] > RANK[target];
}
