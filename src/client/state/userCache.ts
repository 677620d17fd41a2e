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
    void userProfile(id); // deleted accounts stay "Unknown user"
  }
}

/** One profile, from the cache or fetched (null when it cannot be had). */
export async function userProfile(id: string): Promise<PublicUser | null> {
  const held = useUserCache.getState().users[id];
  if (held) return held;
  try {
    const { user } = await api.get<{ user: PublicUser }>(`/api/users/${encodeURIComponent(id)}`);
    useUserCache.setState((s) => ({ users: { ...s.users, [id]: user } }));
    return user;
  } catch {
    return null;
  }
}
