/** The title of a space page: the space's name (and "Settings"), or null outside spaces. */
import { spaceById, useSpaces } from "../../state/spaces";
import { spaceRouteOf } from "./spaceRoutes";

export function useSpaceTitle(path: string): string | null {
  const route = spaceRouteOf(path);
  return useSpaces((s) => {
    if (!route) return null;
    const space = spaceById(s, route.spaceId);
    if (!space) return "Space";
    if (route.settings) return `${space.name} settings`;
    const channel = space.channels.find((c) => c.id === route.channelId);
    return channel && channel.kind === "text" ? `#${channel.name} · ${space.name}` : space.name;
  });
}
