/** Invites: make and revoke links, list a space's, preview one (no session needed) and accept it. */
import type { Invite, InvitePreview, Space } from "../../shared/protocol";
import { api } from "../api";
import { upsertSpace, useSpaces } from "./spaces";

const enc = encodeURIComponent;

export interface InviteOptions {
  maxUses?: number;
  expiresInSeconds?: number;
}

export async function createInvite(spaceId: string, opts: InviteOptions): Promise<Invite> {
  return (await api.post<{ invite: Invite }>(`/api/spaces/${enc(spaceId)}/invites`, opts)).invite;
}

export async function listInvites(spaceId: string): Promise<Invite[]> {
  return (await api.get<{ invites: Invite[] }>(`/api/spaces/${enc(spaceId)}/invites`)).invites;
}

export async function revokeInvite(code: string): Promise<void> {
  await api.del(`/api/invites/${enc(code)}`);
}

export async function previewInvite(code: string, signal?: AbortSignal): Promise<InvitePreview> {
  // retryAuth off: a visitor has no session to refresh, and the preview needs none.
  return (await api.get<{ invite: InvitePreview }>(`/api/invites/${enc(code)}`, { signal, retryAuth: false })).invite;
}

export async function acceptInvite(code: string): Promise<Space> {
  const { space } = await api.post<{ space: Space }>(`/api/invites/${enc(code)}/accept`);
  useSpaces.setState((s) => ({ loaded: true, ...upsertSpace(s, space) }));
  return space;
}

/** The choices the invite dialog offers. */
export const EXPIRY_OPTIONS: Array<{ label: string; seconds: number | null }> = [
  { label: "30 minutes", seconds: 30 * 60 },
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 24 * 3600 },
  { label: "7 days", seconds: 7 * 24 * 3600 },
  { label: "Never", seconds: null },
];

export const MAX_USES_OPTIONS: Array<{ label: string; uses: number | null }> = [
  { label: "No limit", uses: null },
  { label: "1 use", uses: 1 },
  { label: "5 uses", uses: 5 },
  { label: "10 uses", uses: 10 },
  { label: "25 uses", uses: 25 },
  { label: "100 uses", uses: 100 },
];
