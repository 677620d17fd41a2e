/** Public profiles of people we meet outside friends and DMs (authors who left a space), fetched once each. */
import { create } from "zustand";
import type { PublicUser } from "../../shared/protocol";
import { api } from "../api";

export const useUserCache = create<{ users: Record<string, PublicUser> }>()(() => ({ users: {} }));

const asked = new Set<string>();

export function ensureUsers(ids: Iterable<string>): void {
  for (const id of ids) {
    if (asked.has(id) || useUserCache.getState().users[id]) continue;
    asked.add(id);
    api.get<{ user: PublicUser }>(`/api/users/${encodeURIComponent(id)}`).then(
      ({ user }) => useUserCache.setState((s) => ({ users: { ...s.users, [id]: user } })),
      () => {}, // deleted accounts stay "Unknown user"
    );
  }
}
