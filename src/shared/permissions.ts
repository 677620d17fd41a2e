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

/** Strictly higher rank; someone no longer in the space (undefined) ranks below every member. */
export function outranks(actor: SpaceRole | undefined, target: SpaceRole | undefined): boolean {
  return actor !== undefined && RANK[actor] > (target ? RANK[target] : 0);
}

/**
 * Moderation flows down the ranks: acting on someone else's membership, message or invite
 * needs the permission and a strictly higher rank than theirs. Your own are always yours.
 */
export function mayModerate(actor: SpaceRole | undefined, permission: Permission, target: SpaceRole | undefined): boolean {
  return can(actor, permission) && outranks(actor, target);
}
