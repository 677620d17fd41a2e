/**
 * Someone's @username as the client shows it. An erased account keeps a placeholder username
 * (`deleted-<id>`) so its messages keep an author; it is not a name, so it is never shown: such an
 * account appears only as its display name, "Deleted user".
 */
import { isErased } from "../../../shared/account";
import type { PublicUser } from "../../../shared/protocol";

type Named = Pick<PublicUser, "id" | "username">;

/** The username to show or tag an element with, or undefined for an erased account. */
export function shownUsername(user: Named): string | undefined {
  return isErased(user) ? undefined : user.username;
}

/** "@username", or null for an erased account. */
export function handleOf(user: Named): string | null {
  return isErased(user) ? null : `@${user.username}`;
}
