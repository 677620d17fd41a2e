/** Paths of the spaces part of the app: /s/:spaceId[/:channelId | /settings] and /invite/:code. */
export interface SpaceRoute {
  spaceId: string;
  channelId: string | null;
  settings: boolean;
}

export function spaceRouteOf(path: string): SpaceRoute | null {
  const m = /^\/s\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!m) return null;
  const second = m[2] ? decodeURIComponent(m[2]) : null;
  return { spaceId: decodeURIComponent(m[1]!), channelId: second === "settings" ? null : second, settings: second === "settings" };
}

export function inviteCodeOf(path: string): string | null {
  const m = /^\/invite\/([^/]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]!) : null;
}

export const spacePath = (spaceId: string) => `/s/${encodeURIComponent(spaceId)}`;
export const channelPath = (spaceId: string, channelId: string) => `/s/${encodeURIComponent(spaceId)}/${encodeURIComponent(channelId)}`;
export const settingsPath = (spaceId: string) => `/s/${encodeURIComponent(spaceId)}/settings`;
